"""/mobile_list: the secretary's lists of mobile members (waiting, away, moved in, overdue,
expiring), a page at a time, each member one press from their file."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain.errors import DomainError
from domain.mobile import lists
from domain.mobile.models import ListKind
from domain.models import Role
from handlers.common import answer_query, branch_today, error_text, tr, who
from handlers.conversation import on_press
from handlers.flow_kit import or_alert
from handlers.mobile.buttons import ListPage, Open
from handlers.mobile.views import LIST_NAMES
from storage.db import utcnow


async def overview(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    branch_ids = me.branches_where(Role.SECRETARY)
    if not branch_ids:
        await update.effective_message.reply_text(
            error_text(t, DomainError("not_allowed")),
        )
        return
    for branch_id in branch_ids:
        today = await branch_today(context, branch_id)
        counts = await lists.counts(context.db, me, branch_id, utcnow(), today)
        rows = [
            [ListPage(branch_id, kind, 0).button(f"{t.gettext(LIST_NAMES[kind])} · {counts[kind]}")]
            for kind in ListKind
        ]
        await update.effective_message.reply_text(
            t.gettext(
                "Mobile members of {branch}:",
                branch=await lists.branch_name(context.db, branch_id),
            ),
            reply_markup=InlineKeyboardMarkup(rows),
        )


@on_press(ListPage)
async def list_page(update: Update, context: BotContext, query, t, pressed) -> None:
    page = await or_alert(
        query,
        t,
        lists.listing(
            context.db,
            await who(update, context),
            pressed.branch_id,
            pressed.kind,
            pressed.page,
            utcnow(),
            await branch_today(context, pressed.branch_id),
        ),
    )
    if page is None:
        return
    await answer_query(query)
    title = t.gettext(
        "{label}: {n} (page {page} of {pages})",
        label=t.gettext(LIST_NAMES[page.kind]),
        n=page.total,
        page=page.number + 1,
        pages=page.pages,
    )
    rows = [
        [
            Open(r.id).button(
                f"{r.person_name} · {r.details.get('destination') or r.details.get('address')}"[:60]
            )
        ]
        for r in page.items
    ]
    turns = []
    if page.number > 0:
        turns.append(ListPage(page.branch_id, page.kind, page.number - 1).button("‹"))
    if page.number + 1 < page.pages:
        turns.append(ListPage(page.branch_id, page.kind, page.number + 1).button("›"))
    if turns:
        rows.append(turns)
    # A page past the end (an old list, forged data) has no rows: Telegram refuses an
    # empty keyboard.
    markup = InlineKeyboardMarkup(rows) if rows else None
    await update.effective_message.reply_text(title, reply_markup=markup)
