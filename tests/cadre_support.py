"""Building cadres, units and registrations straight through the domain, for tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain import cadres
from domain.access import actor
from domain.activity import ActivityKind, CheckMethod, Draft, EventDraft, HourSource, HourStatus
from domain.models import Category, Role
from domain.post_models import ClaimStatus, Rating
from storage import events as event_store
from storage import hours as hour_store
from storage import posts as post_store
from storage.db import Database
from tests.world import active_person

_next_telegram_id = [900_000]

#: The six days a cadre who never registers is reminded in 2026, weekly on working days.
REMINDED_IN_2026 = [
    date(2026, 1, 4),
    date(2026, 1, 12),
    date(2026, 1, 19),
    date(2026, 1, 26),
    date(2026, 2, 2),
    date(2026, 2, 9),
]


async def member(
    db: Database, branch_id: int, name: str, *, cadre: bool = True, telegram_id: int | None = None
) -> int:
    """An active member of a branch; returns their Telegram id."""
    if telegram_id is None:
        _next_telegram_id[0] += 1
        telegram_id = _next_telegram_id[0]
    async with db.transaction() as conn:
        await active_person(
            conn,
            branch_id,
            telegram_id,
            name,
            category=Category.CADRE if cadre else Category.RESIDENT,
            role=Role.CADRE if cadre else Role.MEMBER,
            phone="13800138000",
        )
    return telegram_id


def facts(name: str, unit_id: int | None, **changes: object) -> cadres.Facts:
    values: dict = dict(
        name=name,
        unit_id=unit_id,
        unit_name=None,
        position="局长",
        rank="division",
        address="幸福路 1 号 2 单元",
        phone="13800138000",
    )
    return cadres.Facts(**(values | changes))


async def registered(
    db: Database,
    telegram_id: int,
    secretary_telegram_id: int,
    unit_id: int | None,
    year: int = 2026,
    **changes: object,
) -> int:
    """Submit and confirm a registration; returns the person id."""
    me = await actor(db, telegram_id)
    submitted = await cadres.submit(db, me, facts(me.person.name, unit_id, **changes), year)
    secretary = await actor(db, secretary_telegram_id)
    await cadres.decide(db, secretary, submitted.registration.id, approve=True)
    return me.person.id


async def hours(
    db: Database,
    person_id: int,
    branch_id: int,
    day: date,
    half_hours: int,
    *,
    verified: bool = True,
) -> None:
    """Volunteer hours as the hours feature records them (verified, else attested)."""
    async with db.transaction() as conn:
        status = HourStatus.VERIFIED if verified else HourStatus.PENDING
        volunteer = Draft(ActivityKind.VOLUNTEER, day, half_hours, "社区志愿服务")
        await hour_store.insert(conn, person_id, branch_id, volunteer, status, HourSource.SELF)


async def event(
    db: Database, branch_id: int, starts_at: datetime, *, open_to_cadres: bool = True
) -> int:
    async with db.transaction() as conn:
        lesson = EventDraft(
            branch_id,
            "主题党日",
            ActivityKind.LESSON,
            starts_at,
            starts_at + timedelta(hours=2),
            "党群服务中心",
            open_to_cadres=open_to_cadres,
        )
        return await event_store.insert(conn, lesson, "s", None)


async def attended(db: Database, person_id: int, branch_id: int, starts_at: datetime) -> int:
    """An event of the branch that the person checked in to; returns the event id."""
    event_id = await event(db, branch_id, starts_at)
    async with db.transaction() as conn:
        await event_store.check_in(conn, event_id, person_id, starts_at, CheckMethod.SECRETARY)
    return event_id


async def post_held(
    db: Database, person_id: int, branch_id: int, name: str, year: int, rating: Rating | None
) -> None:
    """An approved post for the year, assessed with `rating` if given."""
    now = datetime(year, 3, 1, tzinfo=UTC)
    async with db.transaction() as conn:
        post_id = await post_store.add_post(conn, branch_id, name, 2, now)
        claim_id = await post_store.insert_claim(
            conn, post_id, person_id, year, ClaimStatus.PENDING, now
        )
        claim = await post_store.get_claim(conn, claim_id)
        await post_store.set_claim_status(conn, claim, ClaimStatus.APPROVED, now)
        if rating is not None:
            claim = await post_store.get_claim(conn, claim_id)
            await post_store.save_assessment(conn, claim, rating, "", None, now)
