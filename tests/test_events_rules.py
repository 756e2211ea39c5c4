"""Event rules without Telegram: codes, windows, presence, the 60 % rule, .ics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain import events
from domain.activity import ActivityKind, Event, Rsvp
from domain.errors import Conflict, InvalidInput
from tests.refusals import refusal
from tests.world import branch_with_member

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
EVENT = Event(
    id=7,
    branch_id=1,
    title="党课：学习党章",
    kind=ActivityKind.LESSON,
    starts_at=START,
    ends_at=START + timedelta(hours=2),
    place="社区活动室",
    latitude=30.2741,
    longitude=120.1551,
    capacity=None,
    open_to_cadres=True,
    open_to_inflow=True,
    secret="s3cret",
)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def two_hours_at_start(member, title: str, kind: ActivityKind) -> events.Draft:
    """An event of the member's branch from START, two hours long."""
    return events.Draft(
        branch_id=member.person.branch_id,
        title=title,
        kind=kind,
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        place="社区",
    )


def test_the_code_rotates_and_is_the_same_for_everyone():
    code, until = events.current_code(EVENT, at(1))
    assert len(code) == 6 and code.isdigit()
    assert events.current_code(EVENT, at(2))[0] == code
    assert until == START + timedelta(minutes=5)
    assert events.current_code(EVENT, at(5))[0] != code
    other = Event(**{**EVENT.__dict__, "id": 8})
    assert events.current_code(other, at(1))[0] != code


def test_a_code_is_accepted_now_and_just_after_it_rotated():
    code, _ = events.current_code(EVENT, at(1))
    events.check_code(EVENT, code, at(1))
    events.check_code(EVENT, f" {code[:3]} {code[3:]} ", at(6))  # previous step still fine
    with pytest.raises(InvalidInput, match="code_expired"):
        events.check_code(EVENT, code, at(11))
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(InvalidInput, match="code_wrong"):
        events.check_code(EVENT, wrong, at(1))
    for bad in ("abc", "12345", "1234567", ""):
        with pytest.raises(InvalidInput, match="code_format"):
            events.check_code(EVENT, bad, at(1))


def test_codes_exist_only_in_the_window():
    events.current_code(EVENT, at(-30))
    events.current_code(EVENT, at(150))
    for outside in (-31, 151):
        with pytest.raises(Conflict, match="event_not_open"):
            events.current_code(EVENT, at(outside))
    code = events.code_for_step(EVENT, int(at(-40).timestamp()) // events.CODE_STEP_SECONDS)
    with pytest.raises(Conflict, match="event_not_open"):
        events.check_code(EVENT, code, at(-40))


def test_location_must_be_live_and_near():
    events.check_location(EVENT, 30.2750, 120.1560, live=True)  # about 130 m
    with pytest.raises(InvalidInput, match="location_too_far") as caught:
        events.check_location(EVENT, 30.2841, 120.1551, live=True)  # about 1.1 km
    assert 1100 < caught.value.params["distance"] < 1125
    with pytest.raises(InvalidInput, match="location_not_live"):
        events.check_location(EVENT, 30.2741, 120.1551, live=False)
    unplaced = Event(**{**EVENT.__dict__, "latitude": None, "longitude": None})
    with pytest.raises(Conflict, match="event_no_location"):
        events.check_location(unplaced, 30.2741, 120.1551, live=True)


@pytest.mark.parametrize(
    ("checked_in", "checked_out", "half_hours"),
    [
        (-20, 130, 4),  # early and late: capped by the event's length
        (0, 120, 4),
        (0, 90, 3),
        (30, 102, 2),  # 72 minutes = 60 % exactly: credited, rounded down to 1 h
        (30, 101, 0),  # 71 minutes: under 60 %, nothing
        (0, 60, 0),
        (130, 140, 0),
    ],
)
def test_presence_earns_verified_hours_from_60_percent(checked_in, checked_out, half_hours):
    assert events.credited_half_hours(EVENT, at(checked_in), at(checked_out)) == half_hours


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("明天下午", "when_invalid"),
        ("2026-12-01 16:00-14:00", "when_end_before_start"),
        ("2026-12-01 06:00-19:00", "when_too_long"),
        ("2026-11-20 14:00-16:00", "when_in_past"),
        ("2026-12-01 25:00-26:00", "when_invalid"),
    ],
)
def test_bad_event_times(typed, code):
    assert refusal(events.parse_when, typed, START - timedelta(days=5), SHANGHAI) == code


def test_event_times_are_read_in_the_bot_zone():
    start, end = events.parse_when("12月1日 14:00～16:30", START - timedelta(days=5), SHANGHAI)
    assert start == START and end == START + timedelta(hours=2, minutes=30)


def test_ics_file():
    text = events.ics(EVENT, START - timedelta(days=1))
    assert "DTSTART:20261201T060000Z\r\n" in text and "DTEND:20261201T080000Z\r\n" in text
    assert "SUMMARY:党课：学习党章" in text and text.endswith("END:VCALENDAR\r\n")
    assert "GEO:30.274100;120.155100" in text
    long = events.ics(Event(**{**EVENT.__dict__, "title": "学习" * 30}), START)
    lines = long.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "".join(line.removeprefix(" ") for line in lines).count("学习" * 30) == 1


async def test_event_hours_never_push_a_day_past_24_hours(tmp_path):
    from domain import hours
    from domain.activity import CheckMethod
    from storage.db import Database

    async with Database(tmp_path / "e.db") as db:
        secretary, member = await branch_with_member(db)
        draft = two_hours_at_start(member, "志愿服务", ActivityKind.VOLUNTEER)
        created = await events.create(db, secretary, draft, START - timedelta(days=1))
        assert [p.display_name for p in created.invitees] == ["李明"]
        day = START.astimezone(SHANGHAI).date()
        for half_hours in (24, 22):
            work = hours.Draft(ActivityKind.OTHER, day, half_hours, "值班")
            await hours.log(db, member, work, today=day)
        event = created.event
        await events.check_in(
            db, member, event.id, events.Proof(code=events.current_code(event, at(0))[0]), at(0)
        )
        code = events.current_code(event, at(120))[0]
        done = await events.check_out(
            db, member, event.id, events.Proof(code=code), at(120), SHANGHAI
        )
        assert done.attendance.method_out is CheckMethod.CODE
        assert done.record is not None and done.record.half_hours == 2  # one hour fits
        assert await db.fetchval("SELECT SUM(half_hours) FROM hour_records") == 48


async def test_invitations_and_reminders_are_queued_with_what_causes_them(tmp_path, monkeypatch):
    from storage.db import Database

    async with Database(tmp_path / "e.db") as db:
        secretary, member = await branch_with_member(db)
        draft = two_hours_at_start(member, "党课", ActivityKind.LESSON)
        keys = "SELECT key FROM outbox ORDER BY id"

        async def crash(*_args, **_kwargs):
            raise RuntimeError("the bot died before the commit")

        monkeypatch.setattr(events.store, "eligible_people", crash)
        with pytest.raises(RuntimeError):
            await events.create(db, secretary, draft, START - timedelta(days=1))
        assert await db.fetchall(keys) == []
        assert await db.fetchval("SELECT COUNT(*) FROM events") == 0

        monkeypatch.undo()
        created = await events.create(db, secretary, draft, START - timedelta(days=1), SHANGHAI)
        event, person = created.event, member.person
        assert [r["key"] for r in await db.fetchall(keys)] == [
            f"event-invite:{event.id}:{person.id}"
        ]
        await events.answer(db, member, event.id, Rsvp.GOING, START - timedelta(days=1))
        branch_id = person.branch_id
        before = START - timedelta(hours=2)
        assert await events.run(db, branch_id, before - timedelta(minutes=1), SHANGHAI) == 0
        assert await events.run(db, branch_id, before, SHANGHAI) == 1
        assert await events.run(db, branch_id, before, SHANGHAI) == 0, "queued once"
        assert await events.run(db, branch_id + 1, before, SHANGHAI) == 0, "not another branch's"
        assert [r["key"] for r in await db.fetchall(keys)][1:] == [
            f"event-reminder:{event.id}:{person.id}"
        ]


def test_the_wait_after_wrong_codes():
    from domain.guesses import MAX_WRONG_CODES, wait_after_wrong_codes

    now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    minutes = [timedelta(minutes=m) for m in (9.5, 8, 3, 2, 1)]
    assert wait_after_wrong_codes([now - m for m in minutes[1:]], now) == 0
    assert MAX_WRONG_CODES == 5
    assert wait_after_wrong_codes([now - m for m in minutes], now) == 1  # 9.5 → 30 s left
    assert wait_after_wrong_codes([now - m for m in minutes[1:]] + [now], now) == 2
    # older than ten minutes: forgotten
    assert wait_after_wrong_codes([now - timedelta(minutes=11)] * 5, now) == 0
