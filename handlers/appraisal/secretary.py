"""The secretary's side of /appraisal: open the year's round, move it on stage by stage,
look at the participants (summaries; after the rating, the counts where enough rated, never
who gave which), set the final grades, decide the disposals, and take the round's file."""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot.context import BotContext
from domain import appraisal as rules
from domain.access import Actor
from domain.appraisal.ballots import COUNTS_SHOWN
from domain.appraisal.models import GRADES, Disposal, Grade, Round, Stage, next_stage
from domain.errors import DomainError
from domain.i18n import Translator
from handlers.appraisal import buttons as press
from handlers.appraisal.views import (
    DISPOSAL_NAMES,
    counts_line,
    grade_name,
    keyboard,
    refuse,
    reply,
    stage_name,
)
from handlers.branch_choice import acting_branch
from handlers.common import (
    answer_and_drop,
    answer_query,
    branch_today,
    tr,
    who,
)
from handlers.conversation import Refuse, on_press


async def show_secretary(
    update: Update, context: BotContext, t: Translator, branch_id: int
) -> None:
    today = await branch_today(context, branch_id)
    round_ = await rules.current(context.db, branch_id)
    if round_ is None or round_.stage is Stage.CLOSED:
        years = [y for y in (today.year, today.year - 1) if round_ is None or y > round_.year]
        text = (
            t.gettext("No democratic appraisal is open in the branch.")
            if round_ is None
            else t.gettext("The democratic appraisal {year} is closed.", year=round_.year)
        )
        rows = [
            [
                press.OpenRound(y).button(
                    t.pgettext("button", "🆕 Open the round for {year}").format(year=y)
                )
            ]
            for y in years
        ]
        if round_ is not None:
            rows.append(
                [press.Export(round_.id).button(t.pgettext("button", "📊 The round's file (XLSX)"))]
            )
        await reply(update, text, reply_markup=keyboard(rows) if rows else None)
        return
    progress = await rules.progress(context.db, branch_id, round_.year)
    lines = [
        t.gettext(
            "Democratic appraisal {year}, current stage: {stage}.",
            year=round_.year,
            stage=stage_name(t, round_.stage),
        ),
        t.gettext("Participants: {n}", n=progress.participants),
        t.gettext(
            "Summaries submitted: {n} of {total}", n=progress.submitted, total=progress.participants
        ),
        t.gettext("Ratings cast: {n} of {total}", n=progress.rated, total=progress.participants),
        t.gettext(
            "Final grades set: {n} of {total}", n=progress.graded, total=progress.participants
        ),
    ]
    ahead = next_stage(round_.stage)
    label = (
        t.pgettext("button", "🏁 Close the round")
        if ahead is Stage.CLOSED
        else t.pgettext("button", "➡️ Next stage: {stage}").format(stage=stage_name(t, ahead))
    )
    rows = [
        [press.People(round_.id).button(t.pgettext("button", "👥 Participants"))],
        [press.Forward(round_.id, round_.stage).button(label)],
        [press.Export(round_.id).button(t.pgettext("button", "📊 The round's file (XLSX)"))],
    ]
    await reply(update, "\n".join(lines), reply_markup=keyboard(rows))


# ------------------------------------------------------------------ opening, stages


async def _acting(update: Update, context: BotContext) -> tuple[Actor, int, date]:
    """The secretary, the branch they act for and its day."""
    me = await who(update, context)
    branch_id = acting_branch(context, me)
    return me, branch_id, await branch_today(context, branch_id)


@on_press(refuse=Refuse.SAID)
async def ask_open(update: Update, context: BotContext, t) -> None:
    year = press.OpenRound.of(update).year
    me, branch_id, today = await _acting(update, context)
    n, away = await rules.preview(context.db, me, branch_id, year, today)
    await answer_query(update.callback_query)
    await reply(
        update,
        t.gettext(
            "Open the democratic appraisal for {year}? Every active member of the branch takes"
            " part: {n} people, {away} of them away from the branch (mobile members, noted"
            " with where they are). Contacts of organisations do not take part.",
            year=year,
            n=n,
            away=away,
        ),
        reply_markup=keyboard(
            [[press.OpenConfirmed(year).button(t.pgettext("button", "✅ Open the round"))]]
        ),
    )


@on_press(refuse=Refuse.SAID_DROP)
async def open_round(update: Update, context: BotContext, t) -> None:
    year = press.OpenConfirmed.of(update).year
    me, branch_id, today = await _acting(update, context)
    opened = await rules.open_round(context.db, me, branch_id, year, today)
    await answer_and_drop(update.callback_query)
    await reply(
        update,
        t.gettext(
            "The democratic appraisal {year} is open with {n} participants ({away} away)."
            " They have been told.",
            year=year,
            n=opened.participants,
            away=opened.away,
        ),
    )
    await show_secretary(update, context, t, branch_id)


@on_press(press.Forward, refuse=Refuse.SAID)
async def ask_forward(update: Update, context: BotContext, t, pressed) -> None:
    ahead = next_stage(pressed.seen)
    await rules.secretary_round(context.db, await who(update, context), pressed.round_id)
    if ahead is None:
        raise DomainError("appraisal_wrong_stage")
    await answer_query(update.callback_query)
    text = (
        t.gettext("Close the round? Nothing can be changed in it afterwards.")
        if ahead is Stage.CLOSED
        else t.gettext(
            "Move on from “{stage}” to “{next}”? What “{stage}” allows ends for everyone.",
            stage=stage_name(t, pressed.seen),
            next=stage_name(t, ahead),
        )
    )
    await reply(
        update,
        text,
        reply_markup=keyboard(
            [
                [
                    press.ForwardConfirmed(pressed.round_id, pressed.seen).button(
                        t.pgettext("button", "✅ Confirm")
                    )
                ]
            ]
        ),
    )


@on_press(press.ForwardConfirmed, refuse=Refuse.SAID_DROP)
async def forward(update: Update, context: BotContext, t, pressed) -> None:
    moved = await rules.advance(
        context.db, await who(update, context), pressed.round_id, pressed.seen
    )
    await answer_and_drop(update.callback_query)
    await reply(
        update, t.gettext("The appraisal is now at: {stage}.", stage=stage_name(t, moved.stage))
    )
    await show_secretary(update, context, t, moved.branch_id)


# ------------------------------------------------------------------ participants


@on_press(refuse=Refuse.SAID)
async def people(update: Update, context: BotContext, t) -> None:
    round_id = press.People.of(update).round_id
    everyone = await rules.participants(context.db, await who(update, context), round_id)
    await answer_query(update.callback_query)
    rows = []
    for p in everyone:
        label = p.name + (" ✍️" if p.submitted else "")
        if p.outflow:
            label += " " + t.gettext("(away: {where})", where=p.outflow)
        rows.append([press.Someone(round_id, p.person_id).button(label[:60])])
    await reply(
        update,
        t.gettext("Participants ({n}); ✍️ marks a summary submitted.", n=len(everyone)),
        reply_markup=keyboard(rows),
    )


@on_press(press.Someone)
async def someone(update: Update, context: BotContext, pressed) -> None:
    await show_person(update, context, pressed.round_id, pressed.person_id)


async def show_person(update: Update, context: BotContext, round_id: int, person_id: int) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        round_ = await rules.secretary_round(context.db, me, round_id)
        everyone = {p.person_id: p for p in await rules.participants(context.db, me, round_id)}
    except DomainError as exc:
        await refuse(update, t, exc)
        return
    if update.callback_query is not None:
        await answer_query(update.callback_query)
    p = everyone.get(person_id)
    if p is None:
        await refuse(update, t, DomainError("appraisal_not_participant"))
        return
    lines = [p.name + (" " + t.gettext("(away: {where})", where=p.outflow) if p.outflow else "")]
    if p.summary_text:
        lines.append(t.gettext("Personal summary:") + "\n" + p.summary_text)
    elif not p.summary_file_id:
        lines.append(t.gettext("Personal summary: not submitted."))
    if round_.stage in COUNTS_SHOWN:
        counts = await rules.counts(context.db, me, round_id)
        lines.append(counts_line(t, counts.get(person_id)))
        for comment in await rules.comments(context.db, me, round_id, person_id):
            lines.append(f"· {comment}")
    if p.grade:
        lines.append(t.gettext("Final grade: {grade}.", grade=grade_name(t, p.grade)))
        if p.grade_note:
            lines.append(t.gettext("The branch's comment: {note}", note=p.grade_note))
    disposal = (await rules.disposals(context.db, me, round_id)).get(person_id)
    if disposal:
        lines.append(_disposal_line(t, disposal))
    rows = _person_buttons(t, round_, p, disposal)
    await reply(update, "\n".join(lines), reply_markup=keyboard(rows) if rows else None)
    if p.summary_file_id:
        await update.effective_message.reply_document(
            p.summary_file_id, caption=t.gettext("Personal summary of {name}", name=p.name)
        )


def _disposal_line(t: Translator, d) -> str:
    line = t.gettext(
        "Disposal: {kind}, decided on {date}.",
        kind=t.gettext(DISPOSAL_NAMES[d.kind]),
        date=t.date(d.decided_on),
    )
    if d.deadline:
        line += " " + t.gettext("Deadline: {date}.", date=t.date(d.deadline))
    if d.follow_up:
        line += " " + t.gettext(
            "Follow-up ({date}): {text}", date=t.date(d.followed_up_on), text=d.follow_up
        )
    return line


def _person_buttons(t: Translator, round_: Round, p, disposal) -> list[list]:
    if round_.stage is Stage.GRADING:
        buttons = [
            press.SetGrade(round_.id, p.person_id, g).button(grade_name(t, g)) for g in GRADES
        ]
        return [buttons[:2], buttons[2:]]
    if round_.stage is Stage.DISPOSAL and p.grade is Grade.UNQUALIFIED and disposal is None:
        return [
            [press.Dispose(round_.id, p.person_id, kind).button(t.gettext(DISPOSAL_NAMES[kind]))]
            for kind in Disposal
        ]
    if (
        disposal is not None
        and disposal.kind is Disposal.CORRECT
        and round_.stage is not Stage.CLOSED
    ):
        return [
            [
                press.FollowUp(round_.id, p.person_id).button(
                    t.pgettext("button", "📝 Record the follow-up")
                )
            ]
        ]
    return []
