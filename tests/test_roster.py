"""Roster import: the template, a file with mistakes, the corrected file, bad files."""

from __future__ import annotations

import asyncio
import time

from domain import spreadsheets
from domain.models import PersonStatus, Role
from domain.spreadsheets import read_table
from storage import people
from tests.conftest import invite, onboard
from tests.console_helpers import sent_file, sheet_rows, upload, wide_xlsx, xlsx


async def count_people(bot) -> int:
    return await bot.db.fetchval("SELECT COUNT(*) FROM people")


async def test_the_template_has_the_chinese_columns(bot, branch):
    secretary = branch.secretary
    await secretary.send("/import")
    name, content = sent_file(secretary.last)
    assert name == "党员名册模板.xlsx"
    rows = sheet_rows(content)
    assert rows[0][:4] == ("姓名*", "手机号*", "类别*", "入党日期")
    assert "发回" in secretary.last_text


async def test_import_with_errors_then_fixed_then_invitations_work(bot, branch):
    secretary = branch.secretary
    await secretary.send("/import")
    before = await count_people(bot)
    bad = xlsx(
        [
            ["李明", "13800138000", "居民党员", "2001-07-01"],
            ["张伟", "12345", "流动党员", "2005/7/1"],
            ["王芳", "13900139000", "神仙", "2010年7月1日"],
            ["赵强", "=A2", "居民党员", None],
            ["钱多", "13800138000", "居民", None],
            ["孙丽", "13700137000", "入党积极分子", "明天"],
            [None, "13600136000", "干部", None],
        ]
    )
    await upload(secretary, "名册.xlsx", bad)
    assert "发现 6 个问题" in secretary.last_text and "未导入任何内容" in secretary.last_text
    _, report = sent_file(secretary.last)
    problems = sheet_rows(report)
    assert problems[0] == ("行号", "列", "问题")
    found = {(r[0], r[1]) for r in problems[1:]}
    assert found == {
        (3, "手机号"),
        (4, "类别"),
        (5, "手机号"),
        (6, "手机号"),
        (7, "入党日期"),
        (8, "姓名"),
    }
    assert len(problems) == 7
    assert any("与第 2 行相同" in r[2] for r in problems[1:])
    assert any("公式" in r[2] for r in problems[1:])
    assert await count_people(bot) == before

    fixed = xlsx(
        [
            ["李明", "13800138000", "居民党员", "2001-07-01"],
            ["张伟", 13812345678, "流动党员", "2005/7/1"],
            ["王芳", "13900139000", "入党积极分子", "2010年7月"],
            ["赵强", "0571-87654321", "党员干部", None],
        ]
    )
    await upload(secretary, "名册.xlsx", fixed)
    assert "新增 4 人，已有 0 人" in secretary.last_text
    _, result = sent_file(secretary.last)
    rows = sheet_rows(result)
    assert rows[0] == ("行号", "姓名", "手机号", "结果", "邀请链接")
    links = {r[1]: r[4] for r in rows[1:]}
    assert all(link.startswith("https://t.me/") for link in links.values())
    assert await count_people(bot) == before + 4
    zhang = await bot.db.fetchone("SELECT * FROM people WHERE name = '张伟'")
    assert zhang["phone"] == "13812345678" and zhang["joined_on"] == "2005-07-01"
    assert zhang["status"] == "active" and zhang["branch_id"] == branch.id
    zhao = await bot.db.fetchone("SELECT * FROM people WHERE name = '赵强'")
    assert await people.roles_of(bot.db, zhao["id"]) == {(branch.id, Role.CADRE)}
    # 入党积极分子 are on the roster as candidates, with no member role.
    wang = await bot.db.fetchone("SELECT * FROM people WHERE name = '王芳'")
    assert wang["category"] == "activist" and await people.roles_of(bot.db, wang["id"]) == set()
    assert await people.roles_of(bot.db, zhang["id"]) == {(branch.id, Role.MEMBER)}

    # Importing the same people again matches them instead of adding them twice.
    await secretary.send("/import")
    await upload(secretary, "again.xlsx", fixed)
    assert "新增 0 人，已有 4 人" in secretary.last_text
    assert await count_people(bot) == before + 4

    # The member opens their personal link and is in, with no questions and no approval.
    li = bot.person("小李")
    code = links["李明"].rsplit("=", 1)[1]
    await li.send(f"/start {code}", expecting="已与幸福社区党支部的名册记录关联")
    record = await people.by_telegram_id(bot.db, li.id)
    assert record.name == "李明" and record.status is PersonStatus.ACTIVE
    other = bot.person("别人")
    await other.send(f"/start {code}", expecting="已被使用")
    assert await people.by_telegram_id(bot.db, other.id) is None


async def test_a_gbk_csv_from_excel_is_read(bot, branch):
    secretary = branch.secretary
    await secretary.send("/import")
    text = "姓名,手机号,类别,入党日期\r\n周杰,13500135000,下岗职工党员,1999.10.1\r\n"
    await upload(secretary, "名册.csv", text.encode("gbk"), "text/csv")
    assert "新增 1 人" in secretary.last_text
    row = await bot.db.fetchone("SELECT * FROM people WHERE name = '周杰'")
    assert row["category"] == "unemployed" and row["joined_on"] == "1999-10-01"


async def test_bad_files_get_a_clear_reply_and_change_nothing(bot, branch):
    secretary = branch.secretary
    await secretary.send("/import")
    before = await count_people(bot)
    many = "姓名,手机号,类别\n" + "".join(f"人{i:05d},138{i:08d},居民党员\n" for i in range(10_000))
    cases = [
        ("notes.txt", b"hello", "text/plain", "请发送 Excel 文件"),
        ("big.csv", b"x" * (2 * 1024 * 1024 + 1), "text/csv", "文件太大"),
        ("broken.xlsx", b"PK not really", "application/zip", "无法读取"),
        ("cols.xlsx", xlsx([["李明", "居民党员"]], ["姓名", "类别"]), None, "缺少这些列：手机号"),
        ("many.csv", many.encode(), "text/csv", "超过 2000 行"),
        ("empty.csv", "姓名,手机号,类别\n".encode(), "text/csv", "没有可导入的行"),
    ]
    for filename, content, mime, expected in cases:
        await upload(secretary, filename, content, *([mime] if mime else []))
        assert expected in secretary.last_text, filename
        assert "未导入任何内容" in secretary.last_text
    await secretary.send("just text", expecting="请以文件形式发送")
    await secretary.send("/cancel", expecting="已取消导入")
    assert await count_people(bot) == before
    assert await bot.db.fetchval("SELECT COUNT(*) FROM invites") == 0


async def test_a_turned_down_applicant_on_the_roster_claims_their_invitation(bot, branch):
    chen = bot.person("陈")
    await onboard(chen, await invite(bot, branch.id), "陈静", "13700137000", "居民党员")
    await branch.secretary.press("❌ 驳回")
    secretary = branch.secretary
    await secretary.send("/import")
    await upload(secretary, "r.xlsx", xlsx([["陈静", "13700137000", "居民党员", None]]))
    assert "新增 1 人" in secretary.last_text
    link = sheet_rows(sent_file(secretary.last)[1])[1][4]
    await chen.send(
        f"/start {link.rsplit('=', 1)[1]}", expecting="已与幸福社区党支部的名册记录关联"
    )
    rows = await bot.db.fetchall("SELECT telegram_id, status FROM people WHERE name = '陈静'")
    assert sorted((r["status"], r["telegram_id"]) for r in rows) == [
        ("active", chen.id),
        ("rejected", None),
    ]


async def test_a_file_with_too_many_cells_is_refused_before_it_is_read(bot, branch):
    secretary = branch.secretary
    await secretary.send("/import")
    # The shape of the file that stalled the bot: 2,000 rows of 1,150 cells.
    await upload(secretary, "名册.xlsx", wide_xlsx(2000, 1147))
    assert "超过 100000 个" in secretary.last_text and "未导入任何内容" in secretary.last_text
    assert await count_people(bot) == 1  # the secretary


async def test_others_are_answered_while_a_large_import_is_parsed(bot, branch, monkeypatch):
    """The parse is made slow on purpose; it must not hold up anyone else's reply."""
    code = await invite(bot, branch.id)
    member = bot.person("李")
    await onboard(member, code, "李明", "13800138000", "居民党员")
    await branch.secretary.press("✅ 通过")
    loop = asyncio.get_running_loop()
    asked: list[float] = []
    answered: list[float] = []

    def observe(method: str, params: dict, result: object) -> None:
        if method == "sendMessage" and params.get("chat_id") == member.id and asked:
            answered.append(time.perf_counter())

    def slow_read(filename: str, content: bytes):
        # Ask for /help the moment the parse starts, from wherever it runs.
        asked.append(time.perf_counter())
        loop.call_soon_threadsafe(bot.server.push_text, member.user, "/help")
        time.sleep(2)
        return read_table(filename, content)

    bot.server.observers.append(observe)
    monkeypatch.setattr(spreadsheets, "read_table", slow_read)
    secretary = branch.secretary
    await secretary.send("/import")
    # Not the largest file: what is measured is the wait, not the bot's speed on a busy
    # machine, and the slow parse stands for the large file.
    await upload(secretary, "名册.xlsx", wide_xlsx(200, 30))
    assert answered, "/help was never answered"
    assert answered[0] - asked[0] < 1.0, f"/help took {answered[0] - asked[0]:.1f} s"
    assert "新增 200 人" in secretary.last_text  # the import itself went on
