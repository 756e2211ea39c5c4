"""A participant's side of /appraisal: what the stage asks of them, their summary, their
ballot (a grade and an optional comment for every other participant, cast at once) and,
once the branch has fixed it, their own final grade. Nobody else's is ever shown."""

from __future__ import annotations

from datetime import tzinfo

from telegram import Update
from telegram.ext import ConversationHandler as Conv

from bot.context import BotContext
from domain import appraisal as rules
from domain import effects
from domain.appraisal.models import GRADES, Grade, Stage
from domain.errors import DomainError
from domain.i18n import Translator
from handlers.appraisal import buttons as press
from handlers.appraisal.steps import BALLOT, SUMMARY, Step
from handlers.appraisal.views import grade_name, keyboard, refuse, reply, stage_name
from handlers.buttons import Button
from handlers.common import answer_and_drop, branch_zone, error_text, tr, who
from handlers.conversation import (
    Refuse,
    answer_stale,
    offer,
    on_press,
    review_keyboard,
    with_cancel_hint,
)


def member_text(t: Translator, mine: rules.MyRound, zone: tzinfo) -> tuple[str, list[list]]:
    round_, me = mine.round, mine.me
    lines = [
        t.gettext(
            "Democratic appraisal of members {year}. Current stage: {stage}.",
            year=round_.year,
            stage=stage_name(t, round_.stage),
        )
    ]
    rows: list[list] = []
    if round_.stage is Stage.STUDY:
        lines.append(
            t.gettext("Study the materials with the branch; the personal summary comes next.")
        )
    if round_.stage is Stage.SUMMARY:
        if me.submitted:
            lines.append(
                t.gettext(
                    "Your summary is in ({date}). You may revise it until this stage ends.",
                    date=t.date(me.submitted_at.astimezone(zone).date()),  # the branch's day
                )
            )
            label = t.pgettext("button", "✍️ Revise my summary")
        else:
            lines.append(t.gettext("Your personal summary is not in yet."))
            label = t.pgettext("button", "✍️ Write my summary")
        rows.append([press.WriteSummary(round_.id).button(label)])
    if round_.stage is Stage.RATING:
        if me.has_rated:
            lines.append(t.gettext("You have cast your ratings. Thank you."))
        else:
            lines.append(
                t.gettext(
                    "Please rate the other {n} participants. Your ratings are secret: nobody,"
                    " the secretary included, sees who gave which.",
                    n=mine.others,
                )
            )
            rows.append(
                [press.StartBallot(round_.id).button(t.pgettext("button", "🗳 Rate the others"))]
            )
    if round_.stage is Stage.GRADING:
        lines.append(t.gettext("The branch is setting the final grades; you will be told yours."))
    if mine.grade_shown:
        lines.append(t.gettext("Your final grade: {grade}.", grade=grade_name(t, me.grade)))
        if me.grade_note:
            lines.append(t.gettext("The branch's comment: {note}", note=me.grade_note))
    return "\n".join(lines), rows


async def show_member(update: Update, context: BotContext, t: Translator) -> bool:
    """The member's part of /appraisal; False when they take part in no round."""
    mine = await rules.my_round(context.db, await who(update, context))
    if mine is None:
        return False
    if mine.round.stage is not Stage.RATING or mine.me.has_rated:
        context.user_data.pop(BALLOT, None)  # an unfinished ballot of a rating now over
    text, rows = member_text(t, mine, await branch_zone(context, mine.round.branch_id))
    await reply(update, text, reply_markup=keyboard(rows) if rows else None)
    return True


# ------------------------------------------------------------------ the summary


@on_press(refuse=Refuse.SAID, ended=Conv.END)
async def ask_summary(update: Update, context: BotContext, t) -> str | int:
    round_id = press.WriteSummary.of(update).round_id
    await rules.can_submit(context.db, await who(update, context), round_id)
    await answer_and_drop(update.callback_query)
    context.user_data[SUMMARY] = round_id
    await reply(
        update,
        with_cancel_hint(
            t,
            t.gettext(
                "Please write your personal summary: how you studied, kept the rules and served"
                " the residents this year, and what you will improve. Type it here, or send it"
                " as a document."
            ),
        ),
    )
    return Step.SUMMARY


async def summary_sent(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    message = update.effective_message
    round_id = context.user_data.get(SUMMARY)
    if round_id is None:
        return Conv.END
    document = message.document
    try:
        revised = await rules.submit(
            context.db,
            await who(update, context),
            round_id,
            text=message.caption if document else message.text,
            file_id=document.file_id if document else None,
            file_name=document.file_name if document else None,
        )
    except DomainError as exc:
        await reply(update, error_text(t, exc))
        return Step.SUMMARY if exc.code.startswith("appraisal_text") else Conv.END
    context.user_data.pop(SUMMARY, None)
    saved = (
        t.gettext("Your summary is revised.") if revised else t.gettext("Your summary is saved.")
    )
    await reply(update, saved + " " + t.gettext("You may revise it until this stage ends."))
    return Conv.END


# ------------------------------------------------------------------ the ballot


def _draft(context: BotContext, round_id: int) -> dict | None:
    draft = context.user_data.get(BALLOT)
    return draft if draft and draft["round"] == round_id else None


async def _ask_grade(update: Update, t: Translator, draft: dict) -> str:
    at = draft["at"]
    ratee_id, name = draft["order"][at]
    buttons = [press.Rate(draft["round"], ratee_id, g).button(grade_name(t, g)) for g in GRADES]
    await reply(
        update,
        t.gettext("({i}/{n}) How do you rate {name}?", i=at + 1, n=len(draft["order"]), name=name),
        reply_markup=keyboard([buttons[:2], buttons[2:]]),
    )
    return Step.GRADE


@on_press(refuse=Refuse.SAID, ended=Conv.END)
async def start_ballot(update: Update, context: BotContext, t) -> str | int:
    round_id = press.StartBallot.of(update).round_id
    ratees = await rules.ballot(context.db, await who(update, context), round_id)
    await answer_and_drop(update.callback_query)
    draft = {
        "round": round_id,
        "order": [[r.person_id, r.name] for r in ratees],
        "grades": {},
        "comments": {},
        "at": 0,
    }
    context.user_data[BALLOT] = draft
    await reply(
        update,
        with_cancel_hint(
            t,
            t.gettext(
                "Rate each of the other participants in turn. Nothing is saved until you submit"
                " them all at the end; then nobody can see who gave which."
            ),
        ),
    )
    return await _ask_grade(update, t, draft)


async def rated(update: Update, context: BotContext) -> str | int:
    # A ballot's presses name whom and how: the inbox keeps none of them.
    effects.forget_content()
    t = await tr(update, context)
    pressed = press.Rate.of(update)
    me = await who(update, context)
    draft = _draft(context, pressed.round_id)
    if me.person is not None and pressed.ratee_id == me.person.id:
        await refuse(update, t, DomainError("appraisal_self"))
        return Step.GRADE
    if draft is None or draft["order"][draft["at"]][0] != pressed.ratee_id:
        await answer_stale(update.callback_query, t)
        return Step.GRADE
    await answer_and_drop(update.callback_query)
    name = draft["order"][draft["at"]][1]
    draft["grades"][str(pressed.ratee_id)] = str(pressed.grade)
    await offer(
        update,
        context,
        t.gettext(
            "{name}: {grade}. A comment on {name}? Type it, or press Skip.",
            name=name,
            grade=grade_name(t, pressed.grade),
        ),
        keyboard([[press.NoComment(pressed.round_id).button(t.pgettext("button", "Skip"))]]),
    )
    return Step.COMMENT


async def _next(update: Update, t: Translator, draft: dict) -> str:
    draft["at"] += 1
    if draft["at"] < len(draft["order"]):
        return await _ask_grade(update, t, draft)
    lines = [t.gettext("Your ratings:")]
    for ratee_id, name in draft["order"]:
        line = f"• {name}: {grade_name(t, Grade(draft['grades'][str(ratee_id)]))}"
        comment = draft["comments"].get(str(ratee_id))
        lines.append(line + (f" — {comment}" if comment else ""))
    lines.append(
        t.gettext("Submit them now? Once submitted they cannot be changed, and stay secret.")
    )
    await reply(
        update,
        "\n".join(lines),
        reply_markup=review_keyboard(
            t, press.CastBallot(draft["round"]), press.RestartBallot(draft["round"])
        ),
    )
    return Step.REVIEW


async def commented(update: Update, context: BotContext) -> str | int:
    # A ballot's presses name whom and how: the inbox keeps none of them.
    effects.forget_content()
    t = await tr(update, context)
    draft = context.user_data.get(BALLOT)
    if draft is None:
        return Conv.END
    ratee_id = draft["order"][draft["at"]][0]
    if update.callback_query is not None:
        if press.NoComment.of(update).round_id != draft["round"]:
            await answer_stale(update.callback_query, t)
            return Step.COMMENT
        await answer_and_drop(update.callback_query)
    else:
        try:
            draft["comments"][str(ratee_id)] = rules.check_comment(update.effective_message.text)
        except DomainError as exc:
            await reply(update, error_text(t, exc))
            return Step.COMMENT
    return await _next(update, t, draft)


async def _reviewed(
    update: Update, context: BotContext, codec: type[Button]
) -> tuple[Translator, dict | None]:
    """A press under the review of the ballot; None for the draft (answered as stale) when
    the press is of another round's ballot, or of none."""
    # A ballot's presses name whom and how: the inbox keeps none of them.
    effects.forget_content()
    t = await tr(update, context)
    draft = _draft(context, codec.of(update).round_id)
    if draft is None:
        await answer_stale(update.callback_query, t)
    return t, draft


async def restart(update: Update, context: BotContext) -> str | int:
    t, draft = await _reviewed(update, context, press.RestartBallot)
    if draft is None:
        return Conv.END
    await answer_and_drop(update.callback_query)
    draft.update(grades={}, comments={}, at=0)
    return await _ask_grade(update, t, draft)


async def cast(update: Update, context: BotContext) -> str | int:
    t, draft = await _reviewed(update, context, press.CastBallot)
    if draft is None:
        return Conv.END
    try:
        done = await rules.cast(
            context.db,
            await who(update, context),
            draft["round"],
            {int(k): Grade(v) for k, v in draft["grades"].items()},
            {int(k): v for k, v in draft["comments"].items()},
        )
    except DomainError as exc:
        await refuse(update, t, exc)
        context.user_data.pop(BALLOT, None)
        return Conv.END
    await answer_and_drop(update.callback_query)
    context.user_data.pop(BALLOT, None)
    await reply(
        update,
        t.ngettext(
            "Your ratings of {n} participant are cast. Thank you.",
            "Your ratings of {n} participants are cast. Thank you.",
            done.rated,
        ),
    )
    return Conv.END
