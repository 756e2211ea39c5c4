"""/broadcast: the secretary writes an announcement, picks the audience, previews, confirms.

It goes out through the outbox, its progress shown by handlers/broadcast_progress.py. A
draft's file waits in `<database folder>/broadcasts/` until it is sent (then it is in the
database) or dropped; `resume` at start-up watches unfinished broadcasts again and removes
files that conversations left behind.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from enum import StrEnum
from pathlib import Path

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import (
    Application,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import access, broadcasts
from domain.broadcasts import Audience, Draft
from domain.errors import DomainError
from domain.i18n import N_, Translator
from handlers import broadcast_progress as progress
from handlers.branch_choice import acting_branch, branch_command, branch_for
from handlers.buttons import Button, family
from handlers.common import (
    add_errors,
    answer_and_drop,
    answer_query,
    branch_today,
    error_text,
    now,
    told_of_waits,
    tr,
    who,
)
from handlers.conversation import CANCEL_HINT, answer_stale, on_press
from handlers.flow_kit import TYPED
from handlers.posts.views import post_name
from storage.db import Database


class Step(StrEnum):
    """The steps of /broadcast. The values are persisted (ptb_conversations): keep them."""

    WRITING = "bc_writing"
    AUDIENCE = "bc_audience"
    TARGET = "bc_target"
    CONFIRM = "bc_confirm"


class PickAudience(Button, prefix="bc:aud", audience=access.Audience.SECRETARY):
    chosen: Audience


class PickTarget(Button, prefix="bc:to", audience=access.Audience.SECRETARY):
    """The post or the event whose people get the announcement."""

    target_id: int


Send, Cancel = family(access.Audience.SECRETARY, "bc:send", "bc:cancel")


# The step a test of bad input walks to (tests/reliability/test_bad_input.py).
WRITING = Step.WRITING
DRAFT = "broadcast"
PROGRESS_SECONDS = 2.0
# A draft's file left behind by a conversation nobody finished is removed after this.
DRAFT_FILE_MAX_AGE = 24 * 3600

add_errors(
    {
        "broadcast_empty": N_("Please write the announcement's text."),
        "broadcast_too_long": N_("That is too long (at most {max} characters)."),
        "broadcast_nobody": N_("Nobody in that audience can get messages. Nothing was sent."),
    }
)

AUDIENCE_NAMES: dict[Audience, str] = {
    Audience.ALL: N_("All members"),
    Audience.CADRES: N_("Cadres"),
    Audience.POST: N_("Holders of a post"),
    Audience.EVENT: N_("Attendees of an event"),
}


@renderer(broadcasts.TEMPLATE)
async def broadcast_message(t: Translator, db: Database, params: dict) -> Rendered:
    if not params.get("file"):
        return Rendered(params["text"])
    return Rendered(params["text"], attachment=await broadcasts.attachment(db, params["broadcast"]))


def _files_dir(files_dir: Path) -> Path:
    folder = files_dir / "broadcasts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _drop_draft(context: BotContext) -> None:
    draft = context.user_data.pop(DRAFT, None)
    if draft and draft.get("file_path"):
        Path(draft["file_path"]).unlink(missing_ok=True)


RESUME = "broadcast"  # the branch choice's callback resumes /broadcast


async def start(update: Update, context: BotContext) -> Step | int:
    if await branch_for(update, context, RESUME) is None:
        return ConversationHandler.END  # refused, or asked which branch (the press resumes)
    t = await tr(update, context)
    _drop_draft(context)
    await update.effective_message.reply_text(
        t.gettext("Send the announcement: a text, or a photo or file with its text as the caption.")
        + "\n"
        + t.gettext(CANCEL_HINT)
    )
    return Step.WRITING


async def got_content(update: Update, context: BotContext) -> Step:
    t = await tr(update, context)
    message = update.effective_message
    attachment = message.document or (message.photo[-1] if message.photo else None)
    text = message.caption if attachment else message.text
    try:
        text = broadcasts.check_text(text or "", with_file=attachment is not None)
    except DomainError as exc:
        await message.reply_text(error_text(t, exc))
        return Step.WRITING
    draft: dict = {"text": text}
    if attachment is not None:
        name = message.document.file_name if message.document else None
        name = Path(name or ("photo.jpg" if message.photo else "file")).name
        content = bytes(await (await attachment.get_file()).download_as_bytearray())
        path = _files_dir(context.settings.files_dir) / f"{uuid.uuid4().hex}-{name}"
        await asyncio.to_thread(path.write_bytes, content)
        draft |= {"file_name": name, "file_path": str(path), "photo": not message.document}
    context.user_data[DRAFT] = draft
    rows = [
        [PickAudience(audience).button(t.gettext(label))]
        for audience, label in AUDIENCE_NAMES.items()
    ]
    await message.reply_text(
        t.gettext("Who should get it?"), reply_markup=InlineKeyboardMarkup(rows)
    )
    return Step.AUDIENCE


async def _pressed(update: Update, context: BotContext, t: Translator) -> dict | None:
    """The draft a press in the conversation goes on with; None (answered as stale) when
    the draft is gone (a press on an old message after the conversation ended)."""
    query = update.callback_query
    draft = context.user_data.get(DRAFT)
    if draft is None:
        await answer_stale(query, t)
        return None
    await answer_and_drop(query)
    return draft


@on_press()
async def got_audience(update: Update, context: BotContext, t) -> Step | int:
    draft = await _pressed(update, context, t)
    if draft is None:
        return Step.AUDIENCE
    audience = PickAudience.of(update).chosen
    draft["audience"] = str(audience)
    if audience not in broadcasts.TARGETED:
        draft["target_id"] = None
        return await preview(update, context, t)
    me = await who(update, context)
    try:
        branch_id = acting_branch(context, me)
        if audience is Audience.POST:
            posts = await broadcasts.post_choices(context.db, me, branch_id)
            found = [(p.id, post_name(t, p)) for p in posts]
        else:
            found = await broadcasts.event_choices(context.db, me, branch_id)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    if not found:
        await update.effective_message.reply_text(
            t.gettext("There is nothing to choose from. Please pick another audience.")
        )
        return Step.AUDIENCE
    rows = [[PickTarget(i).button(name)] for i, name in found]
    await update.effective_message.reply_text(
        t.gettext("Which one?"), reply_markup=InlineKeyboardMarkup(rows)
    )
    return Step.TARGET


@on_press()
async def got_target(update: Update, context: BotContext, t) -> Step | int:
    draft = await _pressed(update, context, t)
    if draft is None:
        return Step.TARGET
    draft["target_id"] = PickTarget.of(update).target_id
    return await preview(update, context, t)


def _draft(context: BotContext) -> Draft:
    values = dict(context.user_data[DRAFT])
    values["audience"] = Audience(values["audience"])
    return Draft(**values)


async def preview(update: Update, context: BotContext, t: Translator) -> Step | int:
    message = update.effective_message
    draft = _draft(context)
    me = await who(update, context)
    try:
        found = await broadcasts.recipients(
            context.db, me, acting_branch(context, me), draft, now(context).date()
        )
    except DomainError as exc:
        await message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    await message.reply_text(t.gettext("Preview: members will get this."))
    if draft.file_path is not None:
        content = await asyncio.to_thread(Path(draft.file_path).read_bytes)
        upload = InputFile(content, filename=draft.file_name)
        send = message.reply_photo if draft.photo else message.reply_document
        await send(upload, caption=draft.text or None)
    else:
        await message.reply_text(draft.text)
    keyboard = InlineKeyboardMarkup(
        [
            [
                Send().button(t.pgettext("button", "📣 Send")),
                Cancel().button(t.pgettext("button", "✖️ Cancel")),
            ]
        ]
    )
    question = t.ngettext(
        "It will go to {n} person. Send it?",
        "It will go to {n} people. Send it?",
        len(found),
    )
    pace = broadcasts.paid_pace(len(found), context.settings.paid_pace)
    if pace is not None:
        question = "\n\n".join((paid_text(t, pace), question))
    await message.reply_text(question, reply_markup=keyboard)
    return Step.CONFIRM


def paid_text(t: Translator, pace: broadcasts.PaidPace) -> str:
    return t.gettext(
        "This is a paid broadcast: about {stars} Telegram Stars from the bot's balance,"
        " delivered in about {paid} instead of {free}.",
        stars=format(pace.stars.normalize(), "f"),
        paid=duration(t, pace.seconds),
        free=duration(t, pace.free_seconds),
    )


def duration(t: Translator, seconds: int) -> str:
    if seconds < 120:
        return t.ngettext("{n} second", "{n} seconds", seconds)
    minutes = -(-seconds // 60)
    return t.ngettext("{n} minute", "{n} minutes", minutes)


@on_press()
async def confirm(update: Update, context: BotContext, query, t) -> Step | int:
    if DRAFT not in context.user_data:
        await answer_stale(query, t)
        return ConversationHandler.END
    me = await who(update, context)
    draft = _draft(context)
    content = None
    if draft.file_path is not None:
        content = await asyncio.to_thread(Path(draft.file_path).read_bytes)
    try:
        branch_id = acting_branch(context, me)
        today = await branch_today(context, branch_id)
        broadcast_id, total = await broadcasts.send(
            context.db, me, branch_id, draft, today, content, context.settings.paid_pace
        )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return Step.CONFIRM
    _drop_draft(context)
    await answer_and_drop(query)
    wait = await broadcasts.waiting(
        context.db, broadcast_id, now(context), context.settings.worktime_defaults
    )
    shown = await update.effective_message.reply_text(
        progress.progress_text(t, 0, total, wait, now(context))
    )
    await broadcasts.show_progress(context.db, broadcast_id, shown.chat_id, shown.message_id)
    told_of_waits()
    progress.watch(context.application, broadcast_id, PROGRESS_SECONDS)
    return ConversationHandler.END


async def resume(app: Application, files_dir: Path) -> None:
    """At start-up: watch every unfinished broadcast again, and remove draft files that
    conversations left behind."""
    for broadcast_id in await broadcasts.unfinished(app.bot_data["db"]):
        progress.watch(app, broadcast_id, PROGRESS_SECONDS)
    cutoff = time.time() - DRAFT_FILE_MAX_AGE
    for path in _files_dir(files_dir).iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


async def cancel(update: Update, context: BotContext) -> int:
    # Not the kit's cancel: the draft's file goes too, and the wording is the announcement's.
    t = await tr(update, context)
    if update.callback_query is not None:
        await answer_and_drop(update.callback_query)
    _drop_draft(context)
    await update.effective_message.reply_text(
        t.gettext("Announcement cancelled. Nothing was sent.")
    )
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=branch_command(RESUME, start),
        states={
            Step.WRITING: [
                MessageHandler(
                    TYPED | filters.PHOTO | filters.Document.ALL,
                    got_content,
                )
            ],
            Step.AUDIENCE: [PickAudience.handler(got_audience)],
            Step.TARGET: [PickTarget.handler(got_target)],
            Step.CONFIRM: [Send.handler(confirm)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            Cancel.handler(cancel),
        ],
        allow_reentry=True,
        name="broadcast",
        persistent=True,
    )
