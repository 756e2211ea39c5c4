"""/develop and the presses that only read or toggle: the secretary's list by stage, a
file's timeline, starting a file, the 培养联系人, a notice's outcome and its opinions."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain.development import cultivation, files, notices
from domain.i18n import Translator
from domain.models import Role
from handlers.common import (
    branch_today,
    edit_text,
    home_branch,
    tr,
    who,
)
from handlers.conversation import Refuse, on_press
from handlers.development.buttons import (
    CloseNotice,
    Introducers,
    NewApplicant,
    NewFile,
    OpenFile,
    ShowOpinions,
    StartActivist,
    ToggleIntroducer,
)
from handlers.development.views import OUTCOMES, branch_list, file_keyboard, refusal, timeline


async def show_file(update: Update, context: BotContext, t: Translator, file_id: int) -> None:
    me = await who(update, context)
    found = await files.readable(context.db, me, file_id)
    today = await branch_today(context, found.branch_id)
    await update.effective_message.reply_text(
        timeline(t, found, today), reply_markup=file_keyboard(t, found, me, today)
    )


async def develop(update: Update, context: BotContext) -> None:
    """The secretary: every file of the branch by stage. Anyone else: their own file and
    the files they are 培养联系人 of."""
    t = await tr(update, context)
    me = await who(update, context)
    for branch_id in me.branches_where(Role.SECRETARY):
        found = await files.branch_files(context.db, me, branch_id)
        text, markup = branch_list(t, found, branch_id, await branch_today(context, branch_id))
        await update.effective_message.reply_text(text, reply_markup=markup)
    own, introduced = await files.own_and_introduced(context.db, me)
    if own is not None:
        await show_file(update, context, t, own.id)
    if introduced:
        await update.effective_message.reply_text(
            t.gettext("You are the contact for cultivation (培养联系人) of:"),
            reply_markup=InlineKeyboardMarkup(
                [[OpenFile(f.id).button(f.name)] for f in introduced]
            ),
        )
    if not me.branches_where(Role.SECRETARY) and own is None and not introduced:
        await update.effective_message.reply_text(
            t.gettext(
                "You have no membership development file. To apply for party membership, "
                "hand your written application to the branch secretary."
            )
        )


@on_press(refuse=Refuse.ALERT_LATE, answer=True, worded=refusal)
async def open_file(update: Update, context: BotContext, t, me) -> None:
    await show_file(update, context, t, OpenFile.of(update).file_id)


@on_press(refuse=Refuse.ALERT_LATE, answer=True, worded=refusal)
async def new_file(update: Update, context: BotContext, t, me) -> None:
    """Whom to start a file for: an activist the branch has, or a new applicant."""
    branch_id = NewFile.of(update).branch_id
    activists = await files.activists_without_file(context.db, me, branch_id)
    rows = [[StartActivist(a["id"]).button(a["name"] or f"#{a['id']}")] for a in activists]
    rows.append([NewApplicant(branch_id).button(t.gettext("➕ A new applicant"))])
    text = t.gettext("Start a file for a new applicant for membership.")
    if activists:
        text = t.gettext(
            "Start a file for an activist of the branch (from that stage), or for a new "
            "applicant for membership."
        )
    await update.effective_message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows))


async def _introducer_keyboard(context: BotContext, t: Translator, me, file_id: int):
    found = await files.readable(context.db, me, file_id)
    chosen = {i for i, _, _ in found.introducers}
    rows = []
    for member in await cultivation.candidates_for_introducer(context.db, me, file_id):
        mark = "☑️" if member["id"] in chosen else "⬜"
        name = member["name"] or f"#{member['id']}"
        rows.append([ToggleIntroducer(file_id, member["id"]).button(f"{mark} {name}")])
    rows.append([OpenFile(file_id).button(t.gettext("⬅️ Back to the file"))])
    text = t.gettext(
        "Contacts for cultivation (培养联系人) of {name}: one or two full members of the "
        "branch. Press a name to choose or unchoose it.",
        name=found.name,
    )
    return text, InlineKeyboardMarkup(rows)


@on_press(refuse=Refuse.ALERT_LATE, answer=True, worded=refusal)
async def introducers(update: Update, context: BotContext, t, me) -> None:
    text, markup = await _introducer_keyboard(context, t, me, Introducers.of(update).file_id)
    await update.effective_message.reply_text(text, reply_markup=markup)


@on_press(ToggleIntroducer, refuse=Refuse.ALERT_LATE, answer=True, worded=refusal)
async def toggle_introducer(update: Update, context: BotContext, t, pressed, me) -> None:
    await cultivation.toggle_introducer(context.db, me, pressed.file_id, pressed.person_id)
    text, markup = await _introducer_keyboard(context, t, me, pressed.file_id)
    await edit_text(update.callback_query, text, markup)


@on_press(CloseNotice, refuse=Refuse.ALERT_LATE, answer=True, worded=refusal)
async def close_notice(update: Update, context: BotContext, t, pressed, me) -> None:
    notice = await notices.info(context.db, pressed.notice_id)
    today = await branch_today(context, notice.branch_id if notice else home_branch(me))
    found = await notices.close(context.db, me, pressed.notice_id, pressed.passed, today)
    outcome = t.gettext(OUTCOMES["passed" if pressed.passed else "objection"])
    await update.effective_message.reply_text(
        t.gettext("The outcome of the public notice is recorded: {outcome}.", outcome=outcome)
    )
    await show_file(update, context, t, found.id)


@on_press(refuse=Refuse.ALERT_LATE, answer=True, worded=refusal)
async def show_opinions(update: Update, context: BotContext, t, me) -> None:
    found = await notices.opinions(context.db, me, ShowOpinions.of(update).notice_id)
    lines = [t.gettext("Opinions sent during the public notice (for the secretaries only):")]
    lines += [f"• {o['sender'] or '—'}: {o['text']}" for o in found]
    await update.effective_message.reply_text("\n".join(lines))
