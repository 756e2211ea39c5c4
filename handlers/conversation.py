"""The conversation kit: what every conversation does the same way.

A conversation (python-telegram-bot's `ConversationHandler`, one per flow, its states one
`StrEnum` in its module) asks with `offer` when a question may be answered by a button or
by typing, shows the review screen with `review_keyboard`, lets a secretary decide with
`decision_keyboard`, and ends on /cancel with `cancel_with(...)`. Input a step does not
expect gets `unexpected`, an old or forged button `answer_stale`. `settle_offer` runs after
every update, so a typed answer takes away the buttons it superseded, for every
conversation at once. Every button's callback opens with `on_press`: the press, the
presser's language, the pressed button and who pressed, and how a refusal is told.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import weakref
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from enum import Enum
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, ConversationHandler

from bot.context import BotContext
from domain.errors import Conflict, DomainError
from domain.i18n import N_, NP_, Translator
from handlers import in_place
from handlers.buttons import Button
from handlers.common import answer_and_drop, answer_query, drop_buttons, error_text, tr, who

# The one way every conversation tells how to stop it.
CANCEL_HINT = N_("(Send /cancel to stop at any time.)")


def with_cancel_hint(t: Translator, question: str) -> str:
    """A conversation's question, and below it how to stop."""
    return question + "\n" + t.gettext(CANCEL_HINT)


async def answer_stale(query: CallbackQuery, t: Translator) -> None:
    """The answer to a press whose data no longer fits: an old message, or forged data."""
    await answer_query(query, t.gettext("This button is no longer valid."))


_OFFERED = "offered_keyboard"


async def offer(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup
) -> None:
    """Ask a question that may be answered by a button or by typing; see `settle_offer`."""
    sent = await update.effective_message.reply_text(text, reply_markup=markup)
    context.user_data[_OFFERED] = [sent.chat_id, sent.message_id]


# What an update found when it came in: the offered question and every conversation's step.
_found: ContextVar[tuple[Any, list[object]] | None] = ContextVar("offers_found", default=None)


# Per application: its handlers' shape (group, count) when last looked at, and its
# conversations then, each with its kind of key (per_chat, per_user, per_message: fixed
# once built). Twice per update, the ~160 handlers were walked for the ~30.
Kind = tuple[bool, bool, bool]
_listed: weakref.WeakKeyDictionary[
    Application, tuple[tuple, list[tuple[ConversationHandler, Kind]]]
] = weakref.WeakKeyDictionary()


def _conversations(app: Application) -> list[tuple[ConversationHandler, Kind]]:
    shape = tuple((group, len(handlers)) for group, handlers in app.handlers.items())
    listed = _listed.get(app)
    if listed is None or listed[0] != shape:
        found = [
            (handler, (handler.per_chat, handler.per_user, handler.per_message))
            for handlers in app.handlers.values()
            for handler in handlers
            if isinstance(handler, ConversationHandler)
        ]
        listed = _listed[app] = (shape, found)
    return listed[1]


def _steps(update: Update, context: BotContext) -> list[object]:
    # python-telegram-bot has no public reading of a conversation's step; the features
    # group's conversations and their keys are read as the handler itself reads them. The
    # key depends only on the handler's kind: built once for each (all of ours are
    # alike), not once per conversation.
    keys: dict[Kind, object] = {}
    found: list[object] = []
    for handler, kind in _conversations(context.application):
        key = keys.get(kind)
        if key is None:
            key = keys[kind] = handler._get_key(update)
        found.append(handler._conversations.get(key))
    return found


def note_offer(update: Update, context: BotContext) -> None:
    """Before the features: remember the open question and the steps, see `settle_offer`."""
    _found.set(None)
    if update.effective_user is None or update.effective_chat is None or context.user_data is None:
        return
    _found.set((context.user_data.get(_OFFERED), _steps(update, context)))


async def settle_offer(update: Update, context: BotContext) -> None:
    """After the features, in one place for every conversation: a typed message the
    conversation accepted (it moved to another step or ended) or answered with a new
    question supersedes the offered keyboard, which goes. A typed message it refused
    leaves the step where it was, and the buttons stay: they still answer the question.
    Outside any conversation no question is open, so nothing stays offered."""
    found = _found.get()
    _found.set(None)
    if found is None:
        return
    offered, steps = found
    now = _steps(update, context)
    chat = update.effective_chat
    shown = in_place.shown_keyboard(chat.id) if chat is not None else None
    if all(step is None for step in now):
        context.user_data.pop(_OFFERED, None)
    elif shown is not None:
        # Any keyboard a step showed is its open question, asked with `offer` or not (a
        # buttons-only step): a typed /cancel or answer takes it away like an offered one.
        context.user_data[_OFFERED] = list(shown)
    typed = update.message is not None and update.callback_query is None
    if not offered or not typed:
        return
    if now != steps or context.user_data.get(_OFFERED) != offered:
        await _remove_markup(context, offered)
        # Gone now: the next typed message has no keyboard of it to take away again.
        if context.user_data.get(_OFFERED) == offered:
            context.user_data.pop(_OFFERED, None)


async def _remove_markup(context: BotContext, offered: list[int]) -> None:
    # Already without buttons, or deleted by the person: nothing is left to remove.
    with contextlib.suppress(BadRequest):
        await context.bot.edit_message_reply_markup(
            chat_id=offered[0], message_id=offered[1], reply_markup=None
        )


#: What /cancel says, unless a conversation says what was not done in its own words.
CANCELLED = N_("Cancelled. Nothing was saved.")


async def cancelled(
    update: Update, context: BotContext, *drafts: str, said: str = CANCELLED
) -> int:
    """/cancel (or a Cancel button) in a conversation: its drafts are dropped, and `said`
    (an `N_` message) told."""
    t = await tr(update, context)
    if update.callback_query:
        await answer_and_drop(update.callback_query)
    await update.effective_message.reply_text(t.gettext(said))
    for draft in drafts:
        context.user_data.pop(draft, None)
    return ConversationHandler.END


def cancel_with(
    *drafts: str, said: str = CANCELLED
) -> Callable[[Update, BotContext], Awaitable[int]]:
    """The /cancel callback of a conversation whose drafts are kept under these keys."""

    async def cancel(update: Update, context: BotContext) -> int:
        return await cancelled(update, context, *drafts, said=said)

    return cancel


async def unexpected(update: Update, context: BotContext) -> None:
    """Input the current step does not take: a stale press, or text where a button is due."""
    t = await tr(update, context)
    query = update.callback_query
    if query:
        await answer_stale(query, t)
        if _on_its_message(query):
            # A step already passed (a question shown twice after a crash, a review left above
            # a new /start): its buttons go, so the live question is the one left to press.
            with contextlib.suppress(BadRequest):
                await drop_buttons(query)
        return
    await update.effective_message.reply_text(
        t.gettext("I did not understand that. Please answer the question above, or send /cancel.")
    )


def _on_its_message(query: CallbackQuery) -> bool:
    """The pressed data is one of the pressed message's buttons (not data forged onto it)."""
    markup = getattr(query.message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return False
    return any(b.callback_data == query.data for row in markup.inline_keyboard for b in row)


async def typed_into(
    update: Update,
    context: BotContext,
    t: Translator,
    draft: str,
    key: str,
    parse: Callable[[str], object],
) -> bool:
    """The typed message, checked by `parse`, kept as `key` of the `draft` in user_data;
    False after telling the sender why it was refused (the step then asks again)."""
    try:
        context.user_data[draft][key] = parse(update.effective_message.text)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return False
    return True


def decision_keyboard(
    t: Translator,
    approve: Button,
    reject: Button,
    *,
    approve_label: str = NP_("button", "✅ Approve"),
    reject_label: str = NP_("button", "❌ Reject"),
    more: list[list[Any]] | None = None,
) -> InlineKeyboardMarkup:
    """A secretary's decision on one request: approve (or confirm) and reject side by side;
    `more` rows (a "change it" button, say) below."""
    row = [
        approve.button(t.pgettext("button", approve_label)),
        reject.button(t.pgettext("button", reject_label)),
    ]
    return InlineKeyboardMarkup([row, *(more or [])])


def skip_keyboard(t: Translator, skip: Button) -> InlineKeyboardMarkup:
    """Under a question that may be left out: its one button, Skip (`skip`)."""
    return InlineKeyboardMarkup([[skip.button(t.pgettext("button", "Skip"))]])


async def offer_skip(
    update: Update, context: BotContext, t: Translator, question: str, skip: Button
) -> None:
    """`offer` a question (already translated) that may be typed or left out with `skip`."""
    await offer(update, context, question, skip_keyboard(t, skip))


def review_keyboard(
    t: Translator, submit: Button, redo: Button, *, redo_label: str = NP_("button", "✏️ Start over")
) -> InlineKeyboardMarkup:
    """Under the review screen of a draft: send it as shown, or start over."""
    return InlineKeyboardMarkup(
        [
            [submit.button(t.pgettext("button", "✅ Submit"))],
            [redo.button(t.pgettext("button", redo_label))],
        ]
    )


class Refuse(Enum):
    """How `on_press` tells a refusal of the rules (a `DomainError` of its callback)."""

    #: In an alert on the button.
    ALERT = "alert"
    #: In an alert; a `Conflict` (too late: someone was first) also takes the buttons away.
    ALERT_LATE = "alert_late"
    #: In an alert and in the chat, where it stays readable.
    SAID = "said"
    #: In an alert and in the chat, and the buttons go (a confirmation no longer to give).
    SAID_DROP = "said_drop"


#: What `on_press` hands its callback, by the names of the callback's parameters.
_GIVEN = ("query", "t", "pressed", "me")


def on_press(
    *codecs: type[Button],
    refuse: Refuse | None = None,
    ended: Any = None,
    answer: bool = False,
    worded: Callable[[Translator, DomainError], str] = error_text,
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[[Update, BotContext], Awaitable[Any]]]:
    """A button's callback with the press's opening lines done once. After `update, context`
    it takes, by name, those of these it needs (unannotated: they are always these):
    `query` (the press), `t` (the presser's language), `pressed` (the button, read by the
    first of `codecs` it fits) and `me` (who pressed, an `Actor`). With `refuse`, a refusal
    of the rules is told that way (in `worded` words) and the callback returns `ended`
    (`ConversationHandler.END` for a conversation's entry); with `answer`, the press is
    answered once the callback is done.

        @on_press(Approve, refuse=Refuse.ALERT)
        async def approve(update: Update, context: BotContext, t, pressed, me) -> None:
    """

    def wrap(callback: Callable[..., Awaitable[Any]]) -> Callable[[Update, BotContext], Any]:
        wanted = [name for name in _GIVEN if name in inspect.signature(callback).parameters]

        @functools.wraps(callback)
        async def pressed(update: Update, context: BotContext) -> Any:
            query = update.callback_query
            t = await tr(update, context) if "t" in wanted or refuse else None
            given = {"query": query, "t": t}
            if "pressed" in wanted:
                given["pressed"] = _read(update, codecs)
            if "me" in wanted:
                given["me"] = await who(update, context)
            try:
                done = await callback(update, context, **{k: given[k] for k in wanted})
            except DomainError as exc:
                if refuse is None:
                    raise
                await _refused(update, query, worded(t, exc), refuse, exc)
                return ended
            if answer:
                await answer_query(query)
            return done

        return pressed

    return wrap


def _read(update: Update, codecs: tuple[type[Button], ...]) -> Button:
    data = update.callback_query.data if update.callback_query else None
    found = next((p for codec in codecs if (p := codec.parse(data)) is not None), None)
    # Its handler's pattern already matched the data, as `Button.of` says.
    return found if found is not None else codecs[-1].of(update)


async def _refused(
    update: Update, query: CallbackQuery, text: str, refuse: Refuse, exc: DomainError
) -> None:
    await answer_query(query, text, alert=True)
    if refuse in (Refuse.SAID, Refuse.SAID_DROP):
        await update.effective_message.reply_text(text)
    if refuse is Refuse.SAID_DROP or (refuse is Refuse.ALERT_LATE and isinstance(exc, Conflict)):
        await drop_buttons(query)
