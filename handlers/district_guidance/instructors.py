"""The district's side of the instructors: /instructors lists the district's branches and
who guides each; a branch's button offers the district's instructors to assign or remove."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.context import BotContext
from domain import instructors
from domain.access import Audience
from domain.assessment.common import require_district
from domain.errors import DomainError
from domain.i18n import N_
from handlers.buttons import family
from handlers.common import answer_and_drop, answer_query, error_text, my_today, tr, who
from handlers.conversation import on_press
from handlers.flow_kit import or_alert, reply_invitation

# A branch's card of instructors, and inviting a new one to it.
ShowBranch, InviteInstructor = family(
    Audience.DISTRICT, "instructors:branch", "instructors:invite", branch_id=int
)
# A joined instructor of the district assigned to the branch, or no longer.
Assign, Unassign = family(
    Audience.DISTRICT, "instructors:assign", "instructors:remove", person_id=int, branch_id=int
)

INVITATION = N_(
    "Send this invitation to the new instructor: {link}\n"
    "You approve them here when they have joined."
)


async def list_instructors(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    try:
        month = instructors.month_of(await my_today(update, context))
        found = await instructors.overview(context.db, await who(update, context), month)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    if not found:
        await update.effective_message.reply_text(t.gettext("Your district has no branches yet."))
        return
    lines = [t.gettext("Instructors of your district's branches (✅ this month's note filed):")]
    for guided in found:
        names = [name + (" ✅" if pid in guided.filed else "") for pid, name in guided.instructors]
        line = (
            t.gettext("{branch}: {names}", branch=guided.branch.name, names=t.join(names))
            if names
            else t.gettext("{branch}: no instructor yet", branch=guided.branch.name)
        )
        lines.append("• " + line)
    lines += [
        "",
        t.gettext(
            "Press a branch to assign or remove its instructors, or to invite a new one; "
            "an instructor who has joined can then be assigned to more branches."
        ),
    ]
    keyboard = [[ShowBranch(g.branch.id).button(g.branch.name)] for g in found]
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(keyboard)
    )


async def _branch_card(update: Update, context: BotContext, branch_id: int) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    branch = await require_district(context.db, me, branch_id)
    found = {g.branch.id: g for g in await instructors.overview(context.db, me)}
    guiding = {pid for pid, _name in found[branch.id].instructors}
    rows = []
    for person_id, name in await instructors.pool(context.db, me):
        if person_id in guiding:
            rows.append([Unassign(person_id, branch.id).button("➖ " + name)])
        else:
            rows.append([Assign(person_id, branch.id).button("➕ " + name)])
    rows.append([InviteInstructor(branch.id).button(t.gettext("✉️ Invite a new instructor"))])
    text = t.gettext(
        "{branch}: press an instructor to assign them (➕) or to end their assignment (➖).",
        branch=branch.name,
    )
    if len(rows) == 1:
        text = t.gettext(
            "{branch}: no instructor of your district has joined yet.", branch=branch.name
        )
    await update.effective_message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows))


@on_press()
async def show_branch(update: Update, context: BotContext, t) -> None:
    try:
        await _branch_card(update, context, ShowBranch.of(update).branch_id)
    except DomainError as exc:
        await answer_query(update.callback_query, error_text(t, exc), alert=True)
        return
    await answer_query(update.callback_query)


async def _change(update: Update, context: BotContext, pressed, adding: bool) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        if adding:
            await instructors.assign(context.db, me, pressed.person_id, pressed.branch_id)
        else:
            await instructors.unassign(context.db, me, pressed.person_id, pressed.branch_id)
    except DomainError as exc:
        await answer_query(update.callback_query, error_text(t, exc), alert=True)
        return
    await answer_and_drop(update.callback_query)
    await update.effective_message.reply_text(
        t.gettext("Done: the instructor is assigned.")
        if adding
        else t.gettext("Done: the assignment has ended.")
    )
    await _branch_card(update, context, pressed.branch_id)


async def assign(update: Update, context: BotContext) -> None:
    await _change(update, context, Assign.of(update), True)


async def unassign(update: Update, context: BotContext) -> None:
    await _change(update, context, Unassign.of(update), False)


@on_press()
async def invite(update: Update, context: BotContext, t) -> None:
    branch_id = InviteInstructor.of(update).branch_id
    me = await who(update, context)
    made = await or_alert(update.callback_query, t, instructors.invite(context.db, me, branch_id))
    if made is None:
        return
    await answer_and_drop(update.callback_query)
    await reply_invitation(update, context, t, INVITATION, made.code)


def handlers() -> list:
    return [
        CommandHandler("instructors", list_instructors),
        ShowBranch.handler(show_branch),
        Assign.handler(assign),
        Unassign.handler(unassign),
        InviteInstructor.handler(invite),
    ]
