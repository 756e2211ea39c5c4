"""The democratic appraisal of members (民主评议党员) end to end over the fake Bot API: a
whole round with six members, its secrecy, its refusals, in both languages."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.jobs import JOBS
from domain.mobile.models import Direction
from domain.models import Role
from storage import mobile
from tests.flows import today
from tests.world import active_person

YEAR = today().year
SHANGHAI = ZoneInfo("Asia/Shanghai")
NAMES = ["李明", "张华", "王芳", "赵强", "刘洋", "陈静"]
GRADES_ZH = ["优秀", "合格", "基本合格", "不合格"]
GRADES_EN = [
    "excellent (优秀)",
    "qualified (合格)",
    "basically qualified (基本合格)",
    "unqualified (不合格)",
]
APPRAISAL_TABLES = (
    "appraisal_rounds",
    "appraisal_participants",
    "appraisal_tallies",
    "appraisal_comments",
    "appraisal_disposals",
)


async def six_members(bot, branch, lang: str = "zh-hans"):
    """Six active members (陈静 away in 杭州 on an approved outflow) and a unit contact, who
    never takes part."""
    people = [bot.person(name, language_code=lang) for name in NAMES]
    contact = bot.person("单位联系人", language_code=lang)
    async with bot.db.transaction() as conn:
        ids = [await active_person(conn, branch.id, p.id, p.user["first_name"]) for p in people]
        await active_person(
            conn, branch.id, contact.id, "单位联系人", category=None, role=Role.UNIT
        )
        registration = await mobile.create(
            conn,
            person_id=ids[-1],
            branch_id=branch.id,
            direction=Direction.OUTFLOW,
            details={"destination": "浙江省杭州市"},
        )
        await conn.execute(
            "UPDATE mobile_registrations SET status = 'active' WHERE id = ?", (registration,)
        )
    return people, ids, contact


async def snapshot(bot) -> list:
    return [
        [tuple(r) for r in await bot.db.fetchall(f"SELECT * FROM {t}")] for t in APPRAISAL_TABLES
    ]


async def forward(secretary, label_start: str = "➡️ 进入下一阶段", confirm: str = "✅ 确认") -> None:
    await secretary.send("/appraisal")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith(label_start)))
    await secretary.press(confirm)


async def rate_all(person, grades: list[str], comment_for: str | None = None) -> None:
    """The person's ballot: the grades in the order the others are asked, a comment on the
    one named `comment_for` (skipping the rest), then submitted."""
    await person.send("/appraisal")
    await person.press(next(b for b in person.buttons() if b.startswith("🗳")))
    for grade in grades:
        asked = person.last_text
        await person.press(grade)
        if comment_for and comment_for in asked:
            await person.send("工作认真，群众认可")
        else:
            await person.press(next(b for b in person.buttons()))
    await person.press(next(b for b in person.buttons() if b.startswith("✅")))


def grade_for(name: str) -> str:
    """How everyone rates: 李明 excellent, 赵强 unqualified, the rest qualified."""
    return {"李明": "优秀", "赵强": "不合格"}.get(name, "合格")


async def ballot(person, pick=grade_for, comment_on: str | None = None) -> None:
    """The person's ballot through the chat: each other participant graded by `pick`, a
    comment on `comment_on`, Skip for the rest, then submitted."""
    await person.send("/appraisal")
    await person.press("🗳 评议其他党员")
    for _ in range(len(NAMES) - 1):
        asked = person.last_text
        name = next(n for n in NAMES if f"您对{n}的" in asked)
        await person.press(pick(name))
        if name == comment_on:
            await person.send("工作认真，群众认可")
        else:
            await person.press("跳过")
    assert "您的评议" in person.last_text
    await person.press("✅ 提交")


async def opened_round(bot, branch):
    people, ids, contact = await six_members(bot, branch)
    secretary = branch.secretary
    await secretary.send("/appraisal")
    assert "没有进行中的民主评议" in secretary.last_text
    await secretary.press(f"🆕 开启{YEAR}年度评议")
    assert "共6人，其中1人外出" in secretary.last_text
    await secretary.press("✅ 开启评议")
    assert f"{YEAR}年度民主评议已开启，参评党员6人（其中外出1人）" in secretary.texts[-2]
    return people, ids, contact


async def summaries_in(bot, branch, people) -> None:
    """个人总结: five write one (王芳 as a document, 李明 revises his); 刘洋 does not."""
    await forward(branch.secretary)
    for person in people:
        if person.user["first_name"] == "刘洋":
            continue
        await person.send("/appraisal")
        await person.press("✍️ 填写个人总结")
        if person.user["first_name"] == "王芳":
            await person.send_document("总结.docx", b"PK\x03\x04 docx", "application/msword")
        else:
            await person.send(f"{person.user['first_name']}的个人总结：认真学习，服务群众。")
        assert "个人总结已保存" in person.last_text
    li = people[0]
    await li.send("/appraisal")
    await li.press("✍️ 修改个人总结")
    await li.send("李明的个人总结（修改稿）")
    assert "个人总结已修改" in li.last_text


async def test_a_whole_round_with_six_members(bot, branch):
    secretary = branch.secretary
    people, _, contact = await opened_round(bot, branch)
    li, _, _, zhao, liu, _ = people
    assert all(f"{YEAR}年度民主评议党员已开始" in p.last_text for p in people)
    assert not contact.messages  # a contact never takes part, nor is told
    # 学习动员 allows no summary and no rating: a forged press is answered, nothing changes.
    round_id = await bot.db.fetchval("SELECT id FROM appraisal_rounds")
    before = await snapshot(bot)
    await li.send("/appraisal")
    await li.press_data(li.last["message_id"], f"appraisal:ballot:{round_id}")
    assert "当前阶段不能进行此项操作" in li.last_text
    await li.press_data(li.last["message_id"], f"appraisal:summary:{round_id}")
    assert "当前阶段不能进行此项操作" in li.last_text
    assert await snapshot(bot) == before

    await summaries_in(bot, branch, people)
    await secretary.send("/appraisal")
    assert "已提交个人总结：5/6" in secretary.last_text

    await forward(secretary)  # 民主评议
    assert "民主测评开始" in liu.last_text
    # A summary is no longer taken once its stage has ended.
    await liu.press_data(liu.last["message_id"], f"appraisal:summary:{round_id}")
    assert "当前阶段不能进行此项操作" in liu.last_text
    # During the rating the secretary sees how many voted, and nothing of the votes.
    await ballot(li, comment_on="赵强")
    assert "您对5位党员的评议已提交" in li.last_text
    await secretary.send("/appraisal")
    assert "已完成测评：1/6" in secretary.last_text
    await secretary.press("👥 参评党员")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("赵强")))
    assert "测评结果" not in secretary.last_text and "优秀" not in secretary.last_text
    # Rating twice is refused with a clear answer (the button of the first time, pressed again).
    await li.press_data(li.last["message_id"], f"appraisal:ballot:{round_id}")
    assert "不能重复评议" in li.last_text
    for person in people[1:]:
        await ballot(person)

    await forward(secretary)  # 组织定格
    await secretary.press("👥 参评党员")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("赵强")))
    card = secretary.last_text
    assert "测评结果（5人参评）：优秀 0、合格 0、基本合格 0和不合格 5" in card
    assert "· 工作认真，群众认可" in card  # the comment, with no one's name
    await secretary.press("不合格")  # the majority: a comment is optional
    await secretary.send("多次无故不参加组织生活")
    assert "组织定格已保存" in secretary.texts[-2]
    # 李明 graded 合格 against a majority of 优秀: the reason is required.
    await secretary.press("👥 参评党员")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("李明")))
    await secretary.press("合格")
    assert "请输入理由" in secretary.last_text and "跳过" not in secretary.buttons()
    await secretary.send("本年度有一次请假未补学")
    # Too early to move on: not everyone is graded.
    await secretary.send("/appraisal")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("➡️")))
    await secretary.press("✅ 确认")
    assert "还有4名参评党员尚未定格" in secretary.last_text
    for name in ("张华", "王芳", "刘洋", "陈静"):
        await secretary.press("👥 参评党员")
        await secretary.press(next(b for b in secretary.buttons() if b.startswith(name)))
        await secretary.press("合格")
        await secretary.press("跳过")

    await forward(secretary)  # 处置
    await li.send("/appraisal")
    assert "您的组织定格：合格。" in li.last_text
    assert "支部评语：本年度有一次请假未补学" in li.last_text
    assert "赵强" not in li.last_text and "不合格" not in li.last_text
    await zhao.send("/appraisal")
    assert "您的组织定格：不合格。" in zhao.last_text
    # Closing waits for the disposal of the 不合格.
    await secretary.send("/appraisal")
    await secretary.press("🏁 结束本次评议")
    await secretary.press("✅ 确认")
    assert "还有1名被定为不合格的党员尚未作出处置" in secretary.last_text
    await secretary.press("👥 参评党员")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("赵强")))
    await secretary.press("限期改正")
    await secretary.send((today() + timedelta(days=30)).isoformat())
    assert "处置已记录" in secretary.texts[-2]
    assert "改正期限" in secretary.last_text

    # At the deadline the secretary is reminded, once.
    await bot.db.write("UPDATE appraisal_disposals SET deadline = ?", (today().isoformat(),))
    job = JOBS["appraisal-deadlines"]
    now = datetime.now(tz=SHANGHAI)
    assert await job.run(bot.db, branch.id, now, SHANGHAI) == 1
    assert await job.run(bot.db, branch.id, now, SHANGHAI) == 0
    await bot.drain_outbox()
    assert "赵强的限期改正已于" in secretary.last_text
    await secretary.press("👥 参评党员")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("赵强")))
    await secretary.press("📝 记录跟踪情况")
    await secretary.send("已按时参加组织生活，改正较好")
    assert "跟踪情况已记录" in secretary.last_text

    # The round's file.
    await secretary.send("/appraisal")
    await secretary.press("📊 评议档案（XLSX）")
    sheet = load_workbook(io.BytesIO(secretary.last["_files"]["document"]["content"])).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["姓名", "外出情况（流动党员）", "已提交个人总结"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["赵强"][3:7] == [0, 0, 0, 5]
    assert by_name["赵强"][7] == "不合格" and by_name["赵强"][9] == "限期改正"
    assert by_name["陈静"][1] == "浙江省杭州市" and by_name["刘洋"][2] == "否"

    await secretary.press("🏁 结束本次评议")
    await secretary.press("✅ 确认")
    assert "民主评议现已进入：已结束" in secretary.texts[-2]
