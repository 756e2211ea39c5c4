"""The /hours menu: a member's logging, totals and history; a secretary's approvals,
register and the branch's settings."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain import hours
from domain.errors import DomainError
from handlers.branch_choice import branch_or_ask
from handlers.common import error_text, tr, who
from handlers.hours.buttons import Count, LogHours, MyHistory, MyTotals, Register, ToApprove, Window
from handlers.hours.views import COUNTING_LABELS


async def show_menu(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    me = await who(update, context)
    if not (me.member or me.is_secretary):
        await update.effective_message.reply_text(error_text(t, DomainError("members_only")))
        return ConversationHandler.END
    rows = []
    if me.member:  # a secretary the roster does not list has only the register
        rows = [
            [LogHours().button(t.pgettext("button", "➕ Log hours"))],
            [
                MyTotals().button(t.pgettext("button", "📊 My totals")),
                MyHistory(0).button(t.pgettext("button", "📜 My history")),
            ],
        ]
    branch_id = await branch_or_ask(update, context, me, "hours") if me.is_secretary else None
    if me.is_secretary and branch_id is None:
        return ConversationHandler.END  # asked which branch; the press shows the menu again
    if branch_id is not None:
        waiting = len(await hours.pending_for(context.db, me))
        label = t.pgettext("button", "📥 To approve ({n})").format(n=waiting)
        rows.append([ToApprove().button(label)])
        rows.append([Register().button(t.pgettext("button", "📋 Branch this quarter"))])
        days = await hours.window_of(context.db, me, branch_id)
        label = t.pgettext("button", "⚙️ Logging window: {days} days").format(days=days)
        rows.append([Window().button(label)])
        counting = t.gettext(COUNTING_LABELS[await hours.counting_of(context.db, branch_id)])
        label = t.pgettext("button", "⚖️ Summaries count: {what}").format(what=counting)
        rows.append([Count().button(label)])
    await update.effective_message.reply_text(
        t.gettext("Activity hours: what would you like to do?"),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return ConversationHandler.END
