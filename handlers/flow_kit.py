"""What a draft conversation is built from, beside the kit in handlers/conversation.py: the
`ConversationHandler` with the usual fallbacks, the review screen's two buttons, a step
that keeps a typed answer and asks the next question, the submit step of a draft, a
press's domain call refused in an alert, and long texts cut into messages.

    SubmitNote, RedoNote = review_buttons("guidance", Audience.INSTRUCTOR)
    guided = typed_answer(DRAFT, "guided", check, N_("Problems?"), Step.PROBLEMS)
    submit = submit_fields(DRAFT, N_("Sent."), instructors.file_note, "branch_id", "month")
    conversation("guidance_note", [WriteNote.handler(start)], {Step.GUIDED: [...]}, DRAFT)
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, TypeVar

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from bot.sender import Rendered, Renderer, renderer
from domain.access import Actor, Audience
from domain.errors import DomainError
from domain.i18n import Translator
from handlers.buttons import Button, family
from handlers.common import answer_and_drop, answer_query, error_text, tr, who
from handlers.conversation import answer_stale, cancel_with, on_press, typed_into, unexpected
from storage.db import Database

T = TypeVar("T")

#: Input no step takes, by default: any message but a command (an edited one too).
STRAY = filters.ALL & ~filters.COMMAND
#: A typed answer: text that is not a command.
TYPED = filters.TEXT & ~filters.COMMAND


def conversation(
    name: str,
    entry_points: list[BaseHandler],
    states: dict[StrEnum, list[BaseHandler]],
    *drafts: str,
    stray: filters.BaseFilter | None = STRAY,
    stale: tuple[type[Button], ...] = (),
    cancel: Callable[[Update, BotContext], Awaitable[int]] | None = None,
) -> ConversationHandler:
    """A persistent conversation (its steps stored under `name`) that a new entry starts
    again, /cancel ends dropping `drafts` (or as `cancel` says, for one with words of its
    own), and whose `stray` input (None: no input is stray, it goes on to the other
    handlers) gets `unexpected`, as does a press of its `stale` buttons that the current
    step does not take."""
    return ConversationHandler(
        entry_points=entry_points,
        states=states,
        fallbacks=[
            CommandHandler("cancel", cancel or cancel_with(*drafts)),
            *([MessageHandler(stray, unexpected)] if stray is not None else []),
            *(codec.handler(unexpected) for codec in stale),
        ],
        allow_reentry=True,
        name=name,
        persistent=True,
    )


def typed_or(callback: Callable[..., Awaitable[Any]], *presses: type[Button]) -> list[BaseHandler]:
    """A step that takes a typed answer or one of `presses` (a skip, a suggested value),
    each given to the same `callback`."""
    return [MessageHandler(TYPED, callback), *(press.handler(callback) for press in presses)]


def review_buttons(feature: str, audience: Audience) -> tuple[type[Button], ...]:
    """The two buttons under a feature's review screen (`conversation.review_keyboard`):
    `<feature>:submit` sends the draft, `<feature>:redo` starts it over."""
    return family(audience, f"{feature}:submit", f"{feature}:redo")


def typed_step(
    draft: str, key: str, parse: Callable[[str], object]
) -> Callable[[Callable[..., Awaitable[T]]], Callable[[Update, BotContext], Awaitable[T | None]]]:
    """A step that keeps the typed answer, checked by `parse`, as `key` of the `draft`, then
    runs the decorated step (given the sender's language `t`, as `on_press` gives it) to ask
    what comes next. A refused answer is told why, and the conversation stays at this step
    (a callback's None) for it to be answered again.

        @typed_step(DRAFT, "capacity", events.capacity)
        async def got_capacity(update: Update, context: BotContext, t) -> Step:
    """

    def wrap(step: Callable[..., Awaitable[T]]) -> Callable[[Update, BotContext], Any]:
        @functools.wraps(step)
        async def typed(update: Update, context: BotContext) -> T | None:
            t = await tr(update, context)
            if not await typed_into(update, context, t, draft, key, parse):
                return None
            return await step(update, context, t)

        return typed

    return wrap


def typed_answer(
    draft: str, key: str, parse: Callable[[str], object], question: str, then: StrEnum
) -> Callable[[Update, BotContext], Awaitable[StrEnum | None]]:
    """The `typed_step` that asks `question` (an `N_` message) of the step `then`."""

    @typed_step(draft, key, parse)
    async def step(update: Update, context: BotContext, t: Translator) -> StrEnum:
        await update.effective_message.reply_text(t.gettext(question))
        return then

    return step


def expecting(message: str) -> Callable[[Update, BotContext], Awaitable[None]]:
    """The callback for input a step does not take, saying (`message`, an `N_` text) what
    it does take; the conversation stays at the step."""

    async def expected(update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await update.effective_message.reply_text(t.gettext(message))

    return expected


def submit_step(
    draft: str,
    ready: str,
    save: Callable[[BotContext, Actor, dict], Awaitable[T]],
    done: str | Callable[[Translator, dict, T], str],
    *,
    alert: bool = True,
) -> Callable[[Update, BotContext], Awaitable[int]]:
    """The review screen's Submit: the draft (once it has `ready`) saved by `save`, then
    `done` said (an `N_` message filled from the draft, or built from the draft and what
    `save` returned) and the conversation over. A press without a draft is stale; a refusal
    is told in an alert on the button (or, `alert=False`, in a message) and drops the draft."""

    @on_press()
    async def submit(update: Update, context: BotContext, query, t) -> int:
        found = context.user_data.get(draft)
        if not found or ready not in found:
            await answer_stale(query, t)
            return ConversationHandler.END
        try:
            result = await save(context, await who(update, context), found)
        except DomainError as exc:
            context.user_data.pop(draft, None)
            if alert:
                await answer_query(query, error_text(t, exc), alert=True)
            else:
                await answer_and_drop(query)
                await update.effective_message.reply_text(error_text(t, exc))
            return ConversationHandler.END
        context.user_data.pop(draft, None)
        await answer_and_drop(query)
        said = t.gettext(done, **found) if isinstance(done, str) else done(t, found, result)
        await update.effective_message.reply_text(said)
        return ConversationHandler.END

    return submit


def submit_fields(
    draft: str, done: str, call: Callable[..., Awaitable[object]], *fields: str, alert: bool = True
) -> Callable[[Update, BotContext], Awaitable[int]]:
    """`submit_step` of a draft saved by a domain call that takes the database, the actor
    and the draft's `fields` in this order; the draft is ready once it has the last one."""
    save = lambda context, me, found: call(context.db, me, *(found[f] for f in fields))  # noqa: E731
    return submit_step(draft, fields[-1], save, done, alert=alert)


def start_over(context: BotContext, draft: str, *kept: str) -> dict:
    """The review screen's Start over: the draft keeps only `kept` (what was chosen before
    its first question) and is returned to be asked again."""
    old = context.user_data.get(draft) or {}
    context.user_data[draft] = {k: old[k] for k in kept if k in old}
    return context.user_data[draft]


async def or_alert(query: CallbackQuery, t: Translator, call: Awaitable[T]) -> T | None:
    """What a press's domain call returns, or None once its refusal is shown in an alert
    (for calls that return something)."""
    try:
        return await call
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return None


async def reply_outcome(
    update: Update, t: Translator, call: Awaitable[T], done: Callable[[T], str]
) -> None:
    """A conversation's last step, where the person needs the outcome in the chat: what
    `done` says of the domain call's result, or the call's refusal."""
    try:
        result = await call
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await update.effective_message.reply_text(done(result))


def chunks(parts: list[str], limit: int) -> list[str]:
    """The parts, a blank line apart, in as few messages of at most `limit` characters as
    hold them whole; a single part longer than that is cut at the message's end."""
    found = [""]
    for part in parts:
        if found[-1] and len(found[-1]) + len(part) + 2 > limit:
            found.append("")
        found[-1] = f"{found[-1]}\n\n{part}" if found[-1] else part
    return [c[:limit] for c in found]


def start_link(context: BotContext, payload: str) -> str:
    """The deep link that opens the bot with `payload` as /start's argument (an invitation's
    code, a check-in, a certificate to verify)."""
    return f"https://t.me/{context.bot.username}?start={payload}"


async def reply_invitation(
    update: Update, context: BotContext, t: Translator, message: str, code: str, **params: Any
) -> None:
    """Reply with an invitation to pass on: `message` (an `N_` text) gives its deep link,
    made from the invitation's `code`, as `{link}`."""
    await update.effective_message.reply_text(
        t.gettext(message, link=start_link(context, code), **params)
    )


def text_renderer(name: str, message: str, **shown: Callable[[Translator, Any], str]) -> Renderer:
    """Register the outbox template `name` as one message (an `N_` text) filled from its
    params at send time; `shown` turns a param into its words in the reader's language."""

    async def render(t: Translator, db: Database, params: dict) -> Rendered:
        values = {k: shown[k](t, v) if k in shown else v for k, v in params.items()}
        return Rendered(t.gettext(message, **values))

    return renderer(name)(render)
