"""What every step of a registration shares: who may take it, its entry in the
registration's history and in the audit log, and word to the member."""

from __future__ import annotations

import aiosqlite

from domain import notices
from domain.access import Actor
from domain.errors import Conflict, NotAllowed, NotFound
from domain.mobile.models import Registration, RegStatus
from domain.models import Person, Role
from domain.unit_of_work import UnitOfWork
from storage import mobile as store


async def happened(
    work: UnitOfWork, registration_id: int, kind: str, note: str | None = None, **details: object
) -> None:
    """One step of a registration, by the work's person, in its own history and in the
    audit log together. The note (contacts, reasons) stays in the history only, which
    departure erases; the append-only audit log just says there was one."""
    assert work.person is not None
    await store.add_event(work.conn, registration_id, kind, work.person.id, note)
    await work.audit(
        f"mobile.{kind}", "mobile_registration", registration_id, noted=note is not None, **details
    )


async def tell_member(
    conn: aiosqlite.Connection, registration: Registration, key: str, **message: object
) -> int:
    return await notices.to_person(
        conn,
        registration.person_telegram_id,
        f"mobile-{key}",
        branch_id=registration.branch_id,
        **message,
    )


def as_member(actor: Actor) -> Person:
    if not actor.member:
        raise NotAllowed("mobile_members_only")
    return actor.person


async def own_active(work: UnitOfWork, registration_id: int) -> Registration:
    """The member's own active registration; the work is then that registration's branch's."""
    person = as_member(work.actor)
    registration = await store.get(work.conn, registration_id)
    if registration is None or registration.person_id != person.id:
        raise NotFound("registration_unknown")
    if registration.status is not RegStatus.ACTIVE:
        raise Conflict("registration_not_active")
    work.branch_id = registration.branch_id
    return registration


async def as_secretary(work: UnitOfWork, registration_id: int) -> Registration:
    """The registration, for a secretary of its own branch only."""
    registration = await store.get(work.conn, registration_id)
    if registration is None:
        raise NotFound("registration_unknown")
    work.require(Role.SECRETARY, registration.branch_id)
    return registration
