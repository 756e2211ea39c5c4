"""/pending: everything waiting for the secretary, oldest first, one card per item.

A card's Approve and Reject are the deciding feature's own buttons (its handler asks for a
reason where one is needed, notifies the member, and its domain function checks the
role), so a decision reads the same from here as from the feature's own message.
"""

from __future__ import annotations

import json

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.context import BotContext
from domain import hours, pending
from domain.access import Audience
from domain.activity import ActivityKind, as_hours
from domain.errors import DomainError
from domain.i18n import N_, Translator
from domain.mobile.models import Direction
from domain.pending import Item, Kind
from domain.post_models import COUNTY_BY_CODE
from handlers import joins
from handlers.buttons import Button
from handlers.cadres import confirming as cadre_buttons
from handlers.common import (
    add_errors,
    answer_and_drop,
    answer_query,
    branch_zone,
    error_text,
    tr,
    who,
)
from handlers.conversation import on_press
from handlers.flow_kit import or_alert
from handlers.hours import buttons as hours_buttons
from handlers.hours import show
from handlers.mobile import buttons as mobile_buttons
from handlers.mobile.views import DIRECTION_NAMES, FIELD_LABELS
from handlers.posts import buttons as posts_buttons

SHOWN = 10


class OpenItem(Button, prefix="pending:open", audience=Audience.SECRETARY):
    kind: Kind
    item_id: int


class ApproveHours(Button, prefix="pending:hrs", audience=Audience.SECRETARY):
    """Every pending hours record of the branch up to `last_id`, the ones the card showed."""

    branch_id: int
    last_id: int


add_errors(
    {
        "pending_gone": N_("That has been decided in the meantime. Send /pending for the queue."),
        "pending_hours_none": N_("No hours records are waiting any more. Nothing was changed."),
    }
)

KIND_NAMES: dict[Kind, str] = {
    Kind.JOIN: N_("Request to join the branch"),
    Kind.MOBILE: N_("Mobile member registration"),
    Kind.CHANGE: N_("Changes reported by a mobile member"),
    Kind.CLAIM: N_("Claim on a post"),
    Kind.LEAVE: N_("Asks to give up a post"),
    Kind.HOURS: N_("Hours record"),
    Kind.CADRE: N_("Cadre registration"),
}

# The deciding feature's own buttons, (approve, reject): a card is decided by the handler
# that decides it everywhere else.
_DECISIONS: dict[Kind, tuple[type[Button], type[Button]]] = {
    Kind.JOIN: (joins.Approve, joins.Reject),
    Kind.MOBILE: (mobile_buttons.Approve, mobile_buttons.Reject),
    Kind.CHANGE: (mobile_buttons.ApproveChanges, mobile_buttons.RejectChanges),
    Kind.CLAIM: (posts_buttons.Approve, posts_buttons.Reject),
    Kind.LEAVE: (posts_buttons.LeaveAgree, posts_buttons.LeaveKeep),
    Kind.HOURS: (hours_buttons.Approve, hours_buttons.Reject),
    Kind.CADRE: (cadre_buttons.Confirm, cadre_buttons.Reject),
}


def _detail(t: Translator, item: Item) -> str | None:
    if item.kind is Kind.MOBILE and item.detail:
        return t.gettext(DIRECTION_NAMES[Direction(item.detail)])
    if item.kind is Kind.CHANGE and item.detail:
        fields = json.loads(item.detail)
        return t.join([t.gettext(FIELD_LABELS[f]) for f in FIELD_LABELS if f in fields])
    if item.kind in (Kind.CLAIM, Kind.LEAVE) and item.detail:
        county = COUNTY_BY_CODE.get(item.detail)
        return t.gettext(county.name) if county else item.detail
    if item.kind is Kind.HOURS and item.detail and item.amount:
        return t.gettext(
            "{kind}, {hours} h",
            kind=t.gettext(ActivityKind(item.detail).label),
            hours=show(t, as_hours(item.amount)),
        )
    return item.detail if item.kind is Kind.CADRE else None


async def card_text(t: Translator, item: Item, context: BotContext) -> str:
    since = t.datetime(item.since, await branch_zone(context, item.branch_id))
    lines = [
        t.gettext(
            "{what} · {name} · waiting since {since}",
            what=t.gettext(KIND_NAMES[item.kind]),
            name=item.name,
            since=since,
        )
    ]
    detail = _detail(t, item)
    if detail:
        lines.append(detail)
    return "\n".join(lines)


def card_keyboard(t: Translator, item: Item, *, with_open: bool = True) -> InlineKeyboardMarkup:
    approve, reject = (codec(item.id) for codec in _DECISIONS[item.kind])
    row = [
        approve.button(t.pgettext("button", "✅ Approve")),
        reject.button(t.pgettext("button", "❌ Reject")),
    ]
    if with_open:
        # A mobile member's dossier is the mobile feature's own screen.
        opened = (
            mobile_buttons.Open(item.id).pack()
            if item.kind is Kind.MOBILE
            else mobile_buttons.Open(item.amount).pack()
            if item.kind is Kind.CHANGE
            else OpenItem(item.kind, item.id).pack()
        )
        row.append(InlineKeyboardButton(t.pgettext("button", "📂 Open"), callback_data=opened))
    return InlineKeyboardMarkup([row])


async def show_queue(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    message = update.effective_message
    me = await who(update, context)
    try:
        items = await pending.queue(context.db, me)
    except DomainError as exc:
        await message.reply_text(error_text(t, exc))
        return
    if not items:
        await message.reply_text(t.gettext("Nothing is waiting for you. 👍"))
        return
    await message.reply_text(
        t.ngettext(
            "{n} item is waiting for your decision, oldest first:",
            "{n} items are waiting for your decision, oldest first:",
            len(items),
        )
    )
    for item in items[:SHOWN]:
        await message.reply_text(
            await card_text(t, item, context), reply_markup=card_keyboard(t, item)
        )
    if len(items) > SHOWN:
        await message.reply_text(
            t.gettext(
                "These are the oldest {shown}. Decide them, then send /pending for the rest.",
                shown=SHOWN,
            )
        )
    await _offer_batch(t, message, pending.batches(items, me))


async def _offer_batch(t: Translator, message, batches: dict[int, list[Item]]) -> None:
    for branch_id, records in batches.items():
        total = show(t, as_hours(sum(r.amount or 0 for r in records)))
        last = max(r.id for r in records)
        await message.reply_text(
            t.ngettext(
                "{n} hours record ({hours} h in all) is waiting.",
                "{n} hours records ({hours} h in all) are waiting. Approve them all at once?",
                len(records),
                hours=total,
            ),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        ApproveHours(branch_id, last).button(
                            t.gettext("✅ Approve all {n}", n=len(records))
                        )
                    ]
                ]
            ),
        )


@on_press(OpenItem)
async def open_item(update: Update, context: BotContext, query, t, pressed, me) -> None:
    try:
        item = await pending.item(context.db, me, pressed.kind, pressed.item_id)
        description = (
            (await hours.record_for_secretary(context.db, me, item.id)).description
            if item.kind is Kind.HOURS
            else None
        )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query)
    lines = [await card_text(t, item, context)]
    if description:
        lines.append(description)
    phone = await pending.phone_of(context.db, item)
    if phone:
        lines.append(t.gettext("Phone: {phone}", phone=phone))
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=card_keyboard(t, item, with_open=False)
    )


@on_press(ApproveHours)
async def approve_hours(update: Update, context: BotContext, query, t, pressed) -> None:
    batch = await or_alert(
        query,
        t,
        pending.approve_hours(
            context.db, await who(update, context), pressed.branch_id, pressed.last_id
        ),
    )
    if batch is None:
        return
    await answer_and_drop(query)
    lines = [
        t.ngettext(
            "{n} hours record is verified; its member is told.",
            "{n} hours records are verified; each member is told.",
            batch.approved,
        )
    ]
    if batch.own:
        lines.append(
            t.ngettext(
                "Your own {n} record was skipped: another secretary of the branch must verify it.",
                "Your own {n} records were skipped: another secretary of the branch must "
                "verify them.",
                batch.own,
            )
        )
    await update.effective_message.reply_text("\n".join(lines))


def handlers() -> list:
    return [
        CommandHandler("pending", show_queue),
        OpenItem.handler(open_item),
        ApproveHours.handler(approve_hours),
    ]
