"""The democratic appraisal of members (民主评议党员) end to end over the fake Bot API: a
whole round with six members, its secrecy, its refusals, in both languages."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.jobs import JOBS
from domain import admin, appraisal
from domain.access import actor
from domain.appraisal.models import Grade, Stage
from domain.mobile.models import Direction
from domain.models import Role
from storage import mobile
from tests.conftest import Branch, branch_with_secretary
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
    if lang == "en":  # their client's language, remembered for the notifications
        for person in people:
            await person.send("/appraisal")
            assert person.last_text == "No democratic appraisal is under way for you."
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


async def ballot(
    person, pick=grade_for, comment_on: str | None = None, comment: str = "工作认真，群众认可"
) -> None:
    """The person's ballot through the chat: each other participant graded by `pick`, a
    comment on `comment_on`, Skip for the rest, then submitted."""
    await person.send("/appraisal")
    await person.press("🗳 评议其他党员")
    for _ in range(len(NAMES) - 1):
        asked = person.last_text
        name = next(n for n in NAMES if f"您对{n}的" in asked)
        await person.press(pick(name))
        if name == comment_on:
            await person.send(comment)
        else:
            await person.press("跳过")
    assert "您的评议" in person.last_text
    await person.press("✅ 提交")


async def opened_round(bot, branch):
    people, ids, contact = await six_members(bot, branch)
    secretary = branch.secretary
    await secretary.send("/appraisal", expecting="没有进行中的民主评议")
    await secretary.press(f"🆕 开启{YEAR}年度评议", expecting="共6人，其中1人外出")
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
    await li.send("李明的个人总结（修改稿）", expecting="个人总结已修改")


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
    await secretary.send("/appraisal", expecting="已提交个人总结：5/6")

    await forward(secretary)  # 民主评议
    assert "民主测评开始" in liu.last_text
    # A summary is no longer taken once its stage has ended.
    await liu.press_data(liu.last["message_id"], f"appraisal:summary:{round_id}")
    assert "当前阶段不能进行此项操作" in liu.last_text
    # During the rating the secretary sees how many voted, and nothing of the votes.
    await ballot(li, comment_on="赵强")
    assert "您对5位党员的评议已提交" in li.last_text
    await secretary.send("/appraisal", expecting="已完成测评：1/6")
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
    await secretary.press("✅ 确认", expecting="还有4名参评党员尚未定格")
    for name in ("张华", "王芳", "刘洋", "陈静"):
        await secretary.press("👥 参评党员")
        await secretary.press(next(b for b in secretary.buttons() if b.startswith(name)))
        await secretary.presses("合格", "跳过")

    await forward(secretary)  # 处置
    await li.send("/appraisal", expecting="您的组织定格：合格。")
    assert "支部评语：本年度有一次请假未补学" in li.last_text
    assert "赵强" not in li.last_text and "不合格" not in li.last_text
    await zhao.send("/appraisal", expecting="您的组织定格：不合格。")
    # Closing waits for the disposal of the 不合格.
    await secretary.send("/appraisal")
    await secretary.presses(
        "🏁 结束本次评议", "✅ 确认", expecting="还有1名被定为不合格的党员尚未作出处置"
    )
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
    await secretary.send("已按时参加组织生活，改正较好", expecting="跟踪情况已记录")

    # The round's file.
    await secretary.send("/appraisal")
    await secretary.press("📊 评议档案（XLSX）")
    sheet = load_workbook(io.BytesIO(secretary.last["_files"]["document"]["content"])).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["姓名", "外出情况（流动党员）", "已提交个人总结"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["赵强"][3:7] == [0, 0, 0, 5]
    assert by_name["赵强"][7] == "不合格" and by_name["赵强"][9] == "限期改正"
    # The decision's day and the deadline are typed dates, shown in the reader's locale.
    assert by_name["赵强"][10].date() == today()
    assert by_name["赵强"][11].date() == today()  # moved to today above
    assert by_name["陈静"][1] == "浙江省杭州市" and by_name["刘洋"][2] == "否"

    await secretary.presses("🏁 结束本次评议", "✅ 确认")
    assert "民主评议现已进入：已结束" in secretary.texts[-2]


# Columns that name a person by id, in every table.
PERSON_COLUMNS = {"person_id", "ratee_id", "actor_id", "created_by", "decided_by", "graded_by"}


def sent_by(data: str) -> int | None:
    update = json.loads(data)
    event = update.get("message") or update.get("callback_query") or {}
    return event.get("from", {}).get("id")


# Every table of the schema, in each engine's catalogue.
TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT table_name FROM information_schema.tables"
    " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
}
# A table's columns in order, likewise.
COLUMNS = {
    "sqlite": "SELECT name FROM pragma_table_info(?) ORDER BY cid",
    "postgresql": "SELECT column_name AS name FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
}


async def participants_in_a_row(bot, people, ids: list[int]) -> list[tuple[str, tuple]]:
    """Every stored row that names two or more of the participants (by name in a text, or
    by id in a column that holds a person's id): a row that could link a rater to a ratee.
    The secretary's own updates (their screens list everyone) are not a participant's."""
    names = dict(zip(ids, NAMES, strict=True))
    accounts = {p.id for p in people}
    found = []
    for (table,) in await bot.db.fetchall(TABLES[bot.db.engine]):
        for row in await bot.db.fetchall(f"SELECT * FROM {table}"):
            if table == "ptb_inbox" and sent_by(row["data"]) not in accounts:
                continue
            named = set()
            for column in row.keys():  # noqa: SIM118 - a sqlite3.Row iterates its values
                value = row[column]
                if isinstance(value, str):
                    named |= {i for i, name in names.items() if name in value}
                elif column in PERSON_COLUMNS or (
                    column == "subject_id" and row["subject_type"] == "person"
                ):
                    named |= {value} & set(ids)
            if len(named) > 1:
                found.append((table, tuple(row)))
    return found


async def test_nobody_learns_who_rated_whom(bot, branch):
    """The secretary's screens, the round's file, the audit log and every stored row hold the
    counts and the comments, and never who gave which; a person rated by fewer than five
    shows "too few to show" everywhere."""
    secretary = branch.secretary
    people, ids, _ = await opened_round(bot, branch)
    li, liu = people[0], people[4]
    await forward(secretary)
    await forward(secretary)  # 民主评议, without summaries
    comments = ["工作认真", "服务热情", "学习积极", "作风扎实", "团结同志"]
    raters = [p for p in people if p is not liu]  # 刘洋 does not rate
    for rater, comment in zip(raters, comments, strict=True):
        await ballot(
            rater,
            pick=lambda name: "基本合格" if name == "刘洋" else "合格",
            comment_on="刘洋",
            comment=comment,
        )
    await forward(secretary)  # 组织定格

    # Only 刘洋 was rated by five: his counts and comments show, nobody else's.
    await secretary.press("👥 参评党员")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("刘洋")))
    card = secretary.last_text
    assert "测评结果（5人参评）：优秀 0、合格 0、基本合格 5和不合格 0" in card
    assert all(f"· {comment}" in card for comment in comments)
    assert not any(rater.user["first_name"] in card for rater in raters)
    await secretary.press("👥 参评党员")
    await secretary.press(
        next(b for b in secretary.buttons() if b.startswith("李明")),
        expecting="评议人数不足，不予显示（少于5人）",
    )
    # The participants' list looks the same for those who rated and for 刘洋, who did not.
    await secretary.press("👥 参评党员")
    assert secretary.buttons() == [*NAMES[:-1], "陈静 （外出：浙江省杭州市）"]
    await secretary.send("/appraisal", expecting="已完成测评：5/6")
    # No screen of the secretary's puts a rater beside a ratee's grade or comment.
    for text in secretary.texts:
        assert not any(rater.user["first_name"] in text and "· " in text for rater in raters[1:])

    # The round's file: counts for 刘洋 only, and nothing about who rated.
    await secretary.press("📊 评议档案（XLSX）")
    sheet = load_workbook(io.BytesIO(secretary.last["_files"]["document"]["content"])).active
    rows = {r[0]: r for r in ([c.value for c in row] for row in sheet.iter_rows(min_row=2))}
    assert rows["刘洋"][3:7] == [0, 0, 5, 0]
    assert rows["李明"][3:7] == ["人数不足，不予显示", None, None, None]
    assert not any("测评" in str(h) for h in next(sheet.iter_rows(values_only=True)))

    # /export has the same sheet, by the same rule.
    await secretary.send("/export")
    await secretary.press("民主评议党员（最近一次）")
    book = load_workbook(io.BytesIO(secretary.last["_files"]["document"]["content"]))
    exported = {r[1]: r for r in book.active.iter_rows(min_row=2, values_only=True)}
    assert exported["刘洋"][4:8] == (0, 0, 5, 0)
    assert exported["李明"][4] == "人数不足，不予显示" and exported["李明"][3] == "否"

    # The audit log says who cast a ballot, of which round: nothing of whom or how.
    rated = await bot.db.fetchall(
        "SELECT actor_id, subject_type, details FROM audit_log WHERE action = 'appraisal.rated'"
    )
    assert sorted(r["actor_id"] for r in rated) == sorted(ids[:4] + ids[5:])
    assert {(r["subject_type"], r["details"]) for r in rated} == {("appraisal_round", "{}")}
    await secretary.send("/audit")
    assert all(name not in secretary.last_text for name in ("刘洋", "基本合格", "工作认真"))

    # The stored rows: no row anywhere names two participants, the ballot's presses are
    # forgotten by the inbox, the comments have neither rater nor order, no draft is left.
    assert await participants_in_a_row(bot, people, ids) == []
    assert not await bot.db.fetchall(
        "SELECT 1 FROM ptb_inbox WHERE data LIKE '%appraisal:rate%' OR data LIKE '%appraisal:cast%'"
        " OR data LIKE '%评议等次%' OR data LIKE '%您的评议%'"
    )
    columns = await bot.db.fetchall(COLUMNS[bot.db.engine], ("appraisal_comments",))
    assert [c["name"] for c in columns] == ["id", "round_id", "ratee_id", "text"]
    stored = await bot.db.fetchall("SELECT id, text FROM appraisal_comments")
    assert stored == [] or all(r["id"] > 2**32 for r in stored)
    assert not await bot.db.fetchall("SELECT 1 FROM update_effects")
    assert not await bot.db.fetchall("SELECT 1 FROM ptb_user_data WHERE data LIKE '%ballot%'")
    assert li.texts.count("您对5位党员的评议已提交，谢谢。") == 1


async def ballot_en(person, pick) -> None:
    await person.send("/appraisal")
    await person.press("🗳 Rate the others")
    for _ in range(len(NAMES) - 1):
        name = next(n for n in NAMES if f"How do you rate {n}?" in person.last_text)
        await person.presses(pick(name), "Skip")
    assert "Your ratings:" in person.last_text
    await person.press("✅ Submit")


async def test_a_round_in_english_and_each_ones_own_mydata(bot):
    secretary = bot.person("Secretary", language_code="en")
    created = await admin.add_branch(bot.db, "幸福社区党支部")
    await admin.add_secretary(bot.db, created.id, secretary.id)
    english = Branch(created.id, created.name, secretary)
    people, ids, _ = await six_members(bot, english, lang="en")
    li, zhao = people[0], people[3]
    await secretary.send("/appraisal", expecting="No democratic appraisal is open in the branch.")
    await secretary.press(f"🆕 Open the round for {YEAR}", expecting="6 people, 1 of them away")
    await secretary.press("✅ Open the round")
    assert f"The democratic appraisal of members for {YEAR} has begun" in li.last_text
    await forward(secretary, "➡️ Next stage", "✅ Confirm")
    assert "please write your personal summary" in li.last_text
    await li.send("/appraisal")
    await li.press("✍️ Write my summary")
    await li.send(
        "My summary: studied the Party Constitution, served the residents.",
        expecting="Your summary is saved.",
    )
    await forward(secretary, "➡️ Next stage", "✅ Confirm")
    assert "the rating has begun" in li.last_text
    round_id = await bot.db.fetchval("SELECT id FROM appraisal_rounds")
    # Rating oneself by forged data is refused, in English, and the ballot goes on.
    await li.send("/appraisal")
    await li.press("🗳 Rate the others")
    await li.press_data(li.last["message_id"], f"appraisal:rate:{round_id}:{ids[0]}:excellent")
    assert li.answer == "You cannot rate yourself. Nothing was changed."
    await li.send("/cancel")
    for person in people:
        await ballot_en(person, lambda name: GRADES_EN[3] if name == "赵强" else GRADES_EN[1])
        assert "are cast. Thank you." in person.last_text
    await forward(secretary, "➡️ Next stage", "✅ Confirm")
    assert "the rating is over" in li.last_text
    for name in NAMES:
        await secretary.press("👥 Participants")
        await secretary.press(next(b for b in secretary.buttons() if b.startswith(name)))
        if name == "赵强":
            assert (
                "Ratings (5 people): excellent (优秀) 0, qualified (合格) 0" in secretary.last_text
            )
        await secretary.press(GRADES_EN[3] if name == "赵强" else GRADES_EN[1])
        await secretary.press("Skip")
        assert "The final grade is saved." in secretary.texts[-2]
    await forward(secretary, "➡️ Next stage", "✅ Confirm")
    await zhao.send("/appraisal", expecting="Your final grade: unqualified (不合格).")
    await li.send("/appraisal")
    assert "Your final grade: qualified (合格)." in li.last_text and "赵强" not in li.last_text

    # /mydata: one's own summary and grade, nothing of the others' (the secretary's too).
    await li.send("/mydata")
    mine = json.loads(li.last["_files"]["document"]["content"])
    [part] = mine["appraisal"]
    assert part["summary_text"].startswith("My summary") and part["grade"] == "qualified"
    assert part["has_rated"] is True
    assert "unqualified" not in json.dumps(mine) and "赵强" not in json.dumps(mine)
    await zhao.send("/mydata")
    theirs = json.dumps(json.loads(zhao.last["_files"]["document"]["content"]))
    assert "My summary" not in theirs and '"grade": "unqualified"' in theirs
    await secretary.send("/mydata")
    secretarys = json.loads(secretary.last["_files"]["document"]["content"])
    assert "appraisal" not in secretarys or secretarys["appraisal"] == []
    # The secretary's own steps of the round are theirs; the grades they set are not.
    steps = [e for e in secretarys["audit_log"] if e["action"].startswith("appraisal.")]
    assert {e["action"] for e in steps} == {"appraisal.opened", "appraisal.stage"}
    assert "unqualified" not in json.dumps(secretarys)


async def test_counselling_out_is_confirmed_and_another_branchs_secretary_is_refused(bot, branch):
    """A round brought to 处置 by the rules, then the chat: 劝退 asks for a confirmation and
    is recorded; the same press by the secretary of another branch changes nothing."""
    people, ids, _ = await six_members(bot, branch)
    me = await actor(bot.db, branch.secretary.id)
    round_id = (await appraisal.open_round(bot.db, me, branch.id, YEAR, today())).round.id
    for stage in (Stage.STUDY, Stage.SUMMARY, Stage.RATING):
        await appraisal.advance(bot.db, me, round_id, stage)
    for person_id in ids:
        grade = Grade.UNQUALIFIED if person_id == ids[3] else Grade.QUALIFIED
        await appraisal.set_grade(bot.db, me, round_id, person_id, grade, "理由")
    await appraisal.advance(bot.db, me, round_id, Stage.GRADING)

    other = await branch_with_secretary(bot, "光明社区党支部", "外支部书记")
    before = await snapshot(bot)
    forged = f"appraisal:dispose-ok:{round_id}:{ids[3]}:counsel_out"
    await other.secretary.send("/appraisal")
    await other.secretary.press_data(other.secretary.last["message_id"], forged)
    assert "只有支部书记" in other.secretary.last_text
    await people[0].send("/appraisal")
    await people[0].press_data(people[0].last["message_id"], forged)
    assert "只有支部书记" in people[0].last_text
    assert await snapshot(bot) == before

    secretary = branch.secretary
    await secretary.send("/appraisal")
    await secretary.press("👥 参评党员")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("赵强")))
    await secretary.press("劝退")
    assert "确定记录“劝退”的决定" in secretary.last_text and "/depart" in secretary.last_text
    await secretary.press("✅ 确认")
    assert "处置已记录" in secretary.texts[-2]
    assert f"处置：劝退，{today().year}年" in secretary.last_text
    await secretary.press_data(secretary.last["message_id"], forged)  # a second time
    assert "该党员的处置已经记录过" in secretary.last_text
