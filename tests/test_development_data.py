"""Member development's data below the chat: the migration's upgrade, what a departure
erases, whose /mydata holds what, the 考察 reminder job and the district's counts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from domain import departures, mydata
from domain.access import actor
from domain.departures import DepartureKind
from domain.development import cultivation, files, notices, progress, remind_reviews
from domain.development.rules import Stage
from storage import migrations
from storage.db import Database
from tests.test_departure_erasure import hits
from tests.world import active_person, branch_with_member, database_before

TODAY = date(2026, 9, 17)
NOTE, VOTE, OPINION = "考察期间表现突出", "应到18人赞成18票", "张三同志热心公益"


async def test_the_upgrade_to_0018_keeps_the_data_and_adds_the_tables(tmp_path):
    old = await database_before(
        tmp_path,
        "_development.sql",
        "INSERT INTO branches (id, name, code, created_at) VALUES (1, 'b', 'B0001', 'x');"
        "INSERT INTO people (id, branch_id, name, category, status, created_at, updated_at)"
        " VALUES (7, 1, '张三', 'activist', 'active', 'x', 'x');",
    )
    async with Database(old) as upgraded:
        assert await upgraded.schema_version() == migrations.latest_version()
        assert await upgraded.fetchval("SELECT category FROM people WHERE id = 7") == "activist"
        assert await upgraded.fetchval("SELECT COUNT(*) FROM development_files") == 0


async def _world(db: Database):
    """A branch: the secretary (1), 李明 (2) the 培养联系人, 赵强 (3), and 张三 (4), an
    activist whose file reached its first public notice, with a note, and an opinion."""
    secretary, li = await branch_with_member(db)
    branch_id = li.person.branch_id
    async with db.transaction() as conn:
        await active_person(conn, branch_id, 3, "赵强")
        await active_person(conn, branch_id, 4, "张三", category="activist")
    zhao, zhang = await actor(db, 3), await actor(db, 4)
    started = await files.start_activist(db, secretary, zhang.person.id, date(2024, 4, 1), TODAY)
    file_id = started.file.id
    await cultivation.toggle_introducer(db, secretary, file_id, li.person.id)
    await cultivation.add_review(db, li, file_id, date(2024, 10, 1), NOTE, TODAY)
    await cultivation.add_review(db, li, file_id, date(2025, 4, 1), "表现稳定。", TODAY)
    for key, day in (
        ("candidate", date(2025, 4, 2)),
        ("political_review", date(2025, 4, 3)),
        ("training", date(2025, 4, 4)),
    ):
        await files.record_step(db, secretary, file_id, key, day, None, TODAY)
    notice = await notices.start(
        db, secretary, file_id, date(2026, 9, 22), "王书记 0571-1", TODAY, "b"
    )
    await notices.send_opinion(db, zhao, notice.id, OPINION, TODAY)
    return secretary, li, zhao, zhang, file_id, notice


async def test_nothing_of_a_file_is_in_anyone_elses_mydata(tmp_path):
    async with Database(tmp_path / "d.db") as db:
        secretary, li, zhao, zhang, _file_id, _notice = await _world(db)
        now = datetime(2026, 9, 17, tzinfo=UTC)
        own = json.dumps(await mydata.collect(db, zhang, now), ensure_ascii=False)
        assert NOTE in own and '"candidate"' in own
        assert OPINION not in own and "赵强" not in own  # the opinions' senders: secretaries'
        for other in (secretary, li, zhao):
            found = json.dumps(await mydata.collect(db, other, now), ensure_ascii=False)
            for secret in ("张三", NOTE, "development_file", "development_notice"):
                assert secret not in found, (other.person.name, secret)
        sender = await mydata.collect(db, zhao, now)
        assert sender["development"]["opinions_sent"] == 1


async def test_a_departure_closes_the_file_and_erases_its_texts(tmp_path):
    async with Database(tmp_path / "d.db") as db:
        secretary, li, _zhao, zhang, file_id, notice = await _world(db)
        await departures.record(db, secretary, zhang.person.id, DepartureKind.WITHDREW, TODAY)
        for secret in (NOTE, OPINION):
            assert await hits(db, secret) == [], secret
        found = await files.load(db, file_id)
        assert found.closed and found.stage is Stage.CANDIDATE  # the counts stay
        assert (await notices.info(db, notice.id)).outcome == "withdrawn"
        assert (await progress(db, secretary.person.branch_id, TODAY)).per_stage[
            Stage.CANDIDATE
        ] == 0
        # An introducer who leaves is no longer anyone's 培养联系人.
        await departures.record(db, secretary, li.person.id, DepartureKind.TRANSFER_OUT, TODAY)
        assert (await files.load(db, file_id)).introducers == []


async def test_the_review_reminder_goes_once_to_each_introducer(tmp_path):
    async with Database(tmp_path / "d.db") as db:
        secretary, li = await branch_with_member(db)
        branch_id = li.person.branch_id
        async with db.transaction() as conn:
            await active_person(conn, branch_id, 4, "张三", category="activist")
        zhang = await actor(db, 4)
        started = await files.start_activist(
            db, secretary, zhang.person.id, date(2026, 4, 1), TODAY
        )
        await cultivation.toggle_introducer(db, secretary, started.file.id, li.person.id)
        tz = ZoneInfo("Asia/Shanghai")
        early = datetime(2026, 9, 10, 2, tzinfo=UTC)  # due 1 October: three weeks ahead
        assert await remind_reviews(db, branch_id, early, tz) == 0
        due = datetime(2026, 9, 17, 2, tzinfo=UTC)
        assert await remind_reviews(db, branch_id, due, tz) == 1
        assert await remind_reviews(db, branch_id, due, tz) == 0
        counts = await progress(db, branch_id, date(2026, 10, 2))
        assert counts.per_stage[Stage.ACTIVIST] == 1 and counts.overdue == 1


async def test_an_applicant_who_is_no_member_can_be_recorded_as_leaving(tmp_path):
    async with Database(tmp_path / "d.db") as db:
        secretary, _li = await branch_with_member(db)
        branch_id = secretary.roles and next(iter(secretary.roles))[0]
        started = await files.start_applicant(
            db, secretary, branch_id, "钱进", date(2026, 9, 1), TODAY
        )
        (found,) = await departures.find(db, secretary, branch_id, "钱进")
        assert found.id == started.file.person_id
        await departures.record(db, secretary, found.id, DepartureKind.OTHER, TODAY)
        assert (await files.load(db, started.file.id)).closed
