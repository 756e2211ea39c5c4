"""Jobs the bot runs on its own. Each decides what to do from the database, not memory."""

from __future__ import annotations

from datetime import time

from telegram.ext import Application

from bot import backups
from bot.context import BotContext
from handlers import events, mobile_secretary

HEARTBEAT_SECONDS = 30
EVENT_JOB_SECONDS = 60
# In the bot's time zone (Defaults.tzinfo): during the working day.
RENEWAL_REMINDER_TIME = time(9, 30)


async def heartbeat(context: BotContext) -> None:
    """Touch a file that `partybot health` (the container's HEALTHCHECK) reads."""
    context.settings.heartbeat_path.touch()


def schedule(app: Application) -> None:
    app.job_queue.run_repeating(heartbeat, interval=HEARTBEAT_SECONDS, first=1, name="heartbeat")
    app.job_queue.run_daily(
        mobile_secretary.remind_renewals, RENEWAL_REMINDER_TIME, name="mobile renewals"
    )
    # Until the scheduler's registry of jobs lands (issue in progress), the backup is wired
    # here directly; it moves there as one entry.
    settings = app.bot_data["settings"]
    app.job_queue.run_daily(backups.daily, time=settings.backup_at, name="backup")
    # Reminders and closing attendance, until the scheduler feature owns them; idempotent.
    app.job_queue.run_repeating(
        events.run_jobs, interval=EVENT_JOB_SECONDS, first=10, name="events"
    )
