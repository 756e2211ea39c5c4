"""Departure reaches the features' tables: every personal field goes, the counts stay."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain import appraisal, departures, mobile, outbox
from domain.access import actor
from domain.appraisal.models import Stage
from domain.mobile.models import Direction
from domain.post_models import Rating
from storage import feature_exports, inbox, people
from storage.db import Database
from tests import cadre_support
from tests.console_helpers import sent_file

TODAY = date(2026, 5, 4)
NAME = "赵大山"
# Everything personal the features were given, apart from the name.
SECRETS = [
    "13912345678",
    "文三路99号",
    "杭州某某科技公司",
    "胜利街88号",
    "13700001111",
    "已电话联系",
    "本人年度个人总结",
    "评议意见：热心肠",
    "支部评语：须改进",
    "跟踪：已谈话",
]


async def columns(db: Database) -> list[tuple[str, str]]:
    if db.engine == "postgresql":
        found = await db.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        )
        return [(r[0], r[1]) for r in found]
    return [
        (table, column["name"])
        for (table,) in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        for column in await db.fetchall(f"PRAGMA table_info({table})")
    ]


async def hits(db: Database, needle: str) -> list[str]:
    """Every table.column whose text holds `needle`."""
    found = []
    for table, name in await columns(db):
        text = f"CAST({name} AS TEXT)"
        count = await db.fetchval(
            f"SELECT COUNT(*) FROM {table} WHERE replace({text}, ?, '') <> {text}", (needle,)
        )
        if count:
            found.append(f"{table}.{name}")
    return found


async def totals(db: Database, branch_id: int) -> dict:
    """The branch's history as its exports count it."""
    hours = await feature_exports.hours_per_member(db, branch_id, "2000-01-01", "2100-01-01")
    attended = await feature_exports.attendance(db, branch_id, "2000", "2100")
    held = await feature_exports.post_holders(db, branch_id)
    return {
        "hours": sum(r["verified"] for r in hours),
        "attendance": sum(1 for r in attended if r["checked_in_at"]),
        "posts": sum(1 for r in held if r["status"] == "approved"),
        "certificates": [
            r[0] for r in await db.fetchall("SELECT number FROM mobile_certificates ORDER BY id")
        ],
        "registrations": await db.fetchval("SELECT COUNT(*) FROM cadre_registrations"),
        "versions": await db.fetchval("SELECT COUNT(*) FROM mobile_versions"),
        "appraisal": [
            tuple(r)
            for r in await db.fetchall(
                "SELECT a.grade, a.submitted_at IS NOT NULL, d.kind, d.deadline"
                " FROM appraisal_participants a LEFT JOIN appraisal_disposals d"
                " ON d.person_id = a.person_id"
            )
        ],
        "votes": await db.fetchval("SELECT SUM(votes) FROM appraisal_tallies"),
    }


async def a_member_with_everything(bot, branch):
    """A mobile member who is also a registered cadre, with hours, an event and a post."""
    account = bot.person("赵")
    await cadre_support.member(bot.db, branch.id, NAME, telegram_id=account.id)
    me = await actor(bot.db, account.id)
    secretary = await actor(bot.db, branch.secretary.id)
    person_id = me.person.id
    details = {
        "destination": "浙江省杭州市",
        "address": "西湖区文三路99号",
        "employer": "杭州某某科技公司",
        "departure": "2026-03-15",
        "expected_return": "2026-09-01",
        "reason": "务工",
        "phone": "13912345678",
    }
    submitted = await mobile.submit(bot.db, me, Direction.OUTFLOW, details, TODAY)
    registration_id = submitted.registration.id
    await mobile.decide(bot.db, secretary, registration_id, approve=True, today=TODAY)
    me = await actor(bot.db, account.id)
    reported = await mobile.report(
        bot.db,
        me,
        registration_id,
        {"whereabouts": "住在文三路99号", "study": "学习", "activities": "志愿"},
        {"address": "滨江区胜利街88号"},
        TODAY,
    )
    assert reported.change is not None
    await mobile.decide_change(bot.db, secretary, reported.change.id, approve=True)
    await mobile.mark_contacted(bot.db, secretary, registration_id, "已电话联系 13912345678")
    await cadre_support.registered(
        bot.db,
        account.id,
        branch.secretary.id,
        None,
        unit_name="县水利局",
        address="胜利街88号",
        phone="13700001111",
    )
    await cadre_support.hours(bot.db, person_id, branch.id, TODAY, 6)
    await cadre_support.attended(bot.db, person_id, branch.id, datetime(2026, 4, 1, 2, tzinfo=UTC))
    await cadre_support.post_held(
        bot.db, person_id, branch.id, "环境卫生岗", 2026, Rating.EXCELLENT
    )
    await appraised(bot.db, secretary, await actor(bot.db, account.id), branch.id, person_id)
    await bot.drain_outbox()
    return account, person_id


async def appraised(db, secretary, me, branch_id: int, person_id: int) -> None:
    """A round in which the person wrote a summary, was commented on, graded 不合格 with
    the branch's comment and given a deadline to correct, followed up."""
    round_id = (await appraisal.open_round(db, secretary, branch_id, 2026, TODAY)).round.id
    await appraisal.advance(db, secretary, round_id, Stage.STUDY)
    await appraisal.submit(db, me, round_id, text="本人年度个人总结：参加志愿服务")
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO appraisal_comments (id, round_id, ratee_id, text) VALUES (?, ?, ?, ?)",
            (2**40, round_id, person_id, "评议意见：热心肠"),
        )
        await conn.execute(
            "UPDATE appraisal_tallies SET votes = 5 WHERE ratee_id = ? AND grade = 'basic'",
            (person_id,),
        )
        await conn.execute(
            "UPDATE appraisal_participants SET grade = 'unqualified', grade_note = ?"
            " WHERE person_id = ?",
            ("支部评语：须改进", person_id),
        )
        await conn.execute(
            "INSERT INTO appraisal_disposals (round_id, person_id, kind, decided_on, deadline,"
            " follow_up) VALUES (?, ?, 'correct', '2026-05-01', '2026-08-01', '跟踪：已谈话')",
            (round_id, person_id),
        )


async def test_departure_erases_every_personal_field_and_keeps_the_counts(bot, branch):
    account, person_id = await a_member_with_everything(bot, branch)
    assert await bot.db.fetchval("SELECT COUNT(*) FROM mobile_versions") == 3
    for secret in SECRETS:
        assert await hits(bot.db, secret), secret
    before = await totals(bot.db, branch.id)

    await branch.secretary.send(f"/depart {NAME}")
    await branch.secretary.presses(
        "组织关系转出", "✅ 确认离开", expecting=f"已登记：{NAME}已离开支部（组织关系转出）"
    )
    assert "组织关系转出" in account.last_text  # told, then a stranger to the bot
    secretary = await actor(bot.db, branch.secretary.id)

    for secret in SECRETS:
        assert await hits(bot.db, secret) == [], secret
    assert await totals(bot.db, branch.id) == before
    # The name stays for the archive period, in the registers that need it (and for a day
    # in the updates received, which held the secretary's /depart).
    assert set(await hits(bot.db, NAME)) <= {
        "ptb_inbox.data",
        "people.name",
        "cadre_registrations.name",
        "mobile_certificates.holder",
        "outbox.params",
    }
    registration = await bot.db.fetchone(
        "SELECT status FROM mobile_registrations WHERE person_id = ?", (person_id,)
    )
    assert registration["status"] == "closed"
    entry = await bot.db.fetchone(
        "SELECT actor_id, details FROM audit_log WHERE action = 'person.departed'"
        " AND subject_id = ?",
        (person_id,),
    )
    assert entry["actor_id"] == secretary.person.id
    assert json.loads(entry["details"]) == {"kind": "transfer_out"}

    # The account is a stranger now: /mydata holds nothing of the person.
    await account.send("/mydata")
    content = sent_file(account.last)[1].decode()
    assert "profile" not in json.loads(content)
    assert all(s not in content for s in [NAME, *SECRETS])

    # After the archive period the name goes too; the counts still stand.
    left_on = date.fromisoformat(await bot.db.fetchval("SELECT left_on FROM departures"))
    later = left_on + timedelta(days=365 * departures.ARCHIVE_YEARS + 1)
    assert await departures.erase_expired(bot.db, later) == 1
    await inbox.prune(bot.db, datetime.combine(later, time(), UTC))
    assert await hits(bot.db, NAME) == []
    assert await totals(bot.db, branch.id) == before


async def test_the_mobile_history_stays_append_only(bot, branch):
    _, person_id = await a_member_with_everything(bot, branch)
    others = [
        "UPDATE mobile_versions SET details = '{}', report = NULL",  # not departed yet
        "DELETE FROM mobile_versions",
        "UPDATE mobile_events SET note = NULL",
        "DELETE FROM mobile_events",
    ]
    for statement in others:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with bot.db.transaction() as conn:
                await conn.execute(statement)
    secretary = await actor(bot.db, branch.secretary.id)
    await departures.record(bot.db, secretary, person_id, departures.DepartureKind.OTHER, TODAY)
    # Once the person left, only the erasure itself is let through.
    for statement in [
        "UPDATE mobile_versions SET version = version + 10",
        'UPDATE mobile_versions SET details = \'{"address": "x"}\'',
        "UPDATE mobile_events SET kind = 'x'",
        "UPDATE mobile_events SET note = 'x'",
        "DELETE FROM mobile_versions",
    ]:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with bot.db.transaction() as conn:
                await conn.execute(statement)
    assert await bot.db.fetchval("SELECT COUNT(*) FROM mobile_versions WHERE details = '{}'") == 3


async def test_a_member_leaving_is_not_told_of_anything_queued_before(bot, branch):
    account, person_id = await a_member_with_everything(bot, branch)
    async with bot.db.transaction() as conn:
        await outbox.enqueue(conn, key="later", chat_id=account.id, text="Branch news")
    me = await actor(bot.db, account.id)
    await departures.record(bot.db, me, None, departures.DepartureKind.OTHER, TODAY)
    queued = await bot.db.fetchone("SELECT status FROM outbox WHERE key = 'later'")
    assert queued["status"] == "unreachable"
    assert (await people.get(bot.db, person_id)).status.value == "left"
