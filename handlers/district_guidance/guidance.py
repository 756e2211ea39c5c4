"""The instructor's side: /guidance lists the branches they guide; each has its console
(read-only: what its secretary is shown, without contact details) and this month's note,
written in three steps (what was guided, problems found, review)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from domain import instructors
from domain.access import Audience
from domain.errors import NotAllowed
from domain.i18n import N_, Translator
from domain.models import Role
from domain.pending import Kind
from handlers.common import (
    answer_and_drop,
    answer_query,
    branch_today,
    branch_zone,
    error_text,
    now,
    tr,
    who,
)
from handlers.conversation import CANCEL_HINT, on_press, review_keyboard
from handlers.district_guidance.texts import figure_lines, month_label
from handlers.flow_kit import (
    TYPED,
    family,
    or_alert,
    review_buttons,
    start_over,
    submit_fields,
    typed_answer,
    typed_step,
)
from handlers.flow_kit import conversation as draft_conversation
from handlers.pending import KIND_NAMES

DRAFT = "instructor_note"


class Step(StrEnum):
    """The steps of a monthly note. The values are persisted (ptb_conversations): keep them."""

    GUIDED = "guidance.guided"
    PROBLEMS = "guidance.problems"
    REVIEW = "guidance.review"


# A guided branch's two presses in the list: its console, and this month's note on it.
ViewConsole, WriteNote = family(
    Audience.INSTRUCTOR, "guidance:view", "guidance:note", branch_id=int
)
SubmitNote, RedoNote = review_buttons("guidance", Audience.INSTRUCTOR)


async def list_guided(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    found = await instructors.guided_branches(context.db, me)
    if not found:
        await update.effective_message.reply_text(
            error_text(t, NotAllowed("not_instructor"))
            if not me.has(Role.INSTRUCTOR)
            else t.gettext("You guide no branch at present.")
        )
        return
    rows = []
    for branch in found:
        rows.append(
            [
                ViewConsole(branch.id).button("📋 " + branch.name),
                WriteNote(branch.id).button(t.gettext("✍️ Monthly note")),
            ]
        )
    await update.effective_message.reply_text(
        t.gettext("The branches you guide:"), reply_markup=InlineKeyboardMarkup(rows)
    )


def _console_lines(t: Translator, seen: instructors.Console, tz: ZoneInfo) -> list[str]:
    view = seen.digest
    lines = [t.gettext("{branch} (read-only):", branch=seen.branch.name)]
    lines += figure_lines(t, seen.figures)
    waiting = {Kind.JOIN: view["waiting"]} if view["waiting"] else {}
    waiting |= {Kind(k): n for k, n in view["pending"].items()}
    for kind, n in waiting.items():
        lines.append(t.gettext("{what}: {n} waiting", what=t.gettext(KIND_NAMES[kind]), n=n))
    if view["reports_overdue"]:
        lines.append(
            t.gettext(
                "Outflow members whose status report is overdue: {n}", n=view["reports_overdue"]
            )
        )
    if view["expiring"]:
        lines.append(
            t.gettext("Activity certificates expiring within 30 days: {n}", n=view["expiring"])
        )
    if view["unconfirmed"]:
        lines.append(
            t.gettext(
                "Cadre registrations waiting for the secretary: {names}",
                names=t.join(view["unconfirmed"]),
            )
        )
    if view["unregistered"]:
        lines.append(
            t.gettext(
                "Cadres not yet registered this year: {names}", names=t.join(view["unregistered"])
            )
        )
    for title, starts in view["events"]:
        when = t.datetime(datetime.fromisoformat(starts), tz)
        lines.append(t.gettext("Coming up: {title}, {when}", title=title, when=when))
    lines.append(
        t.gettext("This month's note: filed.")
        if seen.note_filed
        else t.gettext("This month's note: not yet filed.")
    )
    return lines


@on_press()
async def view_console(update: Update, context: BotContext, t) -> None:
    branch_id = ViewConsole.of(update).branch_id
    tz = await branch_zone(context, branch_id)
    me = await who(update, context)
    seen = await or_alert(
        update.callback_query, t, instructors.console(context.db, me, branch_id, now(context), tz)
    )
    if seen is None:
        return
    # The list stays: the instructor goes on to another branch, or to the note.
    await answer_query(update.callback_query)
    await update.effective_message.reply_text("\n".join(_console_lines(t, seen, tz)))


@on_press()
async def start_note(update: Update, context: BotContext, t) -> Step | int:
    branch_id = WriteNote.of(update).branch_id
    if not (await who(update, context)).has(Role.INSTRUCTOR, branch_id):
        await answer_query(
            update.callback_query, error_text(t, NotAllowed("not_instructor")), alert=True
        )
        return ConversationHandler.END
    await answer_query(update.callback_query)
    month = instructors.month_of(await branch_today(context, branch_id))
    context.user_data[DRAFT] = {"branch_id": branch_id, "month": month}
    await update.effective_message.reply_text(
        t.gettext(
            "Your note for {month}. What did you guide this month?", month=month_label(t, month)
        )
        + "\n"
        + t.gettext(CANCEL_HINT)
    )
    return Step.GUIDED


def _guided(text: str) -> str:
    return instructors.note_text(text, "note_guided")


def _problems(text: str) -> str:
    return instructors.note_text(text, "note_problems", 1)


guided = typed_answer(DRAFT, "guided", _guided, N_("What problems did you find?"), Step.PROBLEMS)


@typed_step(DRAFT, "problems", _problems)
async def problems(update: Update, context: BotContext, t) -> Step:
    draft = context.user_data[DRAFT]
    await update.effective_message.reply_text(
        t.gettext(
            "Please check your note for {month}:\nGuided: {guided}\nProblems found: {problems}",
            month=month_label(t, draft["month"]),
            guided=draft["guided"],
            problems=draft["problems"],
        ),
        reply_markup=review_keyboard(t, SubmitNote(), RedoNote()),
    )
    return Step.REVIEW


SENT = N_("Thank you: your note has been sent to the district.")
submit = submit_fields(
    DRAFT, SENT, instructors.file_note, "branch_id", "month", "guided", "problems"
)


@on_press()
async def redo(update: Update, context: BotContext, t) -> Step:
    await answer_and_drop(update.callback_query)
    start_over(context, DRAFT, "branch_id", "month")
    await update.effective_message.reply_text(t.gettext("What did you guide this month?"))
    return Step.GUIDED


def conversation() -> ConversationHandler:
    return draft_conversation(
        "guidance_note",
        [WriteNote.handler(start_note)],
        {
            Step.GUIDED: [MessageHandler(TYPED, guided)],
            Step.PROBLEMS: [MessageHandler(TYPED, problems)],
            Step.REVIEW: [SubmitNote.handler(submit), RedoNote.handler(redo)],
        },
        DRAFT,
        stray=filters.UpdateType.MESSAGE & ~filters.COMMAND,
    )


def handlers() -> list:
    return [CommandHandler("guidance", list_guided), ViewConsole.handler(view_console)]
