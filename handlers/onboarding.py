"""/start: joining a branch through an invitation (name → phone → category → confirm)."""

from __future__ import annotations

from enum import StrEnum

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from domain import contact_requests, languages, onboarding, validation
from domain.access import Audience
from domain.errors import DomainError
from domain.i18n import Translator
from domain.models import Category, InviteRole, PersonStatus
from handlers import mobile
from handlers.buttons import Button, family
from handlers.common import (
    answer_query,
    drop_buttons,
    error_text,
    now,
    profile_name,
    tr,
    who,
)
from handlers.conversation import (
    CANCEL_HINT,
    answer_stale,
    on_press,
    review_keyboard,
    unexpected,
)
from handlers.flow_kit import TYPED, typed_step
from handlers.in_place import answer_and_replace
from handlers.labels import CATEGORY_LABELS, CATEGORY_NAMES
from handlers.menu import help_text


class Step(StrEnum):
    """The steps of joining. The values are persisted (ptb_conversations): keep them."""

    NAME = "join.name"
    PHONE = "join.phone"
    CATEGORY = "join.category"
    CONFIRM = "join.confirm"


DRAFT = "join"
VERIFY_PREFIX = "verify-"


class ChooseCategory(Button, prefix="join:cat", audience=Audience.EVERYONE):
    category: Category


Submit, Redo = family(Audience.EVERYONE, "join:submit", "join:redo")


async def start(update: Update, context: BotContext) -> Step | int:
    if context.args and context.args[0].startswith(VERIFY_PREFIX):
        # A scanned certificate QR code: anyone may check it, member or not.
        await mobile.reply_verification(update, context, context.args[0][len(VERIFY_PREFIX) :])
        return ConversationHandler.END
    # Asked before tr(), which records the account: a secretary added at the command line
    # has a person record before ever writing, and is new here all the same.
    returning = await languages.seen_before(context.db, update.effective_user.id)
    t = await tr(update, context)
    me = await who(update, context)
    active = me.person is not None and me.person.status is PersonStatus.ACTIVE
    if active and context.args and await _another_role(update, context, t, context.args[0]):
        return ConversationHandler.END
    if me.person is not None and me.person.status is PersonStatus.ACTIVE:
        await onboarding.adopt_profile_name(
            context.db, me.person, profile_name(update.effective_user)
        )
        me = await who(update, context)
        waiting = await onboarding.waiting_count(context.db, me)
        name = me.person.display_name
        greeting = (
            t.gettext("Welcome back, {name}!", name=name)
            if returning
            else t.gettext("Welcome, {name}!", name=name)
        )
        await update.effective_message.reply_text(
            greeting + "\n\n" + help_text(t, me, waiting),
            reply_markup=ReplyKeyboardRemove(),
        )
        return ConversationHandler.END
    if me.person is not None and me.person.status is PersonStatus.PENDING:
        await update.effective_message.reply_text(
            t.gettext(
                "Your application is waiting for the secretary's approval. I will tell you the result here."
            )
        )
        return ConversationHandler.END
    if not context.args:
        await update.effective_message.reply_text(help_text(t, me))
        return ConversationHandler.END
    try:
        invite = await onboarding.open_invite(
            context.db, context.args[0], telegram_id=update.effective_user.id, now=now(context)
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    if invite.person_id is not None:
        await claim_personal_invite(update, context, t, invite.code)
        return ConversationHandler.END
    context.user_data[DRAFT] = {"code": invite.code, "role": str(invite.role)}
    await update.effective_message.reply_text(
        t.gettext("Welcome! Let's register you with your party branch.")
        + "\n\n"
        + t.gettext("What is your full name? Please type it as on your membership records.")
        + "\n"
        + t.gettext(CANCEL_HINT),
        reply_markup=ReplyKeyboardRemove(),
    )
    return Step.NAME


async def _another_role(update: Update, context: BotContext, t: Translator, code: str) -> bool:
    """An active person's invitation to one more contact role: asked for, and True; any
    other invitation is theirs already, and they are welcomed back as before."""
    try:
        invite = await onboarding.open_invite(
            context.db, code, telegram_id=update.effective_user.id, now=now(context)
        )
    except DomainError:
        return False
    if invite.role not in onboarding.CONTACT_INVITES or invite.person_id is not None:
        return False
    try:
        await contact_requests.apply_for_role(context.db, update.effective_user.id, code)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return True
    await update.effective_message.reply_text(
        t.gettext(
            "Your request for this further role has been sent for approval. I will tell you "
            "here when it is approved."
        )
    )
    return True


async def claim_personal_invite(
    update: Update, context: BotContext, t: Translator, code: str
) -> None:
    """The secretary imported this person already: bind the account, no questions asked."""
    try:
        claimed = await onboarding.claim(context.db, update.effective_user.id, code)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    me = await who(update, context)
    await update.effective_message.reply_text(
        t.gettext(
            "Welcome, {name}! Your account is now linked to your record in {branch}.",
            name=claimed.person.display_name,
            branch=claimed.branch.name,
        )
        + "\n\n"
        + help_text(t, me),
        reply_markup=ReplyKeyboardRemove(),
    )


@typed_step(DRAFT, "name", validation.person_name)
async def got_name(update: Update, context: BotContext, t) -> Step:
    await ask_phone(update, t)
    return Step.PHONE


async def ask_phone(update: Update, t: Translator) -> None:
    button = KeyboardButton(t.pgettext("button", "📱 Share my phone number"), request_contact=True)
    await update.effective_message.reply_text(
        t.gettext("Please share your phone number with the button below."),
        reply_markup=ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True),
    )


async def got_contact(update: Update, context: BotContext) -> Step:
    t = await tr(update, context)
    contact = update.effective_message.contact
    if contact.user_id != update.effective_user.id:
        await update.effective_message.reply_text(
            t.gettext("That is not your own number. Please press the button to share your own.")
        )
        return Step.PHONE
    try:
        phone = validation.contact_phone(contact.phone_number)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return Step.PHONE
    draft = context.user_data[DRAFT]
    draft["phone"] = phone
    await update.effective_message.reply_text(
        t.gettext("Thank you."), reply_markup=ReplyKeyboardRemove()
    )
    if InviteRole(draft["role"]) is InviteRole.MEMBER:
        await update.effective_message.reply_text(
            t.gettext("Which describes you best?"), reply_markup=category_keyboard(t)
        )
        return Step.CATEGORY
    await show_review(update, context, t)
    return Step.CONFIRM


async def phone_typed(update: Update, context: BotContext) -> Step:
    t = await tr(update, context)
    await update.effective_message.reply_text(
        t.gettext(
            "Please use the button below to share your number; typed numbers are not accepted here."
        )
    )
    await ask_phone(update, t)
    return Step.PHONE


def category_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [ChooseCategory(category).button(t.gettext(label))]
            for category, label in CATEGORY_LABELS.items()
        ]
    )


@on_press()
async def got_category(update: Update, context: BotContext, query, t) -> Step:
    category = ChooseCategory.of(update).category
    if category not in CATEGORY_LABELS:  # a cadre comes in through a cadre invitation
        await answer_stale(query, t)
        return Step.CATEGORY
    # The review takes the question's place: no category buttons are left to press.
    await answer_and_replace(query)
    context.user_data[DRAFT]["category"] = str(category)
    await show_review(update, context, t)
    return Step.CONFIRM


async def show_review(update: Update, context: BotContext, t: Translator) -> None:
    draft = context.user_data[DRAFT]
    lines = [
        t.gettext("Please check your details:"),
        t.gettext("Name: {name}", name=draft["name"]),
        t.gettext("Phone: {phone}", phone=draft["phone"]),
    ]
    if draft.get("category"):
        label = t.gettext(CATEGORY_NAMES[Category(draft["category"])])
        lines.append(t.gettext("Category: {category}", category=label))
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=review_keyboard(t, Submit(), Redo())
    )


@on_press()
async def redo(update: Update, context: BotContext, t) -> Step:
    await answer_and_replace(update.callback_query)
    draft = context.user_data[DRAFT]
    context.user_data[DRAFT] = {"code": draft["code"], "role": draft["role"]}
    await update.effective_message.reply_text(t.gettext("What is your full name?"))
    return Step.NAME


@on_press()
async def submit(update: Update, context: BotContext, query, t) -> int | Step:
    draft = context.user_data[DRAFT]
    application = onboarding.Application(
        invite_code=draft["code"],
        name=draft["name"],
        phone=draft["phone"],
        category=Category(draft["category"]) if draft.get("category") else None,
    )
    try:
        submitted = await onboarding.submit(context.db, update.effective_user.id, application)
    except DomainError as exc:
        await answer_query(query)
        await drop_buttons(update.callback_query)
        await update.effective_message.reply_text(error_text(t, exc))
        context.user_data.pop(DRAFT, None)
        return ConversationHandler.END
    await answer_query(query)
    context.user_data.pop(DRAFT, None)
    await drop_buttons(update.callback_query)
    role = submitted.request.role
    if role is InviteRole.DISTRICT or role in onboarding.DECIDED_BY_DISTRICT:
        # Decided by the county or the district, not by the branch's secretary.
        sent = t.gettext(
            "Thank you! Your application to {branch} has been sent for approval. "
            "I will tell you here when it is approved.",
            branch=submitted.branch.name,
        )
    else:
        sent = t.gettext(
            "Thank you! Your application to {branch} has been sent to the branch secretary. "
            "I will tell you here when it is approved.",
            branch=submitted.branch.name,
        )
    await update.effective_message.reply_text(sent)
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    # Not the kit's cancel: whoever stops here is told how to begin again.
    t = await tr(update, context)
    context.user_data.pop(DRAFT, None)
    if update.callback_query:
        await answer_query(update.callback_query)
    await update.effective_message.reply_text(
        t.gettext("Cancelled. Nothing was saved. Send /start with your invitation to begin again."),
        reply_markup=ReplyKeyboardRemove(),
    )
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            Step.NAME: [MessageHandler(TYPED, got_name)],
            Step.PHONE: [
                MessageHandler(filters.CONTACT, got_contact),
                MessageHandler(TYPED, phone_typed),
            ],
            Step.CATEGORY: [ChooseCategory.handler(got_category)],
            Step.CONFIRM: [Submit.handler(submit), Redo.handler(redo)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(filters.ALL & ~filters.COMMAND, unexpected),
            *(codec.handler(unexpected) for codec in (ChooseCategory, Submit, Redo)),
        ],
        allow_reentry=True,
        name="onboarding",
        persistent=True,
    )
