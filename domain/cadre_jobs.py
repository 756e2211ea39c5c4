"""The scheduled side of dual management (双重管理): registration reminders and their
escalation, reminders of events and the quarterly nudge, the quarterly feedback to each
unit and the half-yearly county report.

Every job decides from the database what is due on its local day and queues through the
outbox with a key naming the person or unit and the day or period, so a second run, or
a run at several instants of a day, queues nothing new. Reminders to cadres are of the
after-hours kind (八小时以外); what goes to unit and county offices, of the office kind.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import aiosqlite

from domain import (
    cadre_figures,
    county_report,
    events,
    fonts,
    notices,
    reminders,
    workdays,
)
from domain.i18n import N_, translator
from domain.notification import Attachment, Kind
from domain.periods import Period, quarter_of
from domain.quarterly_feedback import UnitFeedback, destinations, unit_feedback
from domain.resident_units import cobuild
from domain.unit_of_work import unit_of_work
from storage import cadres, people, units
from storage import events as event_store
from storage.db import Database

log = logging.getLogger(__name__)


class Settings(Protocol):
    """What the county report reads of the bot's configuration."""

    @property
    def bot_font(self) -> Path | None: ...


FEEDBACK_TEMPLATE = "cadre.feedback"  # text rendered in the unit's language when queued
NUDGE_TEMPLATE = "cadre.nudge"  # NUDGE with its date in the reader's style
CAPTION_MAX = 1024  # Telegram's limit for the text sent with a file
EVENT_NOTICE_DAYS = 3

REGISTRATION_REMINDER = N_(
    "Reminder ({n} of {total}): please renew your annual cadre registration for {year} "
    "with your community party branch: press the button below. "
    "On leave? Send /away with the date you are back."
)
# Starts the registration conversation itself, not /cadre first: the data of
# handlers/cadres/registration.StartRegistration (domain/ cannot import its codec).
REGISTER_BUTTON = [[(N_("📝 Register now"), "cadre:register")]]
ESCALATION = N_(
    "{unit}: these cadres have not registered for {year} with their community party "
    "branch after six reminders: {names}"
)
NUDGE = N_(
    "The quarter ends on {date} and no verified activity of yours is recorded in it yet. "
    "Events, posts and volunteer hours in your community all count: see /events and /hours."
)
UNDELIVERABLE = N_(
    "The quarterly feedback for {unit} ({quarter}) is waiting: the unit has no linked "
    "group and no contact person. An operator sends it again once one is set up."
)
COUNTY_CAPTION = N_("Half-yearly report on cadres living in our communities: {period}.")
COUNTY_CAPTION_NO_CHART = N_(
    "Half-yearly report on cadres living in our communities: {period}. The chart could not be"
    " drawn this time (no font with Chinese glyphs); every figure is in the spreadsheet."
)


def _today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


async def registration_reminders(
    db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo
) -> int:
    """From the first working day of January, weekly until registered (at most six),
    then the unit's contacts are told, once, the names of who has not registered."""
    today = _today(now, tz)
    due = await reminders.registration_reminders(db, today)
    if not (due.remind or due.escalate):
        return 0
    sent = await cadres.reminders_sent(db, today.year)
    cadre_people = {p.id: p for p in await cadres.cadre_people(db)}
    recipients = {u: await _unit_recipients(db, u) for u in due.escalate}
    queued = 0
    async with db.transaction() as conn:
        await reminders.record_sent(conn, due, today)
        for person_id in due.remind:
            person = cadre_people[person_id]
            queued += await notices.to_person(
                conn,
                person.telegram_id,
                f"cadre-register:{person_id}:{today.isoformat()}",
                text=REGISTRATION_REMINDER,
                params={
                    "n": len(sent.get(person_id, [])) + 1,
                    "total": reminders.REGISTRATION_REMINDERS_MAX,
                    "year": today.year,
                },
                buttons=REGISTER_BUTTON,
                kind=Kind.AFTER_HOURS,
                branch_id=person.branch_id,
                not_before=now,
            )
        for unit_id, names in due.escalate.items():
            unit = await units.get(db, unit_id)
            assert unit is not None
            for chat_id in recipients[unit_id]:
                queued += await notices.to_person(
                    conn,
                    chat_id,
                    f"cadre-escalate:{unit_id}:{chat_id}:{today.isoformat()}",
                    text=ESCALATION,
                    params={"unit": unit.name, "year": today.year, "names": "、".join(names)},
                    kind=Kind.OFFICE_HOURS,
                    not_before=now,
                )
    return queued


async def _unit_recipients(db: Database, unit_id: int) -> list[int]:
    """The unit's contacts, else its linked group: who is told about its cadres."""
    found = [p.telegram_id for p in await units.contacts(db, unit_id) if p.telegram_id]
    unit = await units.get(db, unit_id)
    if not found and unit is not None and unit.chat_id is not None:
        found = [unit.chat_id]
    return found


async def quarterly_nudge(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Two weeks before the quarter ends, to registered cadres with no verified activity
    (events attended, verified hours, posts held) in it so far."""
    today = _today(now, tz)
    if reminders.recently_due(today, _nudge_day) is None:
        return 0
    quarter = quarter_of(today)
    figures = [f for f in await cadre_figures.gather(db, quarter, tz) if f.registered]
    active = {
        f.person_id: f.events_attended + int(f.hours_verified > 0) + len(f.posts) for f in figures
    }
    states = [
        reminders.CadreState(f.person_id, f.name, f.unit_id, True, f.on_leave_until)
        for f in figures
    ]
    nudge_day = quarter.end - reminders.NUDGE_BEFORE_QUARTER_END
    due = reminders.quarterly_nudge_due(nudge_day, states, active)
    queued = 0
    async with db.transaction() as conn:
        for person_id in due:
            person = await people.get_for_update(conn, person_id)
            if person is None:
                continue
            queued += await notices.to_person(
                conn,
                person.telegram_id,
                f"cadre-nudge:{person_id}:{quarter.label}",
                template=NUDGE_TEMPLATE,
                params={"date": quarter.end.isoformat()},
                kind=Kind.AFTER_HOURS,
                branch_id=person.branch_id,
                not_before=now,
            )
    return queued


def _nudge_day(day: date) -> bool:
    return day == quarter_of(day).end - reminders.NUDGE_BEFORE_QUARTER_END


async def event_notices(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """A few days before an event open to cadres, each cadre of its branch who has not
    answered and was not invited yet (a cadre since the event was announced) gets its
    invitation: one message per event and person (members' own lead-time reminders are
    the events feature's)."""
    leaves = await cadres.leaves(db)
    today = _today(now, tz)
    queued = 0
    async with db.transaction() as conn:
        for row in await cadres.cadre_invitations(db, now, now + timedelta(days=EVENT_NOTICE_DAYS)):
            leave = leaves.get(row["person_id"])
            if leave is not None and today <= leave.until:
                continue
            event = await event_store.get(conn, row["event_id"])
            person = await people.get_for_update(conn, row["person_id"])
            assert event is not None and person is not None
            queued += await events.invite(conn, event, person, tz, now)
    return queued


def caption(summary: UnitFeedback, default_locale: str = "zh_Hans") -> str:
    """The summary as the file's caption; when too long for one, the heading and a count,
    the rest being in the spreadsheet."""
    if len(summary.text) <= CAPTION_MAX:
        return summary.text
    t = translator(summary.unit.locale or default_locale)
    head = summary.text.split("\n\n", 1)[0]
    return "\n\n".join(
        [
            head,
            t.ngettext(
                "{n} cadre; the details are in the attached spreadsheet.",
                "{n} cadres; the details are in the attached spreadsheet.",
                len(summary.figures),
            ),
        ]
    )[:CAPTION_MAX]


async def queue_feedback(
    conn: aiosqlite.Connection,
    db: Database,
    summary: UnitFeedback,
    key: str,
    now: datetime,
) -> int:
    """One unit's summary with its XLSX to its group, else its contacts; none: the
    secretaries of the branches its cadres live in are told it waits."""
    queued = 0
    chats = await destinations(db, summary.unit)
    for chat_id in chats:
        queued += await notices.to_person(
            conn,
            chat_id,
            key if len(chats) == 1 else f"{key}:{chat_id}",
            template=FEEDBACK_TEMPLATE,
            params={"text": caption(summary)},
            kind=Kind.OFFICE_HOURS,
            attachment=Attachment(summary.file_name, content=summary.xlsx),
            not_before=now,
        )
    if chats:
        return queued
    branch_ids = sorted({b for f in summary.figures for b in f.branch_ids})
    for branch_id in branch_ids:
        queued += await notices.to_secretaries(
            conn,
            db,
            branch_id,
            f"{key}:waiting",
            text=UNDELIVERABLE,
            params={"unit": summary.unit.name, "quarter": summary.period.label},
            not_before=now,
        )
    return queued


@reminders.quarterly
async def quarterly_feedback(db: Database, quarter: Period, now: datetime, tz: ZoneInfo) -> int:
    """On the first working day after a quarter, each unit's summary, once."""
    summaries = await unit_feedback(db, quarter, tz)
    queued = 0
    async with db.transaction() as conn:
        for summary in summaries:
            queued += await queue_feedback(conn, db, summary, summary.outbox_key, now)
    return queued


async def resend_feedback(
    db: Database, quarter: Period, tz: ZoneInfo, now: datetime, unit_id: int | None = None
) -> int:
    """An operator's explicit re-send: new keys (the instant of the request), audited."""
    summaries = await unit_feedback(db, quarter, tz, unit_id=unit_id)
    queued = 0
    stamp = now.strftime("%Y%m%dT%H%M%S")
    async with unit_of_work(db, None) as work:
        for summary in summaries:
            key = f"{summary.outbox_key}:resend:{stamp}"
            queued += await queue_feedback(work.conn, db, summary, key, now)
            await work.audit(
                "cadre.feedback_resent", "unit_org", summary.unit.id, quarter=quarter.label
            )
    return queued


async def county_half_year(
    db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo, *, settings: Settings
) -> int:
    """After Q2 and Q4, to the county organisation department's contacts: the chart in
    the message, the XLSX after it."""
    calendar = await workdays.load(db)
    due = reminders.recently_due(
        _today(now, tz), lambda day: reminders.county_report_due(day, calendar)
    )
    if due is None:
        return 0
    half = due[1]
    figures = await cadre_figures.gather(db, half, tz)
    book = county_report.workbook(half, figures, await cobuild.activity(db, half))
    xlsx_name, png_name = county_report.file_names(half)
    parts = [("xlsx", Attachment(xlsx_name, content=book))]
    caption = COUNTY_CAPTION
    try:
        chart = county_report.chart_png(half, figures, fonts.find(settings.bot_font))
    except fonts.FontMissing as missing:
        # The spreadsheet needs no font: it goes out, and the caption says what is missing.
        log.error("county report %s: no chart drawn: %s", half.label, missing.params["tried"])
        caption = COUNTY_CAPTION_NO_CHART
    else:
        parts.insert(0, ("chart", Attachment(png_name, content=chart, photo=True)))
    queued = 0
    async with db.transaction() as conn:
        for chat_id in await county_report.destinations(db):
            for part, attachment in parts:
                queued += await notices.to_person(
                    conn,
                    chat_id,
                    f"county:{half.label}:{chat_id}:{part}",
                    text=caption,
                    params={"period": half.label},
                    kind=Kind.OFFICE_HOURS,
                    attachment=attachment,
                    not_before=now,
                )
    return queued
