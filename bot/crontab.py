"""A branch's own schedule for a job: a crontab line (`partybot job set --cron`), read as
cron reads it, as an APScheduler trigger in the branch's zone."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NUMBER = re.compile(r"(?<![/\d])([0-7])(?!\d)")


def trigger(line: str, tz: ZoneInfo) -> CronTrigger:
    """A crontab line as cron means it. APScheduler counts weekdays from Monday = 0, cron
    from Sunday = 0 (or 7), so weekday numbers become names first."""
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, month, weekday = fields
    weekday = _WEEKDAY_NUMBER.sub(lambda m: _WEEKDAYS[int(m.group(1))], weekday)
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=tz
    )


def check(line: str) -> str:
    """ValueError unless `line` is a five-field crontab line."""
    trigger(line, ZoneInfo("UTC"))
    return line
