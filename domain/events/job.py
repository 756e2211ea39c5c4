"""The events' job, every minute: reminders due, then attendance whose window has closed."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Protocol

from domain import working_time
from domain.events.attendance import close_attendance
from domain.events.reminders import send_reminders
from storage.db import Database


class Settings(Protocol):
    """What the events' job reads of the bot's configuration."""

    @property
    def worktime_defaults(self) -> working_time.Defaults: ...


async def run(
    db: Database,
    branch_id: int | None,
    now: datetime,
    tz: tzinfo,
    settings: Settings | None = None,
) -> int:
    """The events' job, every minute: reminders, then attendance whose window has closed."""
    defaults = settings.worktime_defaults if settings else working_time.Defaults(str(tz))
    policy = await working_time.for_branch(db, branch_id, defaults)
    return await send_reminders(db, branch_id, now, tz, policy) + await close_attendance(
        db, branch_id, now, tz
    )
