"""The secretary's attendance buttons under an event: who is going, checked in and
missing (refreshed live), the check-in code and its QR code, marking people present
afterwards, and the attendance export."""

from __future__ import annotations

import io
from datetime import datetime, tzinfo

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain import events, spreadsheets
from domain.access import Actor
from domain.activity import as_hours
from domain.i18n import Translator
from handlers.common import branch_zone, edit_text, now
from handlers.conversation import Refuse, on_press
from handlers.events.buttons import (
    Attendance,
    CheckInCode,
    Export,
    MarkAttendance,
    Present,
    RefreshAttendance,
)
from handlers.events.views import ANSWER_LABELS, event_zone
from handlers.flow_kit import start_link


def roster_text(t: Translator, roster: events.Roster, tz: tzinfo, moment: datetime) -> str:
    separator = "、" if t.locale.startswith("zh") else ", "

    def names(lines: list[events.Line]) -> str:
        return separator.join(line.name for line in lines) or "—"

    return "\n".join(
        [
            t.gettext("Attendance of {title}:", title=roster.event.title),
            t.gettext("Going ({n}): {names}", n=len(roster.going), names=names(roster.going)),
            t.gettext(
                "Checked in ({n}): {names}",
                n=len(roster.checked_in),
                names=names(roster.checked_in),
            ),
            t.gettext("Missing ({n}): {names}", n=len(roster.missing), names=names(roster.missing)),
            *(
                [
                    t.gettext(
                        "Never checked out, closed at the end ({n}): {names}. Their hours wait "
                        "in /pending.",
                        n=len(roster.auto_closed),
                        names=names(roster.auto_closed),
                    )
                ]
                if roster.auto_closed
                else []
            ),
            t.gettext("As of {time}", time=t.time(moment, tz, "medium")),
        ]
    )


async def _roster(
    context: BotContext, t: Translator, me: Actor, event_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    roster = await events.roster(context.db, me, event_id)
    zone = await branch_zone(context, roster.event.branch_id)
    text = roster_text(t, roster, zone, now(context))
    refresh = RefreshAttendance(event_id).button(t.pgettext("button", "🔄 Refresh"))
    return text, InlineKeyboardMarkup([[refresh]])


@on_press(refuse=Refuse.ALERT, answer=True)
async def show_roster(update: Update, context: BotContext, t, me) -> None:
    event_id = Attendance.of(update).event_id
    text, keyboard = await _roster(context, t, me, event_id)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


@on_press(refuse=Refuse.ALERT, answer=True)
async def refresh_roster(update: Update, context: BotContext, t, me) -> None:
    event_id = RefreshAttendance.of(update).event_id
    text, keyboard = await _roster(context, t, me, event_id)
    await edit_text(update.callback_query, text, keyboard)


@on_press(refuse=Refuse.ALERT, answer=True)
async def show_code(update: Update, context: BotContext, t, me) -> None:
    """The code to read out, and a QR of a deep link that checks in with one scan."""
    event = await events.event_for_secretary(context.db, me, CheckInCode.of(update).event_id)
    code, until = events.current_code(event, now(context))
    link = start_link(context, events.link_payload(event, code))
    text = t.gettext(
        "Check-in code for {title}: {code}\nShow it at the event; it changes at {until}. Members send /checkin and then the code, or scan the QR code.",
        title=event.title,
        code=code,
        until=t.time(until, await branch_zone(context, event.branch_id)),
    )
    import qrcode  # see domain.spreadsheets.new_workbook

    picture = io.BytesIO()
    qrcode.make(link).save(picture, format="PNG")
    await update.effective_message.reply_photo(picture.getvalue(), caption=f"{text}\n{link}")


@on_press(refuse=Refuse.ALERT, answer=True)
async def show_marking(update: Update, context: BotContext, t, me) -> None:
    event_id = MarkAttendance.of(update).event_id
    roster = await events.roster(context.db, me, event_id)
    done = {line.person_id for line in roster.lines if line.checked_out_at is not None}
    rows = [
        [Present(event_id, p.id).button(p.display_name)]
        for p in roster.eligible
        if p.id not in done
    ]
    await update.effective_message.reply_text(
        t.gettext(
            "Who was present at {title}? Press a name to record attendance.",
            title=roster.event.title,
        )
        if rows
        else t.gettext("Everyone's attendance is recorded."),
        reply_markup=InlineKeyboardMarkup(rows[:50]) if rows else None,
    )


def attendance_table(t: Translator, roster: events.Roster, tz: tzinfo) -> list[list]:
    def stamp(moment: datetime | None) -> datetime | str:
        """A typed cell in the branch's zone, to the minute (see domain/spreadsheets.py)."""
        if moment is None:
            return ""
        return moment.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)

    header = [
        t.gettext("Name"),
        t.gettext("Answer"),
        t.gettext("Checked in"),
        t.gettext("Checked out"),
        t.gettext("Checked in by"),
        t.gettext("Verified hours"),
        t.gettext("Never checked out (closed at the end)"),
    ]
    return [header] + [
        [
            line.name,
            t.gettext(ANSWER_LABELS[line.answer]) if line.answer else "",
            stamp(line.checked_in_at),
            stamp(line.checked_out_at),
            t.gettext(line.method.label) if line.method else "",
            as_hours(line.half_hours or 0),
            t.gettext("yes") if line.auto_closed else "",
        ]
        for line in roster.lines
    ]


@on_press(refuse=Refuse.ALERT, answer=True)
async def send_export(update: Update, context: BotContext, t, me) -> None:
    event_id = Export.of(update).event_id
    roster = await events.roster(context.db, me, event_id)
    table = attendance_table(t, roster, await branch_zone(context, roster.event.branch_id))
    xlsx = spreadsheets.write_workbook([spreadsheets.Sheet("attendance", table[0], table[1:])])
    for data, extension in ((spreadsheets.write_csv(table), "csv"), (xlsx, "xlsx")):
        await update.effective_message.reply_document(
            io.BytesIO(data),
            filename=f"attendance-{event_id}.{extension}",
            caption=roster.event.title,
        )


@on_press(Present, refuse=Refuse.ALERT, answer=True)
async def mark_present(update: Update, context: BotContext, t, pressed, me) -> None:
    done = await events.mark_present(
        context.db,
        me,
        pressed.event_id,
        pressed.person_id,
        now(context),
        await event_zone(context, pressed.event_id),
    )
    credited = done.record.hours if done.record else as_hours(0)
    await update.effective_message.reply_text(
        t.gettext("Attendance recorded: {hours} h verified.", hours=t.number(credited))
    )


def handlers() -> list:
    return [
        Attendance.handler(show_roster),
        RefreshAttendance.handler(refresh_roster),
        CheckInCode.handler(show_code),
        MarkAttendance.handler(show_marking),
        Export.handler(send_export),
        Present.handler(mark_present),
    ]
