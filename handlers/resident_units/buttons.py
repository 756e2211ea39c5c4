"""The buttons of resident units and co-building. The secretary's manage the branch's
units and its requests; the unit contact's answer their own unit's requests. Every press
is checked again in domain/resident_units/ against the unit it names."""

from __future__ import annotations

from typing import Literal

from domain.access import Audience
from domain.resident_units.models import Offer, RequestKind, UnitKind
from handlers.buttons import Button

S, R = Audience.SECRETARY, Audience.RESIDENT_UNIT
Field = Literal["name", "kind", "contact", "offers"]


class UnitOpen(Button, prefix="resident:open", audience=S):
    unit_id: int


class UnitNew(Button, prefix="resident:new", audience=S):
    pass


class UnitEdit(Button, prefix="resident:edit", audience=S):
    unit_id: int


class UnitInvite(Button, prefix="resident:invite", audience=S):
    unit_id: int


class ContactLeft(Button, prefix="resident:contact-left", audience=S):
    """Asks to confirm that this contact no longer speaks for the unit."""

    unit_id: int
    person_id: int


class ContactLeftSure(Button, prefix="resident:contact-left-sure", audience=S):
    unit_id: int
    person_id: int


class KindPick(Button, prefix="resident:kind", audience=S):
    kind: UnitKind


class OfferToggle(Button, prefix="resident:offer", audience=S):
    offer: Offer


class OffersDone(Button, prefix="resident:offers-done", audience=S):
    pass


class NoContact(Button, prefix="resident:no-contact", audience=S):
    pass


class FieldPick(Button, prefix="resident:field", audience=S):
    field: Field


class UnitSubmit(Button, prefix="resident:submit", audience=S):
    pass


class AgreementOpen(Button, prefix="cobuild:agreement", audience=S):
    unit_id: int


class AgreementSubmit(Button, prefix="cobuild:agreement-ok", audience=S):
    pass


class AskOpen(Button, prefix="cobuild:ask", audience=S):
    unit_id: int


class AskKind(Button, prefix="cobuild:ask-kind", audience=S):
    kind: RequestKind


class AskSubmit(Button, prefix="cobuild:ask-ok", audience=S):
    pass


class Accept(Button, prefix="cobuild:accept", audience=R):
    request_id: int


class Decline(Button, prefix="cobuild:decline", audience=R):
    request_id: int


class OpinionSubmit(Button, prefix="cobuild:opinion-ok", audience=R):
    pass
