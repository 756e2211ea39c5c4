"""Responsibility posts (设岗定责) end to end over the fake Bot API: a whole year, the race
for the last place, and every refusal leaving the database as it was."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage import audit
from tests.conftest import branch_with_secretary
from tests.fakes.harness import Person
from tests.flows import (
    approved_member,
    assess,
    claim_post,
    forward_stage,
    manage_posts,
    on_duty,
    open_post,
    retype,
    start_duty_record,
)

# The bot's own clock decides the cycle's year (the harness runs in Asia/Shanghai).
YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year


async def member(bot, branch, name: str, phone: str, **kwargs) -> Person:
    """A member approved by the branch secretary through the real joining flow."""
    if kwargs.get("language_code") == "en":
        kwargs |= {"category": "Resident member", "submit": "✅ Submit"}
    return await approved_member(bot, branch, name, name, phone, **kwargs)


@pytest.fixture
async def li(bot, branch) -> Person:
    """李明, a member the secretary approved."""
    return await member(bot, branch, "李明", "13800000001")


async def another_branchs_post(bot) -> tuple[Person, int]:
    """光明社区党支部's secretary, who has opened /posts (which seeds that branch's posts),
    and the first of those posts."""
    other = await branch_with_secretary(bot, "光明社区党支部", "外支部书记")
    await other.secretary.send("/posts")
    foreign = await bot.db.fetchval(
        "SELECT id FROM posts WHERE branch_id = ? ORDER BY id LIMIT 1", (other.id,)
    )
    return other.secretary, foreign


async def snapshot(bot) -> list:
    tables = (
        "posts",
        "post_cycles",
        "post_claims",
        "post_surveys",
        "post_survey_choices",
        "duty_records",
        "resident_requests",
        "post_assessments",
        "chat_links",
    )
    return [[tuple(r) for r in await bot.db.fetchall(f"SELECT * FROM {t}")] for t in tables]


SURVEY_BUTTONS = {
    "zh": ("📝 填写调查问卷", "➡️ 完成", "跳过", "问卷已保存"),
    "en": ("📝 Answer the survey", "➡️ Done", "Skip", "your answer is saved"),
}


async def answer_survey(
    person: Person, posts: list[str], time: str, skills: str | None, lang: str = "zh"
) -> None:
    start, done, skip, saved = SURVEY_BUTTONS[lang]
    await person.send("/posts")
    await person.press(start)
    for post in posts:
        await person.press(post)
    await person.presses(done, time)
    if skills is None:
        await person.press(skip)
    else:
        await person.send(skills)
    assert saved in person.last_text


async def claims(bot) -> list[tuple[str, str]]:
    rows = await bot.db.fetchall(
        "SELECT p.name, c.status FROM post_claims c JOIN people p ON p.id = c.person_id"
        " ORDER BY c.id"
    )
    return [(r["name"], r["status"]) for r in rows]


async def test_a_whole_year_of_posts(bot, branch, li):
    secretary = branch.secretary
    zhang = await member(bot, branch, "张伟", "13800000002")
    wang = await member(bot, branch, "王芳", "13800000003", language_code="en")

    # 调查摸底: the board and the survey
    await li.send("/posts")
    assert li.last_text.startswith(f"{YEAR}年设岗定责 · 当前阶段：调查摸底")
    assert "1. 政策宣传岗 (0/2)" in li.last_text and "10. 文明新风岗 (0/2)" in li.last_text
    assert li.buttons() == ["📝 填写调查问卷", "📋 岗位职责", "👤 我的岗位"]
    await li.press("📋 岗位职责", expecting="【政策宣传岗】向居民宣传党的方针政策")
    await wang.send("/posts", expecting="1. Policy publicity post (0/2)")
    assert "stage: Survey" in wang.last_text

    await answer_survey(li, ["政策宣传岗", "民意收集岗"], "周末", "会写宣传稿")
    await answer_survey(zhang, ["政策宣传岗"], "工作日晚上", None)
    await answer_survey(
        wang, ["Facility maintenance post"], "Weekday evenings and weekends", None, "en"
    )
    await secretary.send("/posts")
    await secretary.press("📊 问卷汇总")
    summary = secretary.last_text
    assert "共 3 名党员填写" in summary
    assert "政策宣传岗：2 人愿意" in summary and "设施维护岗：1 人愿意" in summary
    assert "周末：1 人" in summary and "李明: 会写宣传稿" in summary

    # the secretary makes 政策宣传岗 a one-person post, then opens applications
    await manage_posts(secretary, "政策宣传岗")
    assert "名额：2" in secretary.last_text
    await secretary.press("🔢 名额")
    await secretary.send("一", expecting="1 到 50 之间的整数")
    await secretary.send("1", expecting="已保存：政策宣传岗，名额 1。")
    await forward_stage(secretary)
    assert f"当前阶段已变为：申报上岗（{YEAR}年）" in secretary.last_text
    assert f"{YEAR}年设岗定责开始申报上岗" in li.last_text
    assert f"Applications for the {YEAR} responsibility posts are open" in wang.last_text
    assert not any("开始申报上岗" in text for text in secretary.texts)

    # 申报上岗: two members press for the one place at the same moment
    await open_post(li, "政策宣传岗")
    await open_post(zhang, "政策宣传岗")
    await asyncio.gather(li.press("🙋 认领此岗"), zhang.press("🙋 认领此岗"))
    outcome = await claims(bot)
    assert sorted(status for _name, status in outcome) == ["pending"]
    winner, loser = (li, zhang) if outcome[0][0] == "李明" else (zhang, li)
    # Whoever won keeps to the script below: the claim is turned down (take 民意收集岗
    # first) and the one waiting moves up to 政策宣传岗.
    names = {li: "李明", zhang: "张伟"}
    assert "您已认领政策宣传岗，等待书记审核" in winner.last_text
    assert "该岗位已满" in loser.last_text
    await loser.press("⏳ 加入候补名单", expecting="已加入政策宣传岗的候补名单")

    await claim_post(winner, "民意收集岗")
    await open_post(wang, "Facility maintenance post", "en")
    assert "Check public facilities regularly" in wang.last_text
    await wang.press("🙋 Claim this post", expecting="You claimed Facility maintenance post")
    assert "王芳认领了设施维护岗" in secretary.last_text

    # approvals: the first claim is rejected with a reason, the waiting member moves up
    requests = [m for m in secretary.messages if "认领了政策宣传岗" in m.get("text", "")]
    await secretary.press("❌ 驳回", requests[0])
    await secretary.send("请先担任民意收集岗", expecting="❌ 未通过")
    assert "未通过审核。理由：请先担任民意收集岗" in winner.texts[-1] or any(
        "理由：请先担任民意收集岗" in text for text in winner.texts
    )
    assert any("您在候补名单中排第一" in text for text in loser.texts)
    await secretary.send("/posts")
    await secretary.press("📥 待审核")
    pending = [m for m in secretary.messages[-3:] if "✅ 通过" in secretary.buttons(m)]
    assert len(pending) == 3
    for message in pending:
        await secretary.press("✅ 通过", message)
    assert "已审核通过" in li.last_text
    assert "is approved" in wang.last_text
    holders = await bot.db.fetchall("SELECT person_id FROM post_claims WHERE status = 'approved'")
    assert len(holders) == 3

    # withdrawal of an approved post needs the secretary's consent
    await wang.send("/posts")
    await wang.press("👤 My posts", expecting="Facility maintenance post: holder")
    await wang.press(
        "↩️ Withdraw: Facility maintenance post", expecting="The secretary has to agree"
    )
    assert "王芳申请退出设施维护岗" in secretary.last_text
    await secretary.press("✖️ 暂不同意")
    assert "stay on Facility maintenance post" in wang.last_text
    assert ("王芳", "approved") in await claims(bot)

    # 上岗履职: duty records with photo and hours, and a resident's request
    await forward_stage(secretary)
    assert "上岗履职" in secretary.last_text
    await winner.send("/posts")
    await winner.press("📒 记录履职")
    assert winner.buttons() == ["民意收集岗"]
    await winner.presses("民意收集岗", "今天")
    await winner.send("走访了三户居民，收集意见五条")
    await bot.processed(bot.server.push_photo(winner.user, b"\xff\xd8fake-jpeg"))
    await winner.send("1.5")
    assert "时长：1.5 小时" in winner.last_text and "照片：已附" in winner.last_text
    await winner.press("✅ 保存", expecting="履职记录已保存")
    await start_duty_record(loser, "政策宣传岗")
    await loser.send("2026-02-30", expecting="这个日期不存在")
    await loser.types(f"{YEAR}-01-01", "更新宣传栏")
    await loser.presses("跳过", "跳过", "✅ 保存")
    await loser.send("/posts")
    await loser.presses("🗣 居民诉求", "政策宣传岗")
    await loser.send("3号楼居民希望讲解医保新政", expecting="已记录居民诉求")
    records = await bot.db.fetchall("SELECT * FROM duty_records ORDER BY id")
    assert [(r["text"], r["minutes"], bool(r["photo_file_id"])) for r in records] == [
        ("走访了三户居民，收集意见五条", 90, True),
        ("更新宣传栏", None, False),
    ]
    # The duty's hours are in the activity ledger, attested until the secretary verifies them.
    ledger = await bot.db.fetchall(
        "SELECT h.id, h.kind, h.half_hours, h.status, h.post_id, d.ledger_entry_id"
        " FROM hour_records h JOIN duty_records d ON d.ledger_entry_id = h.id"
    )
    assert [(r["kind"], r["half_hours"], r["status"]) for r in ledger] == [
        ("post_duty", 3, "pending")
    ]
    assert ledger[0]["post_id"] == records[0]["post_id"]
    assert any("走访了三户居民" in t and "1.5" in t for t in secretary.texts)

    # 考核评岗
    await forward_stage(secretary)
    await secretary.send("/posts")
    await secretary.press(
        "🗣 居民诉求", expecting=f"政策宣传岗 ({names[loser]}): 3号楼居民希望讲解医保新政"
    )
    await secretary.presses(
        "⭐ 考核评岗", f"{names[winner]} · 民意收集岗", expecting="共 1 条履职记录，合计 1.5 小时。"
    )
    assert "走访了三户居民，收集意见五条" in secretary.last_text
    await secretary.press("优秀")
    await secretary.send(
        "走访扎实，反映问题及时", expecting=f"已保存：{names[winner]}，民意收集岗：优秀。"
    )
    assert "您在民意收集岗的考核结果：优秀。\n走访扎实，反映问题及时" in winner.last_text
    await assess(secretary, f"{names[loser]} · 政策宣传岗", "称职")
    await assess(secretary, "王芳 · 设施维护岗", "基本称职", "参与较少")
    assert "Your assessment on Facility maintenance post: Basically competent." in wang.last_text
    await winner.send("/posts")
    await winner.press(
        "👤 我的岗位", expecting=f"{YEAR}年考核 · 民意收集岗：优秀 — 走访扎实，反映问题及时"
    )

    from domain.posts import person_posts

    record = await person_posts(
        bot.db,
        (await bot.db.fetchone("SELECT id FROM people WHERE name = ?", (names[winner],)))["id"],
        date(YEAR, 1, 1),
        date(YEAR, 12, 31),
    )
    assert [(r.assessment.rating, r.duty_count, r.duty_minutes) for r in record] == [
        ("excellent", 1, 90)
    ]
    actions = [e["action"] for e in await audit.entries(bot.db, limit=500)]
    assert actions.count("posts.stage_forward") == 3
    assert actions.count("posts.assessed") == 3


async def test_publishing_holders_to_the_linked_group(bot, branch, li):
    secretary = branch.secretary
    group = bot.server.new_group("幸福社区居民群")
    await secretary.send("/posts")
    await secretary.press("📢 公布名单", expecting="尚未关联群聊")

    # a member cannot link a group to the branch
    await bot.processed(bot.server.push_text(li.user, "/linkgroup", chat=group))
    assert "只有支部书记" in bot.server.last_message(group["id"])["text"]
    assert await bot.db.fetchval("SELECT COUNT(*) FROM chat_links") == 0
    await bot.processed(bot.server.push_text(secretary.user, "/linkgroup", chat=group))
    assert "本群已关联为支部群聊" in bot.server.last_message(group["id"])["text"]

    await forward_stage(secretary)
    await claim_post(li, "环境保洁岗")
    await secretary.press("✅ 通过")
    await secretary.send("/posts")
    await secretary.press("📢 公布名单", expecting="已在群聊中公布")
    published = bot.server.last_message(group["id"])["text"]
    assert f"{YEAR}年党员设岗定责名单" in published
    assert "【环境保洁岗】李明" in published
    assert "13800000001" not in published and "政策宣传岗" not in published


async def test_every_refusal_leaves_the_database_unchanged(bot, branch, li):
    secretary = branch.secretary
    zhang = await member(bot, branch, "张伟", "13800000002")
    outsider, foreign = await another_branchs_post(bot)

    visitor = bot.person("路人")
    await visitor.send("/posts", expecting="设岗定责仅面向支部的登记党员")

    # wrong stage: a claim during the survey, even with hand-made data
    await li.send("/posts")
    board = li.last
    own = await bot.db.fetchval(
        "SELECT id FROM posts WHERE branch_id = ? ORDER BY id LIMIT 1", (branch.id,)
    )
    before = await snapshot(bot)
    await li.press_data(board["message_id"], f"posts:claim:{own}")
    assert "当前阶段（调查摸底）不能进行此操作" in li.answer
    assert await snapshot(bot) == before

    await forward_stage(secretary)
    # retire 设施维护岗
    await manage_posts(secretary, "设施维护岗")
    await secretary.presses("🗄 撤销岗位", "✅ 确认", expecting="设施维护岗已撤销")
    retired = await bot.db.fetchval(
        "SELECT id FROM posts WHERE code = 'facilities' AND branch_id = ?", (branch.id,)
    )

    for post in ("政策宣传岗", "党务监督岗", "民意收集岗"):
        await claim_post(li, post)
    await li.send("/posts")
    board = li.last
    before = await snapshot(bot)
    refusals = [
        (f"posts:claim:{own}", "已经认领过这个岗位"),
        (f"posts:claim:{retired}", "该岗位已撤销"),
        (f"posts:claim:{foreign}", "您的支部没有这个岗位"),
        ("posts:claim:999999", "您的支部没有这个岗位"),
        (f"posts:claim:{own + 5}", "最多担任 3 个岗位"),
        (f"posts:waiting-list:{own + 5}", "最多担任 3 个岗位"),
        ("posts:claim:abc", "此按钮已失效"),
        ("posts:claim:1;DROP", "此按钮已失效"),
        ("posts:withdraw:999", "该认领已不存在"),
        ("posts:approve:1", "只有支部书记"),
        ("posts:leave-agree:1", "只有支部书记"),
        ("posts:forward-ok:apply", "只有支部书记"),
        ("posts:retire-ok:1", "只有支部书记"),
        ("posts:publish", "只有支部书记"),
    ]
    for data, expected in refusals:
        await li.press_data(board["message_id"], data)
        assert expected in (li.answer or ""), (data, li.answer)
    # someone else's claim cannot be withdrawn by a forged button
    first_claim = await bot.db.fetchval("SELECT MIN(id) FROM post_claims")
    await zhang.send("/posts")
    await zhang.press_data(zhang.last["message_id"], f"posts:withdraw:{first_claim}")
    assert "该认领已不存在" in zhang.answer
    # another branch's secretary cannot decide this branch's claims
    for data in (
        f"posts:approve:{first_claim}",
        f"posts:assess-holder:{first_claim}",
        f"posts:leave-agree:{first_claim}",
    ):
        await outsider.press_data(outsider.last["message_id"], data)
        assert "只有支部书记" in outsider.answer, data
    await li.press_data(board["message_id"], "posts:requests")
    assert "只有支部书记" in li.answer
    # a stale stage confirmation is refused
    await secretary.press_data(secretary.last["message_id"], "posts:forward-ok:survey")
    assert "阶段已经变化" in secretary.answer
    assert await snapshot(bot) == before

    # the race loser cannot join the waiting list of a post that has room
    await zhang.press_data(zhang.last["message_id"], f"posts:waiting-list:{own + 5}")
    assert "还有空余名额" in zhang.answer
    assert await snapshot(bot) == before


async def test_going_back_a_stage_needs_a_reason(bot, branch):
    secretary = branch.secretary
    await forward_stage(secretary)
    await secretary.send("/posts")
    await secretary.presses("⚙️ 阶段", "⬅️ 退回：调查摸底")
    await secretary.send("   ")
    assert "请写几句话" in secretary.last_text or "请填写理由" in secretary.last_text
    await secretary.send("问卷还有人没填", expecting="已退回到：调查摸底")
    entry = next(e for e in await audit.entries(bot.db) if e["action"] == "posts.stage_back")
    assert entry["details"]["reason"] == "问卷还有人没填"


async def test_the_secretary_shapes_the_posts(bot, branch, li):
    secretary = branch.secretary
    await manage_posts(secretary, "➕ 新增岗位")
    await secretary.send("楼栋长岗", expecting="已新增岗位：楼栋长岗")
    await manage_posts(secretary, "楼栋长岗")
    await retype(secretary, "职责", "联系本楼栋住户，收集并反映诉求。")
    await manage_posts(secretary, "👤 每人上限：3")
    await secretary.send("11", expecting="1 到 10 之间的整数")
    await secretary.send("1", expecting="每名党员最多担任 1 个岗位")
    # a member cannot edit a post by forging the secretary's buttons
    own = await bot.db.fetchval("SELECT id FROM posts WHERE name = '楼栋长岗'")
    await li.send("/posts")
    before = await snapshot(bot)
    for data in (
        f"posts:edit-duties:{own}",
        f"posts:edit-capacity:{own}",
        f"posts:edit-limit:{branch.id}",
        "posts:add",
    ):
        await li.press_data(li.last["message_id"], data)
    await li.send("改掉职责")
    assert await snapshot(bot) == before

    await li.send("/posts", expecting="11. 楼栋长岗 (0/2)")
    await li.press("📋 岗位职责", expecting="【楼栋长岗】联系本楼栋住户，收集并反映诉求。")
    await forward_stage(secretary)
    await claim_post(li, "楼栋长岗")
    await open_post(li, "政策宣传岗")
    before = await snapshot(bot)
    await li.press("🙋 认领此岗")
    assert "最多担任 1 个岗位" in li.answer
    assert await snapshot(bot) == before


async def test_forged_choices_inside_the_flows_are_refused(bot, branch, li):
    secretary = branch.secretary
    _outsider, foreign = await another_branchs_post(bot)
    await li.send("/posts")
    await li.press("📝 填写调查问卷")
    survey = li.last
    await li.press_data(survey["message_id"], f"posts:survey-toggle:{foreign}")
    assert li.answer == "此按钮已失效。"
    await li.presses("环境保洁岗", "➡️ 完成")
    await li.press_data(li.last["message_id"], "posts:survey-time:always")
    assert li.answer == "此按钮已失效。"
    await li.presses("周末", "跳过")
    chosen = await bot.db.fetchall("SELECT post_id FROM post_survey_choices")
    assert [r["post_id"] for r in chosen] != [foreign] and len(chosen) == 1

    await on_duty(secretary, li, "环境保洁岗")
    held = await bot.db.fetchval("SELECT post_id FROM post_claims")
    await li.send("/posts")
    await li.press("📒 记录履职")
    before = await snapshot(bot)
    for forged in (held + 1, foreign):
        await li.press_data(li.last["message_id"], f"posts:duty-post:{forged}")
        assert li.answer == "此按钮已失效。"
    await li.send("/cancel", expecting="已取消")
    assert await snapshot(bot) == before


async def test_a_restart_in_the_middle_of_a_duty_record_continues(bot, branch, li):
    secretary = branch.secretary
    await on_duty(secretary, li, "便民服务岗")
    await start_duty_record(li, "便民服务岗")
    await li.press("昨天")
    await bot.restart()
    await li.send("帮独居老人买药")
    await li.press("跳过")
    await li.send("0.5")
    await li.press("✅ 保存")
    row = await bot.db.fetchone("SELECT text, minutes, done_on FROM duty_records")
    assert (row["text"], row["minutes"]) == ("帮独居老人买药", 30)
    assert (
        row["done_on"]
        == (datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)).isoformat()
    )


def dead_buttons(person: Person, since: int) -> list[str]:
    """Buttons still on screen on any message since `since` but the newest one."""
    return [b for m in person.messages[since:-1] for b in person.buttons(m) if person.buttons(m)]


async def test_duty_hours_that_would_be_rounded_or_capped_are_refused(bot, branch, li):
    """A duty's 1.2 h was stored as 1 h and 20 h as 12 h; now both are refused with the
    reason, the date is typed as anywhere else (3月1日, 昨天), and typed answers leave no
    dead buttons behind."""
    secretary = branch.secretary
    await on_duty(secretary, li, "便民服务岗")
    await li.send("/posts")
    await li.press("📒 记录履职")
    since = len(li.messages)
    await li.press("便民服务岗")
    await li.types("昨天", "帮独居老人买药")
    await li.send_photo(b"\xff\xd8fake-jpeg")
    assert li.buttons() == ["0.5 小时", "1 小时", "1.5 小时", "2 小时", "3 小时", "跳过"]
    await li.send("1.2")
    assert "以半小时为单位" in li.last_text and "未作任何取整" in li.last_text
    await li.send("20", expecting="每条记录最多登记 12 小时")
    await li.send("1.5", expecting="时长：1.5 小时")
    assert dead_buttons(li, since) == []
    await li.press("✅ 保存")
    yesterday = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)
    row = await bot.db.fetchone("SELECT minutes, done_on FROM duty_records")
    assert (row["minutes"], row["done_on"]) == (90, yesterday.isoformat())
    assert await bot.db.fetchval("SELECT half_hours FROM hour_records") == 3

    # A pressed amount, and a date in the Chinese form.
    await start_duty_record(li, "便民服务岗")
    await li.types(f"{yesterday.month}月{yesterday.day}日", "陪同就医")
    await li.presses("跳过", "3 小时", "✅ 保存")
    assert [tuple(r) for r in await bot.db.fetchall("SELECT minutes FROM duty_records")] == [
        (90,),
        (180,),
    ]


async def test_duty_hours_in_english(bot, branch):
    secretary = branch.secretary
    john = await member(bot, branch, "John", "13800000002", language_code="en")
    await forward_stage(secretary)
    await claim_post(john, "Convenience services post", "en")
    await secretary.press("✅ 通过")
    await forward_stage(secretary)
    await john.send("/posts")
    await john.press("📒 Record duty")
    await john.press(john.buttons()[0])
    await john.types("yesterday", "Bought medicine")
    await john.press("Skip")
    assert "1.5 h" in john.buttons()
    await john.send("1.2", expecting="Nothing was rounded")


async def test_typed_skills_take_the_skip_button_away(bot, branch, li):
    await li.send("/posts")
    await li.presses("📝 填写调查问卷", "政策宣传岗", "➡️ 完成", "周末")
    asked = li.message_with_button("跳过")
    await li.send("会写宣传稿", expecting="问卷已保存")
    # The typed line answered the question: its Skip button is no longer on screen.
    assert li.buttons(asked) == []
