"""The one write path: the role checked on the server, the change, its audit entry and its
notifications commit together or not at all."""

from __future__ import annotations

import pytest

from domain import admin
from domain.access import actor
from domain.errors import NotAllowed
from domain.models import Category, PersonStatus, Role
from domain.unit_of_work import UnitOfWork, unit_of_work
from storage import people
from storage.db import Database


async def _world(db: Database):
    home = await admin.add_branch(db, "东门社区支部")
    other = await admin.add_branch(db, "西门社区支部")
    await admin.add_secretary(db, home.id, 100, "王书记")
    async with db.transaction() as conn:
        member_id = await people.insert(
            conn,
            telegram_id=200,
            branch_id=home.id,
            name="李党员",
            phone=None,
            category=Category.RESIDENT,
            status=PersonStatus.ACTIVE,
        )
        await people.grant_role(conn, member_id, home.id, Role.MEMBER)
    return home, other


async def _count(db: Database, table: str) -> int:
    return await db.fetchval(f"SELECT COUNT(*) FROM {table}")


async def test_the_audit_entry_names_who_acted_and_the_branch(tmp_path):
    async with Database(tmp_path / "u.db") as db:
        home, _ = await _world(db)
        secretary = await actor(db, 100)
        async with unit_of_work(db, secretary) as work:
            work.require(Role.SECRETARY, home.id)
            await work.audit("test.done", "branch", home.id, note="x")
            queued = await work.tell_secretaries("test-notice", text="hello")
        row = await db.fetchone(
            "SELECT actor_id, branch_id, action FROM audit_log WHERE action = 'test.done'"
        )
        assert tuple(row) == (secretary.person.id, home.id, "test.done")
        assert queued == 1
        assert await db.fetchval("SELECT chat_id FROM outbox WHERE key LIKE 'test-notice%'") == 100


@pytest.mark.parametrize("who", [200, 999])  # a member; someone the bot does not know
async def test_someone_without_the_role_changes_nothing(tmp_path, who):
    async with Database(tmp_path / "u.db") as db:
        home, _ = await _world(db)
        audits = await _count(db, "audit_log")
        with pytest.raises(NotAllowed):
            async with unit_of_work(db, await actor(db, who), role=Role.SECRETARY) as work:
                await work.audit("test.done", "branch", home.id)
        assert await _count(db, "audit_log") == audits


async def test_a_secretary_of_one_branch_may_not_act_in_another(tmp_path):
    async with Database(tmp_path / "u.db") as db:
        _, other = await _world(db)
        with pytest.raises(NotAllowed):
            async with unit_of_work(db, await actor(db, 100)) as work:
                work.require(Role.SECRETARY, other.id)


async def test_a_failure_after_the_change_leaves_no_audit_entry_and_no_notice(tmp_path):
    async with Database(tmp_path / "u.db") as db:
        home, _ = await _world(db)
        audits, queued = await _count(db, "audit_log"), await _count(db, "outbox")
        with pytest.raises(RuntimeError):
            async with unit_of_work(db, await actor(db, 100)) as work:
                work.require(Role.SECRETARY, home.id)
                await work.audit("test.done", "branch", home.id)
                await work.tell(200, "test-notice", text="hello")
                raise RuntimeError("the storage call after them failed")
        assert (await _count(db, "audit_log"), await _count(db, "outbox")) == (audits, queued)


async def test_work_joining_a_transaction_commits_and_fails_with_it(tmp_path):
    async with Database(tmp_path / "u.db") as db:
        home, _ = await _world(db)
        member = await people.by_telegram_id(db, 200)
        async with db.transaction() as conn:
            work = UnitOfWork.joining(conn, by=member.id, branch_id=home.id)
            await work.audit("test.joined", "branch", home.id)
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await UnitOfWork.joining(conn).audit("test.rolled_back", "branch", home.id)
                raise RuntimeError("the caller's change failed")
        row = await db.fetchone(
            "SELECT actor_id, branch_id FROM audit_log WHERE action = ?", ("test.joined",)
        )
        assert tuple(row) == (member.id, home.id)
        rolled_back = "SELECT COUNT(*) FROM audit_log WHERE action = 'test.rolled_back'"
        assert await db.fetchval(rolled_back) == 0


async def test_without_an_actor_the_audit_names_whom_the_work_is_by(tmp_path):
    async with Database(tmp_path / "u.db") as db:
        home, _ = await _world(db)
        applicant = await people.by_telegram_id(db, 200)
        async with unit_of_work(db, None, by=applicant.id, branch_id=home.id) as work:
            await work.audit("test.by", "branch", home.id)
        row = await db.fetchone(
            "SELECT actor_id, branch_id FROM audit_log WHERE action = ?", ("test.by",)
        )
        assert tuple(row) == (applicant.id, home.id)
