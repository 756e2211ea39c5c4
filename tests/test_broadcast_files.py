"""A broadcast's file lives in the database until it is delivered, and its progress message
is still edited after a restart."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time

import pytest

from handlers import broadcast
from tests.cadre_support import member

PHOTO = b"\x89PNG\r\n\x1a\n" + b"1" * 64


async def wait_for(predicate, attempts: int = 200) -> None:
    for _ in range(attempts):
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("it did not happen")


@pytest.mark.sqlite_only("the daily backup; PostgreSQL is backed up with pg_dump")
async def test_the_file_is_backed_up_and_dropped_once_delivered_even_after_a_restart(
    bot, branch, monkeypatch, tmp_path
):
    members = [bot.person(f"党员{i}") for i in range(3)]
    for i, someone in enumerate(members):
        await member(bot.db, branch.id, f"党员{i}", cadre=False, telegram_id=someone.id)
    drafts = bot.settings.database_path.parent / "broadcasts"
    stale = drafts / "old-draft.jpg"
    drafts.mkdir(exist_ok=True)
    stale.write_bytes(b"x")
    old = time.time() - broadcast.DRAFT_FILE_MAX_AGE - 60
    os.utime(stale, (old, old))

    # No progress tick before the restart: the bot stops right after the confirmation.
    monkeypatch.setattr(broadcast, "PROGRESS_SECONDS", 3600)
    secretary = branch.secretary
    await secretary.send("/broadcast")
    await secretary.send_photo(PHOTO, caption="本周楼道清扫安排见图。")
    await secretary.presses("全体党员", "📣 发送")
    assert all(m.last["caption"] == "本周楼道清扫安排见图。" for m in members)
    # The draft's file moved into the database, and so into its backups.
    assert [p for p in drafts.iterdir() if p != stale] == []
    copy = await bot.db.backup(tmp_path / "copy.db")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT file_content FROM broadcasts").fetchone()[0] == PHOTO
    shown = next(m for m in secretary.messages if m.get("text", "").startswith("正在发送"))
    assert shown["text"] == "正在发送公告：已发送 0 / 3"  # the secretary is no member

    monkeypatch.setattr(broadcast, "PROGRESS_SECONDS", 0.05)
    await bot.restart()

    async def finished() -> bool:
        return shown["text"].startswith("公告已发出")

    await wait_for(finished)
    assert shown["text"] == "公告已发出：已送达 3 人，无法送达 0 人，失败 0 人，共 3 人。"
    row = await bot.db.fetchone("SELECT file_content, finished_at FROM broadcasts")
    assert row["file_content"] is None and row["finished_at"] is not None
    assert not stale.exists()  # a draft nobody finished, removed at start-up


async def test_a_cancelled_draft_leaves_no_file(bot, branch):
    secretary = branch.secretary
    await secretary.send("/broadcast")
    await secretary.send_photo(PHOTO, caption="草稿")
    drafts = bot.settings.database_path.parent / "broadcasts"
    assert len(list(drafts.iterdir())) == 1
    await secretary.send("/cancel")
    assert list(drafts.iterdir()) == []
    assert await bot.db.fetchval("SELECT COUNT(*) FROM broadcasts") == 0
