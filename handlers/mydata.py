"""/mydata: a person's own data as a file; /leave and /depart: recording a departure."""

from __future__ import annotations

import json

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import departures, mydata
from domain.access import Audience
from domain.departures import DepartureKind
from domain.errors import DomainError, NotAllowed
from domain.i18n import N_, Translator
from domain.models import Person, Role
from handlers.buttons import Button, family
from handlers.common import (
    answer_query,
    edit_text,
    error_text,
    forget_locale,
    my_today,
    tr,
    who,
)
from handlers.console import send_file
from handlers.conversation import on_press
from storage.db import Database, utcnow

# One's own departure, and the secretary's record of someone else's: apart, so that a
# button acting on the presser alone never carries a person id. A reason is chosen first
# (`kind`), then confirmed (`ok`).
LeaveReason, LeaveConfirm = family(Audience.EVERYONE, "leave:kind", "leave:ok", kind=DepartureKind)
DepartReason, DepartConfirm = family(
    Audience.SECRETARY, "depart:kind", "depart:ok", person_id=int, kind=DepartureKind
)

_STEPS = (LeaveReason, LeaveConfirm, DepartReason, DepartConfirm)

KIND_NAMES = {
    DepartureKind.TRANSFER_OUT: N_("Transfer of party relations out of the branch"),
    DepartureKind.DEATH: N_("Death"),
    DepartureKind.REMOVED: N_("Removed from the party"),
    DepartureKind.WITHDREW: N_("Withdrew from the party"),
    DepartureKind.OTHER: N_("Other reason"),
}


async def send_mydata(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    data = await mydata.collect(context.db, await who(update, context), utcnow())
    content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    await send_file(
        update,
        content,
        "mydata.json",
        t.gettext(
            "Everything this bot holds about you. Send /leave to record that you are leaving the branch."
        ),
    )


def reason_button(person_id: int | None, kind: DepartureKind) -> Button:
    return LeaveReason(kind) if person_id is None else DepartReason(person_id, kind)


def confirm_button(person_id: int | None, kind: DepartureKind) -> Button:
    return LeaveConfirm(kind) if person_id is None else DepartConfirm(person_id, kind)


def kind_keyboard(
    t: Translator, person_id: int | None, kinds: list[DepartureKind]
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[reason_button(person_id, kind).button(t.gettext(KIND_NAMES[kind]))] for kind in kinds]
    )


async def leave(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    if not me.member:
        await update.effective_message.reply_text(t.gettext("You are not a registered member."))
        return
    await update.effective_message.reply_text(
        t.gettext("Why are you leaving the branch?"),
        reply_markup=kind_keyboard(
            t, None, [k for k in DepartureKind if k in departures.SELF_KINDS]
        ),
    )


async def depart(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        if not me.is_secretary:
            raise NotAllowed("not_allowed")
        # The member named tells the branch: each branch the secretary serves is searched.
        found = [
            person
            for branch_id in me.branches_where(Role.SECRETARY)
            for person in await departures.find(context.db, me, branch_id, " ".join(context.args))
        ]
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    if len(found) != 1:
        if len(found) > 1:
            text = t.gettext("Several members match; please use the phone number.")
        elif context.args:
            # Whether someone of that phone is in another branch is not this branch's business.
            text = t.gettext(
                "No member of this branch has that phone number or name. Nothing was changed."
            )
        else:
            text = t.gettext(
                "Send /depart followed by the member's phone number or full name, e.g. /depart 13800138000."
            )
        await update.effective_message.reply_text(text)
        return
    person = found[0]
    await update.effective_message.reply_text(
        t.gettext("Record the departure of {name}? Choose the reason:", name=person.display_name),
        reply_markup=kind_keyboard(t, person.id, list(DepartureKind)),
    )


def retention_note(t: Translator) -> str:
    return t.gettext(
        "Their phone number and the link to their Telegram account will be erased at once; "
        "name, category and dates stay in the branch's records for {years} years.",
        years=departures.ARCHIVE_YEARS,
    )


@on_press()
async def leave_pressed(update: Update, context: BotContext, query, t) -> None:
    pressed = next(p for codec in _STEPS if (p := codec.parse(query.data)) is not None)
    person_id = getattr(pressed, "person_id", None)
    kind = pressed.kind
    choosing = isinstance(pressed, LeaveReason | DepartReason)
    me = await who(update, context)
    try:
        if choosing:
            person = await departures.check(context.db, me, person_id, kind)
        else:
            departed = await departures.record(
                context.db, me, person_id, kind, await my_today(update, context)
            )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query)
    if choosing:
        await confirm(query, t, person, person_id, kind)
        return
    await query.edit_message_text(
        t.gettext(
            "Recorded: {name} has left the branch ({kind}).",
            name=departed.person.display_name,
            kind=t.gettext(KIND_NAMES[kind]),
        )
    )
    await after_departure(context, departed)


async def confirm(
    query, t: Translator, person: Person, person_id: int | None, kind: DepartureKind
) -> None:
    buttons = InlineKeyboardMarkup(
        [[confirm_button(person_id, kind).button(t.pgettext("button", "✅ Confirm departure"))]]
    )
    await edit_text(
        query,
        t.gettext(
            "{name}: {kind}. This cannot be undone.",
            name=person.display_name,
            kind=t.gettext(KIND_NAMES[kind]),
        )
        + "\n"
        + retention_note(t),
        buttons,
    )


async def after_departure(context: BotContext, departed: departures.Departed) -> None:
    former = departed.former_telegram_id
    if former is not None:
        # The drafts went with the departure; PTB's copy in memory goes too.
        context.application.drop_user_data(former)
        forget_locale(context, former)


@renderer(departures.TEMPLATE)
async def departure_message(t: Translator, db: Database, params: dict) -> Rendered:
    values = dict(params)
    msgid = values.pop("text")
    values["kind"] = t.gettext(KIND_NAMES[DepartureKind(params["kind"])])
    return Rendered(t.gettext(msgid, **values))


def handlers() -> list:
    return [
        CommandHandler("mydata", send_mydata),
        CommandHandler("leave", leave),
        CommandHandler("depart", depart),
        *(codec.handler(leave_pressed) for codec in _STEPS),
    ]
