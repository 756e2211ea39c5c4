"""Exports parsed back with openpyxl, the audit log page by page, and who may see them."""

from __future__ import annotations

from datetime import date, datetime

from domain import admin
from tests.conftest import invite, onboard
from tests.console_helpers import sent_file, sheet_rows, upload, xlsx
from tests.test_departure_erasure import a_member_with_everything

REFUSED = "只有支部书记可以进行此操作"


async def roster_of_two(bot, branch):
    await branch.secretary.send("/start")
    code = await invite(bot, branch.id)
    li = bot.person("李")
    await onboard(li, code, "李明", "13800138000", "居民党员")
    await branch.secretary.press("✅ 通过")
    await branch.secretary.send("/import")
    await upload(branch.secretary, "r.xlsx", xlsx([["张伟", "13900139000", "流动党员", "2005-07"]]))
    return li


async def test_members_export_parses_back(bot, branch):
    await roster_of_two(bot, branch)
    secretary = branch.secretary
    await secretary.send("/export")
    assert "党员名册" in secretary.buttons()
    assert "审计日志 · 近 30 天" in secretary.buttons()
    await secretary.press("党员名册")
    name, content = sent_file(secretary.last)
    assert name == "党员名册.xlsx"
    assert "党员名册：2 行" in secretary.last_text  # no row for the secretary: not on the roster
    rows = sheet_rows(content)
    assert rows[0] == (
        "编号",
        "姓名",
        "手机号",
        "类别",
        "入党日期",
        "状态",
        "使用机器人",
        "登记时间",
    )
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["李明"][2:4] == ("13800138000", "居民党员")
    assert by_name["李明"][5:7] == ("党员", "是")
    assert by_name["张伟"][3:7] == ("流动党员", "2005-07", "党员", "否")
    assert isinstance(by_name["张伟"][7], datetime)
    assert "正在生成文件" not in secretary.last_text


async def test_audit_export_for_a_date_range(bot, branch):
    await roster_of_two(bot, branch)
    secretary = branch.secretary
    await secretary.send("/export")
    await secretary.press("审计日志 · 近 7 天")
    rows = sheet_rows(sent_file(secretary.last)[1])
    assert rows[0] == ("时间", "操作人", "操作", "对象", "对象编号", "详情")
    actions = [r[2] for r in rows[1:]]
    # Actions read in the secretary's language.
    assert actions[:3] == ["创建支部", "任命书记", "创建邀请"]
    assert "通过加入支部申请" in actions and "导入党员名册" in actions
    assert rows[-1][1:3] == ("王书记", "导入党员名册")

    this_year = date.today().year
    await secretary.send(
        f"/export audit {this_year - 2}-01-01 {this_year - 1}-12-31", expecting="0 行"
    )
    assert len(sheet_rows(sent_file(secretary.last)[1])) == 1
    await secretary.send("/export audit 2026-05-01 2020-01-01", expecting="较早的日期在前")
    await secretary.send("/export nothing 2024-01-01 2024-02-01", expecting="没有这种导出")


async def test_audit_log_is_paged(bot, branch):
    await roster_of_two(bot, branch)
    secretary = branch.secretary
    for _ in range(4):
        await invite(bot, branch.id)
    await secretary.send("/audit")
    first = secretary.last
    assert "审计日志，第 1 页" in first["text"]
    assert first["text"].count("— · 创建邀请 invite #") == 5
    assert "王书记 · 导入党员名册 branch #1" in first["text"]
    assert secretary.buttons() == ["较早 ▶"]
    await secretary.press("较早 ▶", expecting="第 2 页")
    assert "◀ 较新" in secretary.buttons()
    await secretary.press_data(first["message_id"], "audit:999")
    assert "没有记录" in secretary.last_text


async def test_only_the_branch_secretary_may_import_export_or_read_the_log(bot, branch):
    member = await roster_of_two(bot, branch)
    stranger = bot.person("路人")
    other_branch = await admin.add_branch(bot.db, "另一个支部", "城关区")
    other_secretary = bot.person("外支部书记")
    await admin.add_secretary(bot.db, other_branch.id, other_secretary.id)
    documents_before = sum("document" in m for m in bot.server.chat_messages(member.id))
    audit_before = await bot.db.fetchval("SELECT COUNT(*) FROM audit_log")
    for someone in (member, stranger):
        for command in ("/import", "/export", "/audit"):
            await someone.send(command)
            assert REFUSED in someone.last_text, command
        message = someone.last
        for data in ("export:members", "export:audit:d30", "audit:0", "audit:1"):
            await someone.press_data(message["message_id"], data)
            assert REFUSED in someone.answer, data
        await someone.press_data(message["message_id"], "export:members:d999")
        assert someone.answer == "此按钮已失效。"
    await member.send_document("r.xlsx", xlsx([["王五", "13600136000", "居民党员"]]), "x")
    assert sum("document" in m for m in bot.server.chat_messages(member.id)) == documents_before
    assert await bot.db.fetchval("SELECT COUNT(*) FROM people WHERE name = '王五'") == 0
    assert await bot.db.fetchval("SELECT COUNT(*) FROM audit_log") == audit_before

    # The other branch's secretary sees their own branch only.
    await other_secretary.send("/export")
    await other_secretary.press("党员名册")
    names = [r[1] for r in sheet_rows(sent_file(other_secretary.last)[1])[1:]]
    assert "李明" not in names and "张伟" not in names
    await other_secretary.send("/audit")
    assert "李明" not in other_secretary.last_text and "王书记" not in other_secretary.last_text


async def test_pressing_the_same_page_twice_is_harmless(bot, branch):
    secretary = branch.secretary
    await secretary.send("/audit")
    await secretary.press_data(secretary.last["message_id"], "audit:0")
    await secretary.press_data(secretary.last["message_id"], "audit:0")
    assert secretary.answer is None


async def test_status_columns_read_in_the_secretarys_language(bot, branch):
    await a_member_with_everything(bot, branch)
    secretary = branch.secretary
    await secretary.send("/export")
    await secretary.press("流动党员及其记录")
    rows = sheet_rows(sent_file(secretary.last)[1])[1:]
    assert {r[3] for r in rows} == {"已通过"}
    kinds = [r[6] for r in rows]
    assert kinds[0] == "提交登记" and "已联系" in kinds
    assert not {"submitted", "approved", "active", "contacted"} & {c for r in rows for c in r}

    await secretary.press("岗位及认领人")
    rows = sheet_rows(sent_file(secretary.last)[1])[1:]
    assert rows[0][5] == "在岗"

    english = bot.person("Anna", language_code="en")
    await admin.add_secretary(bot.db, branch.id, english.id)
    await english.send("/export")
    await english.press("Mobile members and their history")
    rows = sheet_rows(sent_file(english.last)[1])[1:]
    assert rows[0][3] == "approved" and rows[0][6] == "registered"
