"""A unit's contact who no longer speaks for it (docs/data-retention.md): the unit's record
stays (its agreements, the answers and opinions given in its name), the person goes at
once: phone, Telegram link, language, drafts, roles, invitations and the name (a contact
is in no register of members, so there is no archive period), and messages to them."""

from __future__ import annotations

from typing import Any

from domain.access import Actor
from domain.effects import effect
from domain.errors import NotFound
from domain.models import Person, Role
from domain.mydata import provider
from domain.resident_units import registry
from domain.unit_of_work import unit_of_work
from storage import departures
from storage import resident_units as store
from storage.db import Database, utcnow


@effect
async def contact_leaves(db: Database, actor: Actor, unit_id: int, person_id: int) -> Person:
    """The unit's branch's secretary records that this contact no longer speaks for it."""
    unit = await registry.unit_for_secretary(db, actor, unit_id)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=unit.branch_id) as work:
        contacts = {p.id: p for p in await store.contacts(work.conn, unit.id)}
        person = contacts.get(person_id)
        if person is None:
            raise NotFound("resident_contact_unknown")
        await departures.erase_contact(work.conn, person.id, person.telegram_id)
        # The features' erasures delete the resident_unit_contacts row with the rest.
        await departures.erase_features(work.conn, person.id, person.telegram_id, person.phone)
        await store.erase_name(work.conn, person.id, utcnow())
        await work.audit("resident_unit.contact_left", "resident_unit", unit.id, person=person.id)
    return person


@provider("resident_units")
async def _mydata(db: Database, telegram_id: int, person: Person | None) -> Any:
    if person is None:
        return None
    found = await store.contact_data(db, person.id)
    return found if any(found.values()) else None
