"""The cadre's own view: /cadre (my registration, leave, and what my unit receives this
quarter, with a button to renew or register) and /away (pausing reminders while away)."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot import sender
from bot.context import BotContext
from domain import cadre_figures, cadre_jobs, cadres, dates, periods, quarterly_feedback
from domain.access import Audience
from domain.errors import DomainError
from domain.i18n import Translator
from handlers.buttons import Button
from handlers.cadres.registration import (
    StartRegistration,
    facts_lines,
    sent_to_secretary,
    today,
    unit_label,
)
from handlers.common import answer_and_drop, error_text, tr, who
from handlers.conversation import on_press
from storage.db import Database


class Renew(Button, prefix="cadre:renew", audience=Audience.CADRE):
    """Last year's registration again, unchanged."""


@sender.renderer(cadre_jobs.NUDGE_TEMPLATE)
async def nudge(t: Translator, db: Database, params: dict) -> sender.Rendered:
    return sender.Rendered(
        t.gettext(cadre_jobs.NUDGE, date=t.date(date.fromisoformat(params["date"])))
    )


async def show_cadre(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    day = today(context)
    try:
        mine = await cadres.mine(context.db, me, day)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    shown = mine.current or mine.pending or mine.previous
    buttons = []
    if mine.current:
        head = t.gettext("Your cadre registration for {year} is confirmed.", year=mine.year)
    elif mine.pending:
        head = t.gettext(
            "Your registration for {year} is waiting for the secretary's confirmation.",
            year=mine.pending.year,
        )
    elif mine.previous:
        head = t.gettext(
            "You are not yet registered for {year}. Your last registration was for {last}; please renew it.",
            year=mine.year,
            last=mine.previous.year,
        )
        buttons = [
            [Renew().button(t.pgettext("button", "🔁 Renew unchanged"))],
            [StartRegistration().button(t.pgettext("button", "✏️ Register with changes"))],
        ]
    else:
        head = t.gettext("You are not registered as a cadre for {year}.", year=mine.year)
        buttons = [[StartRegistration().button(t.pgettext("button", "📝 Register"))]]
    lines = [head]
    if shown:
        facts = cadres.Facts.of(shown)
        lines += ["", *facts_lines(t, facts, unit_label(t, facts, mine.unit and mine.unit.name))]
    if mine.leave:
        lines += ["", t.gettext("On leave until {date}", date=t.date(mine.leave.until))]
    figure = await this_quarter(context, me.person.id, day)
    if figure is not None:
        quarter = periods.quarter_of(day)
        lines += [
            "",
            t.gettext(
                "This quarter ({period}) your unit will receive:",
                period=quarterly_feedback.period_label(t, quarter),
            ),
            *("• " + line for line in quarterly_feedback.cadre_lines(t, figure, mine.year)),
        ]
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons) if buttons else None
    )


async def this_quarter(
    context: BotContext, person_id: int, day: date
) -> cadre_figures.CadreFigures | None:
    """My line of this quarter's feedback, with the figures my unit will receive."""
    figures = await cadre_figures.gather(context.db, periods.quarter_of(day), context.settings.tz)
    return next((f for f in figures if f.person_id == person_id), None)


@on_press()
async def renew(update: Update, context: BotContext, query, t) -> None:
    await answer_and_drop(query)
    try:
        submitted = await cadres.renew(context.db, await who(update, context), today(context).year)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await sent_to_secretary(update, t, submitted)


async def away(update: Update, context: BotContext) -> None:
    """/away 2026-12-31 [note] pauses reminders; /away off ends it."""
    t = await tr(update, context)
    args = context.args or []
    if not args:
        await update.effective_message.reply_text(
            t.gettext(
                "To pause reminders while you are away, send /away followed by the last day, e.g. /away 2026-12-31 study trip. Send /away off when you are back."
            )
        )
        return
    day = today(context)
    try:
        until = (
            None if args[0].lower() == "off" else dates.parse_date(args[0], day, dates.Year.FUTURE)
        )
        await cadres.set_leave(
            context.db, await who(update, context), until, " ".join(args[1:]) or None, day
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await update.effective_message.reply_text(
        t.gettext("Reminders are back on.")
        if until is None
        else t.gettext(
            "Noted: on leave until {date}. Reminders pause and your unit's summary will say so.",
            date=t.date(until),
        )
    )


def my_cadre_handlers() -> list[BaseHandler]:
    return [
        CommandHandler("cadre", show_cadre),
        CommandHandler("away", away),
        Renew.handler(renew),
    ]
