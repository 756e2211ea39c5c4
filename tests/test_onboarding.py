"""Joining a branch through an invitation, end to end over the fake Bot API."""

from __future__ import annotations

from domain.models import PersonStatus
from storage import people
from tests.conftest import branch_with_secretary, invite, onboard


async def test_two_members_onboard_and_are_approved(bot, branch):
    code = await invite(bot, branch.id, uses=2)
    li, zhang = bot.person("李"), bot.person("张")

    replies = await li.send(f"/start {code}")
    assert "姓名" in replies[-1]["text"]
    await li.send("李明")
    assert li.last["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    await li.share_contact("+86 138 0013 8000")
    assert li.buttons() == ["居民党员", "流动党员", "下岗职工党员", "入党积极分子"]
    await li.press("居民党员")
    assert "姓名：李明" in li.last_text and "电话：13800138000" in li.last_text
    await li.press("✅ 提交", expecting="已提交给支部书记")

    await onboard(zhang, code, "张 伟", "13900139000", "流动党员")

    secretary = branch.secretary
    await secretary.send("/start")
    assert "欢迎，王书记" in secretary.last_text  # the first visit: no "welcome back"
    assert "有 2 个加入支部申请等待您审核" in secretary.last_text
    requests = [m for m in secretary.messages if "新的加入支部申请" in m.get("text", "")]
    assert len(requests) == 2
    assert "李明" in requests[0]["text"] and "居民党员" in requests[0]["text"]
    assert "张 伟" in requests[1]["text"] and "流动党员" in requests[1]["text"]

    await secretary.press("✅ 通过", requests[0])
    await secretary.press("✅ 通过", requests[1])
    assert "✅ 已通过：李明" in secretary.messages[-2]["text"] or any(
        "✅ 已通过：李明" in t for t in secretary.texts
    )
    assert "申请已通过" in li.last_text
    assert "申请已通过" in zhang.last_text
    await secretary.send("/help")
    assert "等待您审核" not in secretary.last_text
    assert secretary.last_text.startswith("您是支部书记")

    for person in (li, zhang):
        record = await people.by_telegram_id(bot.db, person.id)
        assert record.status is PersonStatus.ACTIVE
        assert record.branch_id == branch.id

    await li.send("/start", expecting="欢迎回来，李明")


async def activist_decided(bot, branch, short: str, name: str, decision: str):
    """An 入党积极分子 who joined through an invitation, the secretary's `decision` pressed."""
    code = await invite(bot, branch.id)
    person = bot.person(short)
    await onboard(person, code, name, "13700137000", "入党积极分子")
    await branch.secretary.press(decision)
    return person


async def test_an_activist_is_known_to_the_branch_but_no_member(bot, branch):
    sun = await activist_decided(bot, branch, "孙", "孙丽", "✅ 通过")
    assert "申请已通过" in sun.last_text
    record = await people.by_telegram_id(bot.db, sun.id)
    assert record.status is PersonStatus.ACTIVE and record.branch_id == branch.id
    # 入党积极分子 are candidates: no member role, so never counted or messaged as members.
    assert await people.roles_of(bot.db, record.id) == set()
    await sun.send("/help")
    assert "尚不是党员" in sun.last_text and "/develop" in sun.last_text
    await sun.send("/hours", expecting="只有已登记的支部党员")


async def test_a_rejected_applicant_is_told_and_stays_out(bot, branch):
    chen = await activist_decided(bot, branch, "陈", "陈静", "❌ 驳回")
    assert "未通过" in chen.last_text
    record = await people.by_telegram_id(bot.db, chen.id)
    assert record.status is PersonStatus.REJECTED


async def test_bad_codes_get_a_clear_reply(bot, branch):
    visitor = bot.person("访客")
    await visitor.send("/start NOSUCHCODE1", expecting="邀请码无效")

    expired = await invite(bot, branch.id)
    await bot.db.writer.execute("UPDATE invites SET expires_at = '2000-01-01T00:00:00+00:00'")
    await visitor.send(f"/start {expired}", expecting="已过期")

    used = await invite(bot, branch.id, uses=1)
    first = bot.person("甲")
    await onboard(first, used, "甲乙", "13800000001", "居民党员")
    await visitor.send(f"/start {used}", expecting="已被使用")

    await visitor.send("/start", expecting="邀请链接")
    assert await people.by_telegram_id(bot.db, visitor.id) is None


async def test_a_question_shown_twice_after_a_crash_leaves_one_to_answer(bot, branch, monkeypatch):
    """Killed after it asked for the category but before it stored that it had: the bot
    asks again on restart. Whichever copy the person answers, the other one's buttons are
    of a step already passed: pressing them says so and takes them away, and the review is
    the one question left."""
    from bot.persistence import SQLitePersistence

    code = await invite(bot, branch.id)
    wang = bot.person("王")
    await wang.types(f"/start {code}", "王芳")
    commit = SQLitePersistence.commit
    cut_short = []

    async def killed(self, handled_update_id=None, **kwargs):
        # Nothing is written from the contact on: the process is gone (its stop included).
        if handled_update_id is not None:
            cut_short.append(handled_update_id)
        self._staged, self._staged_users = [], {}

    monkeypatch.setattr(SQLitePersistence, "commit", killed)
    await wang.share_contact("13800138000")
    first = wang.message_with_button("居民党员")
    await bot.stop()
    monkeypatch.setattr(SQLitePersistence, "commit", commit)
    await bot.start()
    await bot.processed({"update_id": cut_short[0]})
    second = wang.message_with_button("居民党员")
    assert second["message_id"] != first["message_id"]

    await wang.press("居民党员", first)
    assert "类别：居民党员" in first["text"]
    await wang.press("居民党员", second)
    assert wang.answer == "此按钮已失效。"
    assert wang.buttons(second) == []
    assert wang.message_with_button("✅ 提交")["message_id"] == first["message_id"]
    await wang.press("✅ 提交", expecting="已提交给支部书记")


async def test_data_forged_onto_the_live_question_leaves_its_buttons(bot, branch):
    code = await invite(bot, branch.id)
    wang = bot.person("王")
    await wang.types(f"/start {code}", "王芳")
    await wang.share_contact("13800138000")
    await wang.press_data_on("居民党员", "join:submit")
    assert wang.answer == "此按钮已失效。"
    assert "居民党员" in wang.buttons()
    await wang.press("居民党员")
    await wang.press("✅ 提交", expecting="已提交给支部书记")


async def test_every_bad_input_is_asked_again(bot, branch):
    code = await invite(bot, branch.id)
    wang = bot.person("王")
    await wang.send(f"/start {code}")
    for bad, expected in [
        ("A", "至少 2 个字"),
        ("x" * 41, "最多 40 个字"),
        ("王123", "只能包含"),
        ("💥💥", "只能包含"),
    ]:
        await wang.send(bad)
        assert expected in wang.last_text, bad
    await wang.types("王小二", "13800138000")
    assert "请使用下方按钮" in wang.texts[-2]
    await wang.share_contact("13800138000", own=False)
    assert "不是您本人的号码" in wang.last_text
    await wang.share_contact("12")
    assert "电话号码无效" in wang.last_text
    await wang.share_contact("13800138000")
    await wang.send("随便说点什么", expecting="请回答上面的问题")
    await wang.press_data_on("居民党员", "join:cat:cadre")
    assert wang.answer == "此按钮已失效。"
    question = wang.message_with_button("下岗职工党员")
    await wang.press("下岗职工党员", question)
    # The review takes the question's place, above the refusal, without category buttons.
    review = next(m for m in wang.messages if m["message_id"] == question["message_id"])
    assert "类别：下岗职工党员" in review["text"]
    assert wang.buttons(review) == ["✅ 提交", "✏️ 重新填写"]
    await wang.press("✅ 提交")
    record = await people.by_telegram_id(bot.db, wang.id)
    assert record.name == "王小二" and record.category == "unemployed"


async def test_cancel_leaves_the_conversation_at_any_step(bot, branch):
    code = await invite(bot, branch.id)
    zhao = bot.person("赵")
    await zhao.types(f"/start {code}", "赵六", "/cancel", expecting="已取消")
    assert zhao.last["reply_markup"] == {"remove_keyboard": True}
    await zhao.send("赵六", expecting="不太明白")
    assert await people.by_telegram_id(bot.db, zhao.id) is None
    await zhao.send("/cancel", expecting="没有可以取消的操作")
    # /help answers in the middle of a conversation and keeps the step
    await zhao.types(f"/start {code}", "/help", expecting="邀请链接")
    await zhao.send("赵六", expecting="分享您的手机号码")


async def test_only_a_secretary_of_the_branch_can_decide(bot, branch):

    outsider = (await branch_with_secretary(bot, "光明社区党支部", "外支部书记")).secretary
    code = await invite(bot, branch.id)
    applicant = bot.person("申请人")
    await onboard(applicant, code, "孙七", "13600136000", "居民党员")
    request = branch.secretary.message_with_button("✅ 通过")
    approve = branch.secretary.server.find_button(request, "✅ 通过")["callback_data"]

    for stranger in (outsider, applicant, bot.person("路人")):
        # A forger puts the secretary's callback data on a bot message of their own.
        await stranger.send("/help")
        await stranger.press_data(stranger.last["message_id"], approve)
        assert "只有支部书记" in stranger.answer
    assert (await people.by_telegram_id(bot.db, applicant.id)).status is PersonStatus.PENDING

    for forged in ("join:approve:999999", "join:approve:abc", "join:approve:1;DROP", "x" * 64):
        await branch.secretary.press_data(request["message_id"], forged)
        assert branch.secretary.answer in ("该申请已不存在。", "此按钮已失效。")
    assert (await people.by_telegram_id(bot.db, applicant.id)).status is PersonStatus.PENDING

    await branch.secretary.press("✅ 通过")
    await branch.secretary.press_data(request["message_id"], approve)
    assert "已处理过" in branch.secretary.answer


async def test_a_restart_in_the_middle_of_onboarding_continues(bot, branch):
    code = await invite(bot, branch.id)
    qian = bot.person("钱")
    await qian.types(f"/start {code}", "钱八")
    # The step is on disk right after the message, before any shutdown flush.
    stored = await bot.db.fetchall("SELECT state FROM ptb_conversations")
    assert [row["state"] for row in stored] == ['"join.phone"']
    await bot.restart()
    await qian.share_contact("13500135000")
    await qian.press("居民党员", expecting="姓名：钱八")
    await qian.press("✅ 提交")
    assert (await people.by_telegram_id(bot.db, qian.id)).status is PersonStatus.PENDING


async def test_english_speakers_are_answered_in_english(bot, branch):
    code = await invite(bot, branch.id)
    john = bot.person("John", language_code="en-us")
    await john.send(f"/start {code}", expecting="What is your full name?")
    await john.send("John Smith")
    await john.share_contact("+86 137 0013 7000")
    await john.presses(
        "Resident member", "✅ Submit", expecting="has been sent to the branch secretary"
    )
    # the secretary reads the request in Chinese, John reads the outcome in English
    assert "新的加入支部申请" in branch.secretary.last_text
    await branch.secretary.press("✅ 通过")
    assert "has been approved" in john.last_text


async def test_pressing_the_same_language_twice_is_no_error(bot):
    # Found by tests/reliability/test_callback_fuzz.py: the second press asked Telegram to
    # edit the message to the text it already had, and the refusal escaped the handler.
    li = bot.person("李")
    await li.send("/language")
    message = li.message_with_button("English")
    await li.press("English", message)
    await li.press_data(message["message_id"], "lang:en")  # the button is gone; a stale client
    assert li.answer is None
    assert li.texts.count("Language set to English.") == 1


async def test_language_switch_is_remembered(bot, branch):
    li = bot.person("李", language_code="zh-hans")
    await li.send("/language")
    await li.press("English")
    assert li.last_text.startswith("To join your branch")
    assert any("Language set to English." in t for t in li.texts)
    await bot.restart()
    await li.send("/help")
    assert li.last_text.startswith("To join your branch")
    await li.send("/language")
    await li.press("简体中文")
    assert any("语言已设置为简体中文" in t for t in li.texts)
    menus = {key: [c["command"] for c in value] for key, value in bot.server.commands.items()}
    assert any(str(li.id) in str(key) for key in menus), menus


async def test_concurrent_applicants_are_all_recorded_once(bot, branch):
    import asyncio

    code = await invite(bot, branch.id, uses=20)
    crowd = [bot.person(f"成员{i}") for i in range(20)]
    names = ["赵", "钱", "孙", "李", "周", "吴", "郑", "王", "冯", "陈"]
    await asyncio.gather(
        *(
            onboard(p, code, f"{names[i % 10]}某{'甲乙'[i // 10]}", f"138{i:08d}", "居民党员")
            for i, p in enumerate(crowd)
        )
    )
    count = await bot.db.fetchval("SELECT COUNT(*) FROM join_requests WHERE status = 'pending'")
    assert count == 20
    assert await bot.db.fetchval("SELECT uses_left FROM invites") == 0


async def test_an_english_secretary_reads_plurals_in_english(bot, branch):
    from domain import admin

    mary = bot.person("Mary", language_code="en")
    await admin.add_secretary(bot.db, branch.id, mary.id)
    code = await invite(bot, branch.id, uses=2)
    await onboard(bot.person("甲"), code, "甲乙", "13800000001", "居民党员")
    await mary.send("/help")
    assert mary.last_text.startswith("1 request to join the branch is waiting for your decision.")
    await onboard(bot.person("丙"), code, "丙丁", "13800000002", "居民党员")
    await mary.send("/help")
    assert mary.last_text.startswith("2 requests to join the branch are waiting for your decision.")
