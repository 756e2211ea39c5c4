"""Jobs the bot runs on its own. Each decides what to do from the database, not memory."""

from __future__ import annotations

from telegram.ext import Application

from bot.context import BotContext
from handlers import events

HEARTBEAT_SECONDS = 30
EVENT_JOB_SECONDS = 60


async def heartbeat(context: BotContext) -> None:
    """Touch a file that `partybot health` (the container's HEALTHCHECK) reads."""
    context.settings.heartbeat_path.touch()


def schedule(app: Application) -> None:
    app.job_queue.run_repeating(heartbeat, interval=HEARTBEAT_SECONDS, first=1, name="heartbeat")
    # Reminders and closing attendance, until the scheduler feature owns them; idempotent.
    app.job_queue.run_repeating(
        events.run_jobs, interval=EVENT_JOB_SECONDS, first=10, name="events"
    )
