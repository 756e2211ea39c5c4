"""The secretary's morning digest: what needs their attention in the branch.

A scheduled job (bot/jobs.py); it decides everything from the database, and its key names
the day, so running it twice on a day sends nothing new.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain import outbox, reminders
from storage import join_requests, people
from storage import outbox as queued
from storage.db import Database

TEMPLATE = "secretary.digest"


async def secretary_digest(db: Database, branch_id: int, now: datetime, tz: ZoneInfo) -> int:
    """Queue today's digest for each secretary of the branch, if there is anything in it."""
    waiting = len(await join_requests.pending_in_branch(db, branch_id))
    unreachable = await queued.unreachable_members(db, branch_id)
    failed = await queued.failed_since(db, branch_id, now - timedelta(days=1))
    today = now.astimezone(tz).date()
    remarks = await reminders.remarks_missing(db, branch_id, today)
    if not (waiting or unreachable or failed or remarks):
        return 0
    day = today.isoformat()
    params = {"waiting": waiting, "unreachable": unreachable, "failed": failed, "remarks": remarks}
    enqueued = 0
    async with db.transaction() as conn:
        for secretary in await people.secretaries(db, branch_id):
            if secretary.telegram_id is None:
                continue
            enqueued += await outbox.enqueue(
                conn,
                key=f"digest:{branch_id}:{secretary.id}:{day}",
                chat_id=secretary.telegram_id,
                template=TEMPLATE,
                params=params,
                branch_id=branch_id,
                not_before=now,
            )
    return enqueued
