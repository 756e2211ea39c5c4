"""Jobs the bot runs on its own. Each decides what to do from the database, not memory."""

from __future__ import annotations

from telegram.ext import Application

from bot.context import BotContext
from handlers import events

REMINDER_SECONDS = 60

HEARTBEAT_SECONDS = 30


async def heartbeat(context: BotContext) -> None:
    """Touch a file that `partybot health` (the container's HEALTHCHECK) reads."""
    context.settings.heartbeat_path.touch()


def schedule(app: Application) -> None:
    app.job_queue.run_repeating(heartbeat, interval=HEARTBEAT_SECONDS, first=1, name="heartbeat")
    # Until the scheduler feature owns reminders; the job is idempotent, see domain/events.py.
    app.job_queue.run_repeating(
        events.send_reminders, interval=REMINDER_SECONDS, first=10, name="event-reminders"
    )
