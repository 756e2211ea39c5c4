"""The cadre jobs end to end: a January of registration reminders, a quarter's feedback
to two units across two branches, the county's half-year report, an operator's re-send."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot import jobs
from domain import admin, units, workdays
from domain.periods import next_working_day
from domain.post_models import Rating
from storage import cadres as cadre_store
from storage import units as unit_store
from tests import test_cli
from tests.cadre_support import (
    REMINDED_IN_2026,
    attended,
    event,
    hours,
    member,
    post_held,
    registered,
)
from tests.fakes.harness import Person
from tests.flows import count_in_totals

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=SHANGHAI)


async def run(bot, job: str, moment: datetime) -> int:
    """Run a job as the scheduler would at `moment`, then let the sender catch up as if
    it were that moment too."""
    extra = {"settings": bot.settings} if jobs.JOBS[job].needs_settings else {}
    queued = await jobs.JOBS[job].run(bot.db, None, moment, SHANGHAI, **extra)
    bot.sender.clock = lambda: moment.astimezone(UTC)
    await bot.drain_outbox()
    return queued


async def add_contact(bot, unit_id: int, person) -> None:
    """A unit contact as the approved invitation records them."""
    async with bot.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO unit_contacts (unit_id, person_id, since) VALUES (?, ?, 'x')",
            (unit_id, await person_id(bot, person)),
        )


async def person_id(bot, person) -> int:
    row = await bot.db.fetchone("SELECT id FROM people WHERE telegram_id = ?", (person.id,))
    return row[0]


# -------------------------------------------------------------- a January of reminders


async def test_a_january_of_registration_reminders(bot, branch):
    education = await units.add_unit(bot.db, None, "县教育局机关党委")
    contact = bot.person("教育局联络员")
    await member(bot.db, branch.id, "教育局联络员", cadre=False, telegram_id=contact.id)
    await add_contact(bot, education.id, contact)
    late, soon = bot.person("迟局长"), bot.person("早处长")
    for cadre in (late, soon):
        await member(bot.db, branch.id, cadre.user["first_name"], telegram_id=cadre.id)
        await registered(bot.db, cadre.id, branch.secretary.id, education.id, 2025)
    on_leave = bot.person("休假科长")
    await member(bot.db, branch.id, "休假科长", telegram_id=on_leave.id)
    await registered(bot.db, on_leave.id, branch.secretary.id, education.id, 2025)
    async with bot.db.transaction() as conn:
        await cadre_store.set_leave(conn, await person_id(bot, on_leave), date(2026, 3, 31), None)

    received: dict[str, list[date]] = {"late": [], "soon": [], "contact": []}
    watched = {"late": late, "soon": soon, "contact": contact}
    day = date(2025, 12, 29)
    while day <= date(2026, 2, 28):
        if day == date(2026, 1, 9):
            await registered(bot.db, soon.id, branch.secretary.id, education.id, 2026)
        before = {name: len(person.messages) for name, person in watched.items()}
        # In the working day the job queues, but nothing reaches a cadre…
        await run(bot, "cadre-registration", at(day, "10:00"))
        assert len(late.messages) == before["late"] and len(soon.messages) == before["soon"]
        # …until the evening; running again then queues nothing new.
        await run(bot, "cadre-registration", at(day, "19:00"))
        for name, person in watched.items():
            if len(person.messages) > before[name]:
                assert len(person.messages) == before[name] + 1
                received[name].append(day)
        day += timedelta(days=1)

    # 1-3 January 2026 are the New Year holiday; Sunday 4 January is worked (调休).
    assert received["late"] == REMINDED_IN_2026
    assert "年度党员干部注册" in late.texts[0] and "第 6 次" in late.texts[-1]
    # Every reminder carries the button that starts the registration itself.
    assert all(late.buttons(m) == ["📝 立即登记"] for m in late.messages)
    await late.press("📝 立即登记", expecting="哪个单位党组织")
    assert received["soon"] == [date(2026, 1, 4)]
    assert on_leave.messages == []
    # Escalated a week after the sixth, once the Spring Festival holiday (15-23 February)
    # is over, in the unit's office hours.
    assert received["contact"] == [date(2026, 2, 24)]
    [told] = contact.texts
    assert "迟局长" in told and "早处长" not in told and "休假科长" not in told
    assert "13800" not in told and "幸福路" not in told  # names only


# ------------------------------------------------------- a quarter of feedback, two units


async def quarter_of_activity(bot, branch):
    """Two branches, two units; a cadre of the education bureau moves from the first
    branch to the second in August, with activity in both."""
    db = bot.db
    west = await admin.add_branch(db, "西湖社区党支部", "城关区")
    west_secretary = bot.person("西湖书记")
    await admin.add_secretary(db, west.id, west_secretary.id)
    education = await units.add_unit(db, None, "县教育局机关党委")
    health = await units.add_unit(db, None, "县卫健委机关党委")
    contact = bot.person("教育局联络员")
    await member(db, branch.id, "教育局联络员", cadre=False, telegram_id=contact.id)
    await add_contact(bot, education.id, contact)
    group = bot.server.new_group("卫健委党员群")
    async with db.transaction() as conn:
        await unit_store.set_chat(conn, health.id, group["id"])

    mover = await registered(
        db, await member(db, branch.id, "搬家局长"), branch.secretary.id, education.id, 2026
    )
    await hours(db, mover, branch.id, date(2026, 7, 5), 6)
    await attended(db, mover, branch.id, datetime(2026, 7, 6, 1, 0, tzinfo=UTC))
    await post_held(db, mover, branch.id, "政策宣传岗", 2026, Rating.EXCELLENT)
    async with db.transaction() as conn:
        await conn.execute("UPDATE people SET branch_id = ? WHERE id = ?", (west.id, mover))
        await conn.execute("UPDATE roles SET branch_id = ? WHERE person_id = ?", (west.id, mover))
    mover_telegram = (await db.fetchone("SELECT telegram_id FROM people WHERE id = ?", (mover,)))[0]
    await registered(db, mover_telegram, west_secretary.id, education.id, 2026)
    await hours(db, mover, west.id, date(2026, 8, 20), 3)
    await hours(db, mover, west.id, date(2026, 8, 21), 2, verified=False)
    await attended(db, mover, west.id, datetime(2026, 9, 1, 11, 0, tzinfo=UTC))

    teacher = await registered(
        db, await member(db, west.id, "西湖科长"), west_secretary.id, education.id, 2026
    )
    await hours(db, teacher, west.id, date(2026, 9, 3), 4)
    doctor = await registered(
        db, await member(db, west.id, "卫健处长"), west_secretary.id, health.id, 2026
    )
    await attended(db, doctor, west.id, datetime(2026, 8, 8, 1, 0, tzinfo=UTC))
    await member(db, west.id, "普通党员", cadre=False)
    return west, education, health, contact, group


def rows_of(document: dict) -> tuple[list, list[str]]:
    book = load_workbook(io.BytesIO(document["content"]))
    summary = book.worksheets[0]
    rows = [[cell.value for cell in row] for row in summary.iter_rows(min_row=3) if row[0].value]
    return rows, book.sheetnames


async def test_each_unit_receives_its_own_quarter_once(bot, branch):
    _, _, _, contact, group = await quarter_of_activity(bot, branch)
    report_day = at(date(2026, 10, 8), "09:30")  # after the National Day holiday
    assert await run(bot, "cadre-feedback", at(date(2026, 10, 7), "09:30")) == 0
    assert await run(bot, "cadre-feedback", report_day) == 2
    assert await run(bot, "cadre-feedback", report_day) == 0
    assert await run(bot, "cadre-feedback", report_day + timedelta(hours=3)) == 0
    assert await run(bot, "cadre-feedback", report_day + timedelta(days=1)) == 0

    [mail] = contact.messages
    assert "搬家局长" in mail["caption"] and "西湖科长" in mail["caption"]
    assert "卫健处长" not in mail["caption"] and "普通党员" not in mail["caption"]
    rows, sheets = rows_of(mail["_files"]["document"])
    assert sheets == ["汇总", branch.name, "西湖社区党支部"]
    by_name = {row[1]: row for row in rows}
    assert set(by_name) == {"搬家局长", "西湖科长", "2 人"}
    mover = by_name["搬家局长"]
    assert mover[5] == f"{branch.name}、西湖社区党支部"
    assert (mover[6], mover[8], mover[9], mover[10]) == ("是", 2, 4.5, 1)
    assert (mover[11], mover[12]) == ("政策宣传岗", "优秀")
    assert (by_name["西湖科长"][8], by_name["西湖科长"][9]) == (0, 2)
    assert by_name["2 人"][9] == 6.5

    group_messages = bot.server.chat_messages(group["id"])
    assert len(group_messages) == 1
    rows, _ = rows_of(group_messages[0]["_files"]["document"])
    assert [row[1] for row in rows] == ["卫健处长", "1 人"]
    assert rows[0][8] == 1


async def test_a_unit_without_destination_waits_and_an_operator_resends(bot, branch, tmp_path):
    _, education, health, contact, _ = await quarter_of_activity(bot, branch)
    async with bot.db.transaction() as conn:
        await conn.execute("DELETE FROM unit_contacts")
    report_day = at(date(2026, 10, 8), "09:30")
    await run(bot, "cadre-feedback", report_day)
    assert contact.messages == []
    # Both secretaries have education cadres; each is told it waits.
    assert "暂未送达" in branch.secretary.last_text
    # Nothing was queued for the unit: once it has a contact, the next run sends it, once.
    await add_contact(bot, education.id, contact)
    assert await run(bot, "cadre-feedback", report_day) == 1
    assert await run(bot, "cadre-feedback", report_day) == 0
    assert len(contact.messages) == 1

    resend = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "report", "feedback", "--quarter", "2026Q3", "--resend"],
        env=test_cli.environment(
            tmp_path, DATABASE_URL=f"sqlite:///{bot.data_dir / 'partybot.db'}"
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resend.returncode == 0, resend.stderr
    assert "queued=2" in resend.stdout  # an explicit re-send goes to every unit
    # Queued as the operator asked, now; delivered in the next office hours.
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
    office = at(next_working_day(tomorrow, workdays.Calendar()), "10:00")
    bot.sender.clock = lambda: office.astimezone(UTC)
    await bot.drain_outbox()
    first, again = contact.messages
    assert again["caption"] == first["caption"] and "搬家局长" in again["caption"]
    resent = await bot.db.fetchall(
        "SELECT subject_id FROM audit_log WHERE action = 'cadre.feedback_resent'"
    )
    assert sorted(r[0] for r in resent) == sorted([education.id, health.id])


# --------------------------------------------------------------- the county half-year


async def county_contact(bot, branch) -> Person:
    """The county organisation department's contact, who receives the half-year report."""
    county = bot.person("组织部")
    await member(bot.db, branch.id, "县委组织部干部科", cadre=False, telegram_id=county.id)
    async with bot.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO county_contacts (person_id, since) VALUES (?, 'x')",
            (await person_id(bot, county),),
        )
    return county


async def test_the_county_receives_the_half_year_report(bot, branch):
    await quarter_of_activity(bot, branch)
    county = await county_contact(bot, branch)
    assert await run(bot, "county-report", at(date(2026, 10, 8), "09:40")) == 0  # after Q3
    # Friday 1 January 2027 is New Year's Day by rule (no official 2027 data in any
    # package); the weekend follows, so the report is due on Monday.
    monday = at(date(2027, 1, 4), "09:40")
    assert await run(bot, "county-report", monday) == 2
    assert await run(bot, "county-report", monday) == 0
    assert await run(bot, "county-report", monday + timedelta(days=1)) == 0
    chart, table = county.messages
    assert chart["photo"] and "2026H2" in chart["caption"]
    book = load_workbook(io.BytesIO(table["_files"]["document"]["content"]))
    text = " ".join(
        str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
    )
    assert "西湖社区党支部" in text and "县卫健委机关党委" in text


async def test_without_a_font_the_county_still_gets_the_spreadsheet_and_is_told(
    bot, branch, tmp_path, caplog
):
    await quarter_of_activity(bot, branch)
    county = await county_contact(bot, branch)
    garbage = tmp_path / "font.ttc"
    garbage.write_bytes(b"not a font at all")
    bot.overrides["bot_font"] = garbage
    assert await run(bot, "county-report", at(date(2027, 1, 4), "09:40")) == 1
    (table,) = county.messages
    assert table["_files"]["document"]["filename"] == "county-2026H2.xlsx"
    assert "2026H2" in table["caption"] and "图表" in table["caption"]
    assert "no chart drawn" in caplog.text


# ------------------------------------------------------------ participation reminders


async def test_cadres_hear_of_events_and_are_nudged_once_when_idle(bot, branch):
    education = await units.add_unit(bot.db, None, "县教育局机关党委")
    idle, busy, plain = bot.person("闲局长"), bot.person("忙处长"), bot.person("普通党员")
    for cadre in (idle, busy):
        await member(bot.db, branch.id, cadre.user["first_name"], telegram_id=cadre.id)
        await registered(bot.db, cadre.id, branch.secretary.id, education.id, 2026)
    await member(bot.db, branch.id, "普通党员", cadre=False, telegram_id=plain.id)
    await hours(bot.db, await person_id(bot, busy), branch.id, date(2026, 8, 1), 2)
    await event(bot.db, branch.id, at(date(2026, 9, 18), "09:00"))
    await event(bot.db, branch.id, at(date(2026, 9, 18), "15:00"), open_to_cadres=False)
    await event(bot.db, branch.id, at(date(2026, 9, 25), "09:00"))  # too far ahead yet
    await bot.drain_outbox()
    counts = {p.id: len(p.messages) for p in (idle, busy, plain)}

    evening = at(date(2026, 9, 16), "19:15")  # two weeks before 30 September
    assert await run(bot, "cadre-nudge", evening - timedelta(days=1)) == 0
    assert await run(bot, "cadre-nudge", evening) == 1
    assert await run(bot, "cadre-nudge", evening) == 0
    assert await run(bot, "cadre-events", evening) == 2
    assert await run(bot, "cadre-events", evening + timedelta(minutes=5)) == 0

    new = {p.user["first_name"]: p.texts[counts[p.id] :] for p in (idle, busy, plain)}
    assert len(new["闲局长"]) == 2 and "尚无经核实" in new["闲局长"][0]
    assert "主题党日" in new["闲局长"][1] and "2026年9月18日 09:00" in new["闲局长"][1]
    assert len(new["忙处长"]) == 1 and "2026年9月18日 09:00" in new["忙处长"][0]
    assert "参加" in busy.buttons(busy.last)[0]  # the invitation itself: answered in place
    assert new["普通党员"] == []


async def test_cadre_shows_this_quarters_recorded_figures(bot, branch):
    education = await units.add_unit(bot.db, None, "县教育局机关党委")
    cadre = bot.person("钱局长")
    await member(bot.db, branch.id, "钱局长", telegram_id=cadre.id)
    today = datetime.now(SHANGHAI).date()
    me = await registered(bot.db, cadre.id, branch.secretary.id, education.id, today.year)
    await hours(bot.db, me, branch.id, today, 3)
    await hours(bot.db, me, branch.id, today, 1, verified=False)
    await attended(bot.db, me, branch.id, datetime.now(UTC) - timedelta(minutes=5))
    await post_held(bot.db, me, branch.id, "文明劝导岗", today.year, Rating.COMPETENT)
    await bot.drain_outbox()
    await cadre.send("/cadre", expecting="参加活动：1 次")
    assert "核实 1.5 小时" in cadre.last_text and "自报（待核实）0.5 小时" in cadre.last_text
    assert "文明劝导岗" in cadre.last_text and "称职" in cadre.last_text


async def test_the_digest_asks_for_remarks_in_the_week_before_feedback(bot, branch):
    education = await units.add_unit(bot.db, None, "县教育局机关党委")
    cadre = bot.person("孙局长")
    await member(bot.db, branch.id, "孙局长", telegram_id=cadre.id)
    await registered(bot.db, cadre.id, branch.secretary.id, education.id, 2026)
    await bot.drain_outbox()
    digest = jobs.JOBS["secretary-digest"]
    asked = []
    for day in (date(2026, 9, 23), date(2026, 9, 24)):
        seen = len(branch.secretary.texts)
        await digest.run(bot.db, branch.id, at(day, "08:30"), SHANGHAI)
        bot.sender.clock = lambda day=day: at(day, "08:31").astimezone(UTC)
        await bot.drain_outbox()
        asked.append(any("/remark" in text for text in branch.secretary.texts[seen:]))
    # Only from the week before the feedback (the first working day after 30 September).
    assert asked == [False, True]
    assert "孙局长" in branch.secretary.last_text and "/remark" in branch.secretary.last_text


async def test_the_feedback_counts_attested_hours_where_the_branch_chose_so(bot, branch):
    """West's secretary chooses, in the chat, that west's summaries count attested hours:
    the mover's attested hours in west count (not east's), labelled as such."""
    west, *_, contact, _group = await quarter_of_activity(bot, branch)
    secretary_id = await bot.db.fetchval(
        "SELECT p.telegram_id FROM people p JOIN roles r ON r.person_id = p.id"
        " WHERE r.role = 'secretary' AND r.branch_id = ?",
        (west.id,),
    )
    west_secretary = Person(bot, bot.server._users[secretary_id])
    await count_in_totals(west_secretary, "已核实和自报（待核实）的时长")
    assert await run(bot, "cadre-feedback", at(date(2026, 10, 8), "09:30")) == 2

    [mail] = contact.messages
    assert "服务时长（核实+自报）：5.5 小时，其中已核实 4.5 小时" in mail["caption"]
    rows, _ = rows_of(mail["_files"]["document"])
    mover = next(row for row in rows if row[1] == "搬家局长")
    assert (mover[9], mover[10], mover[15], mover[16]) == (4.5, 1, 5.5, "核实+自报")
