"""/broadcast: the secretary writes an announcement, picks the audience, previews, confirms.

It goes out through the outbox; a progress message ("sent 120 / 500") is edited by a
small repeating job until every message has been delivered or has failed for good. Where
that message is, is recorded with the broadcast, and the job is started again for every
unfinished broadcast when the bot starts (`resume`), so a restart loses no progress. A
draft's file waits in `<database folder>/broadcasts/` until it is sent (then it is in the
database) or dropped.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import datetime
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import broadcasts
from domain.broadcasts import Audience, Draft
from domain.errors import DomainError
from domain.i18n import N_, Translator
from domain.worktime import Wait
from handlers.branch_choice import acting_branch, branch_or_ask, choice_handler
from handlers.common import (
    add_errors,
    answer_query,
    branch_today,
    drop_buttons,
    error_text,
    now,
    parse_callback,
    told_of_waits,
    tr,
    tr_for,
    unless_unchanged,
    wait_text,
    who,
)
from handlers.conversation import CANCEL_HINT, answer_stale
from handlers.posts.views import post_name
from storage.db import Database

WRITING, AUDIENCE, TARGET, CONFIRM = "bc_writing", "bc_audience", "bc_target", "bc_confirm"
DRAFT = "broadcast"
PROGRESS_SECONDS = 2.0
# A draft's file left behind by a conversation nobody finished is removed after this.
DRAFT_FILE_MAX_AGE = 24 * 3600
_AUDIENCE = re.compile(r"bc:aud:(all|cadres|post|event)")
_TARGET = re.compile(r"bc:to:(\d{1,12})")

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


def _files_dir(database_path: Path) -> Path:
    folder = database_path.parent / "broadcasts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _drop_draft(context: BotContext) -> None:
    draft = context.user_data.pop(DRAFT, None)
    if draft and draft.get("file_path"):
        Path(draft["file_path"]).unlink(missing_ok=True)


RESUME = "broadcast"  # the branch choice's callback resumes /broadcast


async def start(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    try:
        branch_id = await branch_or_ask(update, context, await who(update, context), RESUME)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    if branch_id is None:
        return ConversationHandler.END  # asked which branch; the press starts again
    _drop_draft(context)
    await update.effective_message.reply_text(
        t.gettext("Send the announcement: a text, or a photo or file with its text as the caption.")
        + "\n"
        + t.gettext(CANCEL_HINT)
    )
    return WRITING


async def got_content(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    message = update.effective_message
    attachment = message.document or (message.photo[-1] if message.photo else None)
    text = message.caption if attachment else message.text
    try:
        text = broadcasts.check_text(text or "", with_file=attachment is not None)
    except DomainError as exc:
        await message.reply_text(error_text(t, exc))
        return WRITING
    draft: dict = {"text": text}
    if attachment is not None:
        name = message.document.file_name if message.document else None
        name = Path(name or ("photo.jpg" if message.photo else "file")).name
        content = bytes(await (await attachment.get_file()).download_as_bytearray())
        path = _files_dir(context.settings.database_path) / f"{uuid.uuid4().hex}-{name}"
        await asyncio.to_thread(path.write_bytes, content)
        draft |= {"file_name": name, "file_path": str(path), "photo": not message.document}
    context.user_data[DRAFT] = draft
    rows = [
        [InlineKeyboardButton(t.gettext(label), callback_data=f"bc:aud:{audience}")]
        for audience, label in AUDIENCE_NAMES.items()
    ]
    await message.reply_text(
        t.gettext("Who should get it?"), reply_markup=InlineKeyboardMarkup(rows)
    )
    return AUDIENCE


async def got_audience(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _AUDIENCE)
    draft = context.user_data.get(DRAFT)
    if match is None or draft is None:
        await answer_stale(query, t)
        return AUDIENCE
    await answer_query(query)
    await drop_buttons(query)
    audience = Audience(match[1])
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
        return AUDIENCE
    rows = [[InlineKeyboardButton(name, callback_data=f"bc:to:{i}")] for i, name in found]
    await update.effective_message.reply_text(
        t.gettext("Which one?"), reply_markup=InlineKeyboardMarkup(rows)
    )
    return TARGET


async def got_target(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _TARGET)
    draft = context.user_data.get(DRAFT)
    if match is None or draft is None:
        await answer_stale(query, t)
        return TARGET
    await answer_query(query)
    await drop_buttons(query)
    draft["target_id"] = int(match[1])
    return await preview(update, context, t)


def _draft(context: BotContext) -> Draft:
    values = dict(context.user_data[DRAFT])
    values["audience"] = Audience(values["audience"])
    return Draft(**values)


async def preview(update: Update, context: BotContext, t: Translator) -> str | int:
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
                InlineKeyboardButton(t.pgettext("button", "📣 Send"), callback_data="bc:send"),
                InlineKeyboardButton(t.pgettext("button", "✖️ Cancel"), callback_data="bc:cancel"),
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
    return CONFIRM


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


async def confirm(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    t = await tr(update, context)
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
        return CONFIRM
    _drop_draft(context)
    await answer_query(query)
    await drop_buttons(query)
    wait = await broadcasts.waiting(
        context.db, broadcast_id, now(context), context.settings.worktime_defaults
    )
    shown = await update.effective_message.reply_text(
        progress_text(t, 0, total, wait, now(context))
    )
    await broadcasts.show_progress(context.db, broadcast_id, shown.chat_id, shown.message_id)
    told_of_waits()
    _watch(context.application, broadcast_id)
    return ConversationHandler.END


def _watch(app: Application, broadcast_id: int) -> None:
    app.job_queue.run_repeating(
        report_progress,
        interval=PROGRESS_SECONDS,
        first=PROGRESS_SECONDS,
        # The count last shown: a tick that finds it unchanged makes no Bot API call.
        data={"broadcast": broadcast_id, "shown": None},
        name=f"broadcast {broadcast_id}",
    )


async def resume(app: Application, database_path: Path) -> None:
    """At start-up: watch every unfinished broadcast again, and remove draft files that
    conversations left behind."""
    for broadcast_id in await broadcasts.unfinished(app.bot_data["db"]):
        _watch(app, broadcast_id)
    cutoff = time.time() - DRAFT_FILE_MAX_AGE
    for path in _files_dir(database_path).iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def progress_text(t: Translator, done: int, total: int, wait: Wait | None, moment: datetime) -> str:
    text = t.gettext("Sending the announcement: sent {done} / {total}", done=done, total=total)
    return text if wait is None else f"{text}\n{wait_text(t, wait, moment)}"


async def report_progress(context: BotContext) -> None:
    """Edit the progress message when the count moved; the final counts when done."""
    job = context.job
    watch = job.data
    broadcast_id = watch["broadcast"]
    progress = await broadcasts.settle(context.db, broadcast_id)
    moment = now(context)
    wait = await broadcasts.waiting(
        context.db, broadcast_id, moment, context.settings.worktime_defaults
    )
    seen = (progress.done, wait and (wait.until, wait.why))
    if progress.finished:
        job.schedule_removal()
    elif seen == watch["shown"]:
        return
    watch["shown"] = seen
    shown = await broadcasts.progress_message(context.db, broadcast_id)
    if shown is None:  # stopped before the progress message was shown
        return
    chat_id, message_id = shown
    t = await tr_for(context, chat_id)
    if progress.finished:
        text = t.gettext(
            "The announcement is sent: {sent} delivered, {unreachable} unreachable, "
            "{failed} failed, of {total}.",
            sent=progress.sent,
            unreachable=progress.unreachable,
            failed=progress.failed,
            total=progress.total,
        )
    else:
        text = progress_text(t, progress.done, progress.total, wait, moment)
    # unchanged since the last tick is no error
    await unless_unchanged(
        context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
    )


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    if update.callback_query is not None:
        await answer_query(update.callback_query)
        await drop_buttons(update.callback_query)
    _drop_draft(context)
    await update.effective_message.reply_text(
        t.gettext("Announcement cancelled. Nothing was sent.")
    )
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CommandHandler("broadcast", start),
            choice_handler(RESUME, start),
        ],
        states={
            WRITING: [
                MessageHandler(
                    filters.TEXT & ~filters.COMMAND | filters.PHOTO | filters.Document.ALL,
                    got_content,
                )
            ],
            AUDIENCE: [CallbackQueryHandler(got_audience, pattern=r"^bc:aud:")],
            TARGET: [CallbackQueryHandler(got_target, pattern=r"^bc:to:")],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=r"^bc:send$")],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(cancel, pattern=r"^bc:cancel$"),
        ],
        allow_reentry=True,
        name="broadcast",
        persistent=True,
    )
