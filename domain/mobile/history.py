"""What every step of a registration shares: who may take it, its entry in the
registration's history and in the audit log, and word to the member."""

from __future__ import annotations

import aiosqlite

from domain import notices
from domain.access import Actor, require
from domain.errors import Conflict, NotAllowed, NotFound
from domain.mobile.models import Registration, RegStatus
from domain.models import Person, Role
from storage import audit
from storage import mobile as store


async def happened(
    conn: aiosqlite.Connection,
    registration_id: int,
    branch_id: int,
    kind: str,
    actor_id: int,
    note: str | None = None,
    **details: object,
) -> None:
    """One step of a registration, in its own history and in the audit log together. The
    note (contacts, reasons) stays in the history only, which departure erases; the
    append-only audit log just says there was one."""
    await store.add_event(conn, registration_id, kind, actor_id, note)
    await audit.record(
        conn,
        action=f"mobile.{kind}",
        subject_type="mobile_registration",
        subject_id=registration_id,
        actor_id=actor_id,
        branch_id=branch_id,
        noted=note is not None,
        **details,
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


async def own_active(conn: aiosqlite.Connection, actor: Actor, registration_id: int):
    person = as_member(actor)
    registration = await store.get(conn, registration_id)
    if registration is None or registration.person_id != person.id:
        raise NotFound("registration_unknown")
    if registration.status is not RegStatus.ACTIVE:
        raise Conflict("registration_not_active")
    return person, registration


async def as_secretary(
    conn: aiosqlite.Connection, actor: Actor, registration_id: int
) -> tuple[Person, Registration]:
    registration = await store.get(conn, registration_id)
    if registration is None:
        raise NotFound("registration_unknown")
    return require(actor, Role.SECRETARY, registration.branch_id), registration
