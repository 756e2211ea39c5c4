"""Secretaries from the command line while the bot runs: named, listed, removed, replaced,
and their command menus published or withdrawn at once (issue 14)."""

from __future__ import annotations

import asyncio

from tests.conftest import invite, onboard
from tests.console_helpers import sent_file, sheet_rows
from tests.test_cli import partybot
from tests.test_contacts import chat_menu

SECRETARY_ONLY = {"broadcast", "pending", "import", "export", "audit"}


async def cli(bot, tmp_path, *args: str):
    """`partybot …` in its own process on the running bot's database."""
    url = f"sqlite:///{bot.settings.database_path}"
    return await asyncio.to_thread(partybot, tmp_path, *args, DATABASE_URL=url)


async def menu_becomes(bot, telegram_id: int, check, timeout: float = 10.0) -> list[str]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check(chat_menu(bot.server, telegram_id) or []):
        assert loop.time() < deadline, chat_menu(bot.server, telegram_id)
        await asyncio.sleep(0.1)
    return chat_menu(bot.server, telegram_id) or []


async def test_a_secretary_added_while_the_bot_runs_is_named_and_gets_the_menu_at_once(
    bot, branch, tmp_path
):
    wang = bot.person("芳")
    await wang.send("/help")  # a stranger so far, with the strangers' menu
    added = await cli(
        bot, tmp_path, "secretary", "add", "--branch", str(branch.id), "--telegram-id",
        str(wang.id), "--name", "王芳",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    menu = await menu_becomes(bot, wang.id, lambda m: set(m) >= SECRETARY_ONLY)
    assert "posts" in menu and "hours" in menu  # administration, not a member's menu

    # Named from the start: the audit log shows the name, the roster has no row for them.
    applicant = bot.person("李")
    await onboard(applicant, await invite(bot, branch.id), "李明", "13800138000", "居民党员")
    await wang.press("✅ 通过")
    await wang.send("/audit")
    assert "王芳 · " in wang.last_text and "#" not in wang.last_text.split("\n", 2)[1]
    await wang.send("/export")
    await wang.press("党员名册")
    rows = sheet_rows(sent_file(wang.last)[1])[1:]
    assert [r[1] for r in rows] == ["李明"]

    listed = await cli(bot, tmp_path, "secretary", "list", "--branch", str(branch.id))
    assert listed.returncode == 0, listed.stderr
    assert f"\t{wang.id}\t王芳" in listed.stdout and f"\t{branch.secretary.id}\t" in listed.stdout


async def test_the_last_secretary_stays_and_a_replacement_takes_over_at_once(bot, branch, tmp_path):
    old = branch.secretary
    await old.send("/start")
    refused = await cli(
        bot, tmp_path, "secretary", "remove", "--branch", str(branch.id), "--telegram-id",
        str(old.id),
    )  # fmt: skip
    assert refused.returncode == 1
    assert "last secretary of branch" in refused.stderr and "secretary replace" in refused.stderr

    applicant = bot.person("李")
    await onboard(applicant, await invite(bot, branch.id), "李明", "13800138000", "居民党员")
    old_card = old.message_with_button("✅ 通过")

    new = bot.person("新手机")
    await new.send("/help")
    replaced = await cli(
        bot, tmp_path, "secretary", "replace", "--branch", str(branch.id), "--from",
        str(old.id), "--to", str(new.id),
    )  # fmt: skip
    assert replaced.returncode == 0, replaced.stderr

    # The old account lost every right at once: its card's buttons are refused.
    await old.press("✅ 通过", old_card)
    assert "书记" in old.answer
    await old.send("/pending", expecting="只有支部书记")
    await menu_becomes(bot, old.id, lambda m: m and not SECRETARY_ONLY & set(m))

    # The new one has the waiting application, with its buttons, and the menu.
    await bot.drain_outbox()
    assert any("您现在是幸福社区党支部的支部书记" in text for text in new.texts)
    await new.press("✅ 通过")
    assert "您加入幸福社区党支部的申请已通过" in applicant.last_text or any(
        "申请已通过" in text for text in applicant.texts
    )
    await menu_becomes(bot, new.id, lambda m: set(m) >= SECRETARY_ONLY)
    actions = await bot.db.fetchall(
        "SELECT action, subject_id, details FROM audit_log WHERE action LIKE 'secretary.%'"
    )
    assert [r["action"] for r in actions] == ["secretary.granted", "secretary.replaced"]

    # With a second secretary, one may go.
    await cli(
        bot, tmp_path, "secretary", "add", "--branch", str(branch.id), "--telegram-id",
        str(old.id), "--name", "王书记",
    )  # fmt: skip
    removed = await cli(
        bot, tmp_path, "secretary", "remove", "--branch", str(branch.id), "--telegram-id",
        str(new.id),
    )  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    await menu_becomes(bot, new.id, lambda m: m and not SECRETARY_ONLY & set(m))
