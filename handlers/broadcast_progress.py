"""The progress of a broadcast: a message ("sent 120 / 500") edited by a small repeating
job until every message has been delivered or has failed for good. Where that message is,
is recorded with the broadcast, and handlers/broadcast.py's `resume` starts the job again
for every unfinished broadcast when the bot starts, so a restart loses no progress.
"""

from __future__ import annotations

from datetime import datetime

from telegram.ext import Application

from bot.context import BotContext
from domain import broadcasts
from domain.i18n import Translator
from domain.working_time import Wait
from handlers.common import now, tr_for, unless_unchanged, wait_text

JOB_PREFIX = "broadcast "  # the JobQueue's name of a broadcast's progress job, before its id


def watch(app: Application, broadcast_id: int, every: float) -> None:
    """Edit the broadcast's progress message every `every` seconds until it is done."""
    app.job_queue.run_repeating(
        report_progress,
        interval=every,
        first=every,
        # The count last shown: a tick that finds it unchanged makes no Bot API call.
        data={"broadcast": broadcast_id, "shown": None},
        name=f"{JOB_PREFIX}{broadcast_id}",
    )


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
