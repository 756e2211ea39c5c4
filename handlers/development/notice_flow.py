"""The public notice in the chat: the secretary chooses its period (working days by the
branch's calendar, or a typed last day) and the contact, reads it as it will be posted,
and publishes it; a member opens a short conversation from the notice (a button, or the
group's link) to send an opinion, which only the secretaries read."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain.dates import Year, parse_date
from domain.development import files, notices
from domain.errors import DomainError, InvalidInput
from domain.i18n import Translator
from handlers.common import answer_and_drop, answer_query, branch_today, tr, who
from handlers.conversation import offer, on_press, review_keyboard, with_cancel_hint
from handlers.development.buttons import NoticeDays, Opinion, Publish, StartNotice, UseContact
from handlers.development.steps import DRAFT, DevStep, done, refused
from handlers.development.views import notice_text, refusal

RESTART = StartNotice  # the review's "start over" is the same press as the first


async def _file_and_today(update: Update, context: BotContext, file_id: int | None = None):
    """The secretary, the file (the notice's draft's, unless `file_id`) and its branch's day;
    refused unless the presser is the file's secretary."""
    if file_id is None:
        file_id = context.user_data[DRAFT]["file"]
    me = await who(update, context)
    found = await files.readable(context.db, me, file_id)
    if not files.is_secretary_of(me, found):
        raise DomainError("not_allowed")
    return me, found, await branch_today(context, found.branch_id)


@on_press()
async def start(update: Update, context: BotContext, t) -> int | DevStep:
    file_id = StartNotice.of(update).file_id
    try:
        me, found, today = await _file_and_today(update, context, file_id)
        proposed = await notices.proposals(context.db, found.branch_id, today)
        # Refused now (wrong stage, steps missing, one running) rather than after the questions.
        await notices.check_period(context.db, me, file_id, proposed[0][1], today)
    except DomainError as exc:
        await answer_query(update.callback_query, refusal(t, exc), alert=True)
        return ConversationHandler.END
    await answer_query(update.callback_query)
    context.user_data[DRAFT] = {"do": "notice", "file": file_id}
    rows = [
        [NoticeDays(n).button(t.gettext("{n} working days, until {day}", n=n, day=t.date(end)))]
        for n, end in proposed
    ]
    await offer(
        update,
        context,
        with_cancel_hint(
            t,
            t.gettext(
                "The public notice of {name} starts today. How long does it run? At least five "
                "working days by the branch's calendar; choose, or type its last day.",
                name=found.name,
            ),
        ),
        InlineKeyboardMarkup(rows),
    )
    return DevStep.PERIOD


async def _period(update: Update, context: BotContext, t: Translator, end: date) -> DevStep:
    draft = context.user_data[DRAFT]
    me, found, today = await _file_and_today(update, context)
    await notices.check_period(context.db, me, found.id, end, today)
    draft["ends_on"] = end.isoformat()
    phone = me.person.phone if me.person else None
    mine = " ".join(part for part in (me.person.display_name, phone) if part)
    draft["mine"] = mine
    await offer(
        update,
        context,
        t.gettext("Whom may people contact about the notice? Type a name and phone number."),
        InlineKeyboardMarkup([[UseContact().button(f"📞 {mine}")]]),
    )
    return DevStep.CONTACT


@on_press()
async def days_chosen(update: Update, context: BotContext, t) -> DevStep | int:
    await answer_and_drop(update.callback_query)
    try:
        _, found, today = await _file_and_today(update, context)
        proposed = dict(await notices.proposals(context.db, found.branch_id, today))
        days = NoticeDays.of(update).days
        if days not in proposed:
            raise InvalidInput("invalid")
        return await _period(update, context, t, proposed[days])
    except DomainError as exc:
        await update.effective_message.reply_text(refusal(t, exc))
        return DevStep.PERIOD


async def end_typed(update: Update, context: BotContext) -> DevStep:
    t = await tr(update, context)
    try:
        _, _found, today = await _file_and_today(update, context)
        end = parse_date(update.effective_message.text, today, Year.FUTURE)
        return await _period(update, context, t, end)
    except DomainError as exc:
        await update.effective_message.reply_text(refusal(t, exc))
        return DevStep.PERIOD


async def _contact(update: Update, context: BotContext, t: Translator, text: str) -> DevStep:
    draft = context.user_data[DRAFT]
    draft["contact"] = notices.check_contact(text)
    _, found, today = await _file_and_today(update, context)
    preview = notice_text(
        t, found.name, found.stage, today, date.fromisoformat(draft["ends_on"]), draft["contact"]
    )
    await update.effective_message.reply_text(
        t.gettext("It will be posted to the branch's group chat (if linked) and to every member:")
        + "\n\n"
        + preview,
        reply_markup=review_keyboard(t, Publish(), RESTART(found.id)),
    )
    return DevStep.CONFIRM


async def contact_typed(update: Update, context: BotContext) -> DevStep:
    t = await tr(update, context)
    try:
        return await _contact(update, context, t, update.effective_message.text)
    except DomainError as exc:
        await update.effective_message.reply_text(refusal(t, exc))
        return DevStep.CONTACT


@on_press()
async def contact_chosen(update: Update, context: BotContext, t) -> DevStep:
    await answer_and_drop(update.callback_query)
    return await _contact(update, context, t, context.user_data[DRAFT]["mine"])


@on_press()
async def publish(update: Update, context: BotContext, t) -> DevStep | int:
    await answer_and_drop(update.callback_query)
    try:
        me, found, today = await _file_and_today(update, context)
        draft = context.user_data[DRAFT]
        started = await notices.start(
            context.db,
            me,
            found.id,
            date.fromisoformat(draft["ends_on"]),
            draft["contact"],
            today,
            context.bot.username,
        )
    except DomainError as exc:
        return await refused(update, context, t, exc, None)
    text = t.gettext(
        "The public notice is published until {day}. Opinions sent through the bot come to you.",
        day=t.date(started.ends_on),
    )
    return await done(update, context, t, text, found.id)


# ---- an opinion ---------------------------------------------------------------------------


async def _begin_opinion(update: Update, context: BotContext, notice_id: int) -> DevStep | int:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        notice = await notices.info(context.db, notice_id)
        today = await branch_today(context, notice.branch_id if notice else None)
        notice = await notices.opinion_target(context.db, me, notice_id, today)
    except DomainError as exc:
        await update.effective_message.reply_text(refusal(t, exc))
        return ConversationHandler.END
    context.user_data[DRAFT] = {"do": "opinion", "notice": notice.id}
    await update.effective_message.reply_text(
        with_cancel_hint(
            t,
            t.gettext(
                "Your opinion on the public notice of {name}: type it in one message. Only the "
                "branch secretaries read it, with your name; nobody else sees it.",
                name=notice.name,
            ),
        )
    )
    return DevStep.OPINION


async def opinion_pressed(update: Update, context: BotContext) -> DevStep | int:
    await answer_query(update.callback_query)
    return await _begin_opinion(update, context, Opinion.of(update).notice_id)


async def opinion_link(update: Update, context: BotContext) -> DevStep | int:
    payload = context.args[0] if context.args else ""
    return await _begin_opinion(update, context, int(payload.removeprefix(notices.LINK_PREFIX)))


async def opinion_typed(update: Update, context: BotContext) -> DevStep | int:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    me = await who(update, context)
    try:
        notice = await notices.info(context.db, draft["notice"])
        today = await branch_today(context, notice.branch_id if notice else None)
        await notices.send_opinion(
            context.db, me, draft["notice"], update.effective_message.text, today
        )
    except DomainError as exc:
        again = DevStep.OPINION if exc.code.startswith("dev_opinion_") else None
        return await refused(update, context, t, exc, again)
    return await done(
        update,
        context,
        t,
        t.gettext("Thank you. Your opinion has been passed to the branch secretaries only."),
    )
