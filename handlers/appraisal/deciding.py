"""The secretary's decisions on a participant: the final grade with the branch's comment (a
reason where the grade differs from the majority), the disposal of a 不合格 and its
follow-up; and the round's file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from telegram import Update
from telegram.ext import ConversationHandler as Conv

from bot.context import BotContext
from domain import appraisal as rules
from domain.access import Actor
from domain.appraisal.models import GRADES, Disposal, Grade
from domain.appraisal.record import DECISION_COLUMNS, PARTICIPANT_COLUMNS
from domain.dates import Year, parse_date
from domain.errors import DomainError, InvalidInput
from domain.i18n import Translator
from domain.spreadsheets import Sheet, write_workbook
from handlers.appraisal import buttons as press
from handlers.appraisal.secretary import show_person
from handlers.appraisal.steps import DECISION, Step
from handlers.appraisal.views import (
    DISPOSAL_NAMES,
    grade_name,
    keyboard,
    refuse,
    reply,
)
from handlers.common import (
    answer_and_drop,
    answer_query,
    branch_today,
    drop_buttons,
    error_text,
    tr,
    who,
)
from handlers.console import XLSX, send_file
from handlers.conversation import Refuse, offer, on_press, with_cancel_hint

# ------------------------------------------------------------------ the final grade


@on_press(press.SetGrade, refuse=Refuse.SAID, ended=Conv.END)
async def ask_note(update: Update, context: BotContext, t, pressed, me) -> str | int:
    due = await rules.needs_reason(
        context.db, me, pressed.round_id, pressed.person_id, pressed.grade
    )
    await answer_and_drop(update.callback_query)
    context.user_data[DECISION] = {
        "round": pressed.round_id,
        "person": pressed.person_id,
        "grade": str(pressed.grade),
    }
    chosen = t.gettext("Final grade: {grade}.", grade=grade_name(t, pressed.grade))
    if due:
        await reply(
            update,
            with_cancel_hint(
                t,
                chosen
                + " "
                + t.gettext(
                    "It differs from the majority of the ratings (or too few rated to show one):"
                    " please type the reason. The member will read it as the branch's comment."
                ),
            ),
        )
    else:
        await offer(
            update,
            context,
            chosen + " " + t.gettext("A comment for the member? Type it, or press Skip."),
            keyboard([[press.NoNote().button(t.pgettext("button", "Skip"))]]),
        )
    return Step.GRADE_NOTE


async def save_grade(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    draft = context.user_data.get(DECISION)
    if not draft or "grade" not in draft:
        return Conv.END
    if update.callback_query is not None:
        await answer_and_drop(update.callback_query)
        note = None
    else:
        note = update.effective_message.text
    me, grade = await who(update, context), Grade(draft["grade"])
    try:
        await rules.set_grade(context.db, me, draft["round"], draft["person"], grade, note)
    except DomainError as exc:
        await reply(update, error_text(t, exc))
        return Step.GRADE_NOTE if isinstance(exc, InvalidInput) else Conv.END
    context.user_data.pop(DECISION, None)
    await reply(update, t.gettext("The final grade is saved."))
    await show_person(update, context, draft["round"], draft["person"])
    return Conv.END


# ------------------------------------------------------------------ disposal


async def _take(update: Update, context: BotContext, pressed: press.OnPerson) -> None:
    """A press that asks for a decision on a participant: checked against the round (the
    refusal is `on_press`'s), then taken."""
    await rules.secretary_round(context.db, await who(update, context), pressed.round_id)
    await answer_and_drop(update.callback_query)


@on_press(press.Dispose, refuse=Refuse.SAID, ended=Conv.END)
async def ask_disposal(update: Update, context: BotContext, t, pressed) -> str | int:
    """限期改正 asks for the deadline (a conversation step); 劝退 and 除名 for a confirmation."""
    await _take(update, context, pressed)
    kind = t.gettext(DISPOSAL_NAMES[pressed.kind])
    if pressed.kind is Disposal.CORRECT:
        context.user_data[DECISION] = {"round": pressed.round_id, "person": pressed.person_id}
        await reply(
            update,
            with_cancel_hint(
                t, t.gettext("{kind}: by which date? For example 2027-03-31.", kind=kind)
            ),
        )
        return Step.DEADLINE
    await reply(
        update,
        t.gettext(
            "Record the decision “{kind}”, dated today? It is kept in the round's record.",
            kind=kind,
        )
        + "\n"
        + t.gettext(
            "The member stays on the roster until their departure is recorded with /depart."
        ),
        reply_markup=keyboard(
            [
                [
                    press.DisposeConfirmed(
                        pressed.round_id, pressed.person_id, pressed.kind
                    ).button(t.pgettext("button", "✅ Confirm"))
                ]
            ]
        ),
    )
    return Conv.END


async def _round_today(context: BotContext, me: Actor, round_id: int) -> date:
    """The day in the branch of a round of the secretary's (refused for any other)."""
    round_ = await rules.secretary_round(context.db, me, round_id)
    return await branch_today(context, round_.branch_id)


async def _dispose(
    update: Update,
    context: BotContext,
    t: Translator,
    round_id: int,
    person_id: int,
    kind,
    deadline=None,
) -> bool:
    me = await who(update, context)
    try:
        today = await _round_today(context, me, round_id)
        await rules.dispose(context.db, me, round_id, person_id, kind, today, deadline)
    except DomainError as exc:
        await refuse(update, t, exc)
        return isinstance(exc, InvalidInput)
    await reply(update, t.gettext("The disposal is recorded."))
    await show_person(update, context, round_id, person_id)
    return False


@on_press(press.DisposeConfirmed)
async def confirm_disposal(update: Update, context: BotContext, t, pressed) -> None:
    await drop_buttons(update.callback_query)
    await _dispose(update, context, t, pressed.round_id, pressed.person_id, pressed.kind)
    await answer_query(update.callback_query)


# What the secretary typed for the decision in the making: (t, me, draft, text, today) →
# True to ask for it again.
Typed = Callable[[Translator, Actor, dict, str, date], Awaitable[bool]]


async def _typed(update: Update, context: BotContext, step: Step, act: Typed) -> str | int:
    """A typed answer to the decision's question: `act` records it; a refusal of the text
    asks again at `step`, any other refusal ends the conversation."""
    t, me = await tr(update, context), await who(update, context)
    draft = context.user_data.get(DECISION)
    if not draft:
        return Conv.END
    try:
        today = await _round_today(context, me, draft["round"])
        again = await act(t, me, draft, update.effective_message.text, today)
    except DomainError as exc:
        await reply(update, error_text(t, exc))
        return step if isinstance(exc, InvalidInput) else Conv.END
    if again:
        return step
    context.user_data.pop(DECISION, None)
    return Conv.END


async def deadline_typed(update: Update, context: BotContext) -> str | int:
    async def act(t: Translator, me: Actor, draft: dict, text: str, today: date) -> bool:
        deadline = parse_date(text, today, Year.FUTURE)
        return await _dispose(
            update, context, t, draft["round"], draft["person"], Disposal.CORRECT, deadline
        )

    return await _typed(update, context, Step.DEADLINE, act)


@on_press(press.FollowUp, refuse=Refuse.SAID, ended=Conv.END)
async def ask_follow_up(update: Update, context: BotContext, t, pressed) -> str | int:
    await _take(update, context, pressed)
    context.user_data[DECISION] = {"round": pressed.round_id, "person": pressed.person_id}
    await reply(
        update,
        with_cancel_hint(
            t, t.gettext("How has the correction gone? Type the follow-up; it is dated today.")
        ),
    )
    return Step.FOLLOW_UP


async def follow_up_typed(update: Update, context: BotContext) -> str | int:
    async def act(t: Translator, me: Actor, draft: dict, text: str, today: date) -> bool:
        await rules.follow_up(context.db, me, draft["round"], draft["person"], text, today)
        await reply(update, t.gettext("The follow-up is recorded."))
        return False

    return await _typed(update, context, Step.FOLLOW_UP, act)


# ------------------------------------------------------------------ the round's file


def workbook(t: Translator, year: int, lines: list) -> bytes:
    headers = [t.gettext(h) for h in PARTICIPANT_COLUMNS]
    headers += [t.gettext("Votes: {grade}", grade=grade_name(t, g)) for g in GRADES]
    headers += [t.gettext(h) for h in DECISION_COLUMNS]
    too_few = t.gettext("too few to show")
    rows = []
    for line in lines:
        votes = list(line.votes) if line.votes is not None else [too_few] + [""] * (len(GRADES) - 1)
        rows.append(
            [
                line.name,
                line.outflow or "",
                t.gettext("yes") if line.submitted else t.gettext("no"),
                *votes,
                grade_name(t, line.grade) if line.grade else "",
                line.note or "",
                t.gettext(DISPOSAL_NAMES[line.disposal]) if line.disposal else "",
                line.decided_on or "",
                line.deadline or "",
                line.follow_up or "",
            ]
        )
    title = t.gettext("Democratic appraisal {year}", year=year)
    return write_workbook([Sheet(title, headers, rows)])


@on_press(refuse=Refuse.SAID)
async def export(update: Update, context: BotContext, t) -> None:
    round_id = press.Export.of(update).round_id
    round_, lines = await rules.lines(context.db, await who(update, context), round_id)
    await answer_query(update.callback_query)
    title = t.gettext("Democratic appraisal {year}", year=round_.year)
    await send_file(
        update,
        workbook(t, round_.year, lines),
        f"appraisal-{round_.year}" + XLSX,
        t.ngettext(
            "{title}: {n} participant.", "{title}: {n} participants.", len(lines), title=title
        ),
    )
