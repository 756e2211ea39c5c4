"""The end of a registration: an outflow member comes back and hands in the certificate,
or an inflow member moves on."""

from __future__ import annotations

from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict
from domain.i18n import N_
from domain.mobile.certificates import revoke_current
from domain.mobile.history import as_secretary, happened, own_active, tell_member
from domain.mobile.models import Direction, Registration, RegStatus
from domain.unit_of_work import UnitOfWork, unit_of_work
from storage import mobile as store
from storage.db import Database, iso, utcnow

# Outbox template; its renderer is in handlers/mobile/messages.py.
RETURN_TEMPLATE = "mobile.return"


@effect
async def request_return(db: Database, actor: Actor, registration_id: int) -> Registration:
    """The member is back (返回); the outflow ends when the secretary has the certificate."""
    async with unit_of_work(db, actor) as work:
        registration = await own_active(work, registration_id)
        if registration.direction is not Direction.OUTFLOW:
            raise Conflict("registration_not_active")
        await store.set_status(work.conn, registration.id, (RegStatus.ACTIVE,), RegStatus.RETURNING)
        await happened(work, registration.id, "return_requested")
        updated = await store.get(work.conn, registration.id)
        await work.tell_secretaries(
            f"mobile-return:{registration.id}",
            template=RETURN_TEMPLATE,
            params={"registration": registration.id, "name": registration.person_name},
        )
    assert updated is not None
    return updated


@effect
async def confirm_return(db: Database, actor: Actor, registration_id: int) -> Registration:
    """The secretary has the certificate back: the outflow is closed, the certificate void."""
    async with unit_of_work(db, actor) as work:
        registration = await as_secretary(work, registration_id)
        if not await _close(work, registration, RegStatus.RETURNING):
            raise Conflict("registration_decided")
        await revoke_current(work, registration, None)
        text = N_(
            "The secretary has received your certificate. Your outflow registration is closed. "
            "Welcome home!"
        )
        return await _closed(work, registration, "returned", text)


@effect
async def end_inflow(db: Database, actor: Actor, registration_id: int) -> Registration:
    """The member has moved on from the community; the branch no longer counts them."""
    async with unit_of_work(db, actor) as work:
        registration = await as_secretary(work, registration_id)
        if registration.direction is not Direction.INFLOW or not await _close(
            work, registration, RegStatus.ACTIVE
        ):
            raise Conflict("registration_not_active")
        text = N_(
            "The branch secretary has closed your inflow registration, as you have moved away. "
            "Thank you for taking part in the branch's work here."
        )
        return await _closed(work, registration, "ended", text)


async def _close(work: UnitOfWork, registration: Registration, expected: RegStatus) -> bool:
    """False when the registration was no longer `expected` (someone was first)."""
    return await store.set_status(
        work.conn, registration.id, (expected,), RegStatus.CLOSED, closed_at=iso(utcnow())
    )


async def _closed(
    work: UnitOfWork, registration: Registration, kind: str, text: str
) -> Registration:
    """The closing step in the history, and the member told with `text`."""
    await happened(work, registration.id, kind)
    updated = await store.get(work.conn, registration.id)
    await tell_member(work.conn, registration, f"{kind}:{registration.id}", text=text)
    assert updated is not None
    return updated
