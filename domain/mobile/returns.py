"""The end of a registration: an outflow member comes back and hands in the certificate,
or an inflow member moves on."""

from __future__ import annotations

from domain import notices
from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict
from domain.i18n import N_
from domain.mobile.certificates import revoke_current
from domain.mobile.history import as_secretary, happened, own_active, tell_member
from domain.mobile.models import Direction, Registration, RegStatus
from storage import mobile as store
from storage.db import Database, iso, utcnow

# Outbox template; its renderer is in handlers/mobile_secretary.py.
RETURN_TEMPLATE = "mobile.return"


@effect
async def request_return(db: Database, actor: Actor, registration_id: int) -> Registration:
    """The member is back (返回); the outflow ends when the secretary has the certificate."""
    async with db.transaction() as conn:
        person, registration = await own_active(conn, actor, registration_id)
        if registration.direction is not Direction.OUTFLOW:
            raise Conflict("registration_not_active")
        await store.set_status(conn, registration.id, (RegStatus.ACTIVE,), RegStatus.RETURNING)
        await happened(conn, registration.id, registration.branch_id, "return_requested", person.id)
        updated = await store.get(conn, registration.id)
        await notices.to_secretaries(
            conn,
            db,
            registration.branch_id,
            f"mobile-return:{registration.id}",
            template=RETURN_TEMPLATE,
            params={"registration": registration.id, "name": registration.person_name},
        )
    assert updated is not None
    return updated


@effect
async def confirm_return(db: Database, actor: Actor, registration_id: int) -> Registration:
    """The secretary has the certificate back: the outflow is closed, the certificate void."""
    async with db.transaction() as conn:
        secretary, registration = await as_secretary(conn, actor, registration_id)
        closed = await store.set_status(
            conn,
            registration.id,
            (RegStatus.RETURNING,),
            RegStatus.CLOSED,
            closed_at=iso(utcnow()),
        )
        if not closed:
            raise Conflict("registration_decided")
        await revoke_current(conn, secretary, registration, None)
        await happened(conn, registration.id, registration.branch_id, "returned", secretary.id)
        updated = await store.get(conn, registration.id)
        text = N_(
            "The secretary has received your certificate. Your outflow registration is closed. "
            "Welcome home!"
        )
        await tell_member(conn, registration, f"returned:{registration.id}", text=text)
    assert updated is not None
    return updated


@effect
async def end_inflow(db: Database, actor: Actor, registration_id: int) -> Registration:
    """The member has moved on from the community; the branch no longer counts them."""
    async with db.transaction() as conn:
        secretary, registration = await as_secretary(conn, actor, registration_id)
        if registration.direction is not Direction.INFLOW or not await store.set_status(
            conn, registration.id, (RegStatus.ACTIVE,), RegStatus.CLOSED, closed_at=iso(utcnow())
        ):
            raise Conflict("registration_not_active")
        await happened(conn, registration.id, registration.branch_id, "ended", secretary.id)
        updated = await store.get(conn, registration.id)
        text = N_(
            "The branch secretary has closed your inflow registration, as you have moved away. "
            "Thank you for taking part in the branch's work here."
        )
        await tell_member(conn, registration, f"ended:{registration.id}", text=text)
    assert updated is not None
    return updated
