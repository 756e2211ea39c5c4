"""The buttons of resident units and co-building. The secretary's manage the branch's
units and its requests; the unit contact's answer their own unit's requests. Every press
is checked again in domain/resident_units/ against the unit it names."""

from __future__ import annotations

from typing import Literal

from domain.access import Audience
from domain.resident_units.models import Offer, RequestKind, UnitKind
from handlers.buttons import Button, family

S, R = Audience.SECRETARY, Audience.RESIDENT_UNIT
Field = Literal["name", "kind", "contact", "offers"]

# The presses on a unit's card (and the list's entry to it), each naming the unit.
UnitOpen, UnitEdit, UnitInvite, AgreementOpen, AskOpen = family(
    S,
    "resident:open",
    "resident:edit",
    "resident:invite",
    "cobuild:agreement",
    "cobuild:ask",
    unit_id=int,
)
# A contact who no longer speaks for the unit: the card's button asks to confirm (the second).
ContactLeft, ContactLeftSure = family(
    S, "resident:contact-left", "resident:contact-left-sure", unit_id=int, person_id=int
)
# The steps' buttons without data: a new unit, the answers that end a step, the reviews.
UnitNew, OffersDone, NoContact, UnitSubmit, AgreementSubmit, AskSubmit = family(
    S,
    "resident:new",
    "resident:offers-done",
    "resident:no-contact",
    "resident:submit",
    "cobuild:agreement-ok",
    "cobuild:ask-ok",
)
# The unit contact's answer to a request, and the review of the yearly opinion.
Accept, Decline = family(R, "cobuild:accept", "cobuild:decline", request_id=int)
(OpinionSubmit,) = family(R, "cobuild:opinion-ok")


class KindPick(Button, prefix="resident:kind", audience=S):
    kind: UnitKind


class OfferToggle(Button, prefix="resident:offer", audience=S):
    offer: Offer


class FieldPick(Button, prefix="resident:field", audience=S):
    field: Field


class AskKind(Button, prefix="cobuild:ask-kind", audience=S):
    kind: RequestKind
