"""The appraisal's jobs: reminders to those who have not yet submitted their summary or cast
their ballot (at most MAX_REMINDERS a person and stage, each only to that person, naming
nobody else), and the secretaries' reminder when a 限期改正 deadline comes (once)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain import notices
from domain.appraisal.models import MAX_REMINDERS, Stage
from domain.i18n import N_
from storage import appraisal as store
from storage import appraisal_disposals as disposal_store
from storage.db import Database, parse_iso

# The first reminder a day into the stage, the next ones this many days after the last.
FIRST_AFTER = timedelta(days=1)
EVERY = timedelta(days=3)

REMINDERS = {
    Stage.SUMMARY: N_(
        "A reminder: your personal summary for the {year} democratic appraisal is not in yet."
        " Send /appraisal to write it."
    ),
    Stage.RATING: N_(
        "A reminder: you have not yet rated the other participants of the {year} democratic"
        " appraisal. Send /appraisal to rate them; your ratings stay secret."
    ),
}
# Outbox template (rendered by handlers/appraisal/notices.py): the deadline in the reader's style.
DEADLINE_TEMPLATE = "appraisal-deadline"
DEADLINE_DUE = N_(
    "Democratic appraisal {year}: the deadline for {name} to correct (限期改正) was {deadline}."
    " Send /appraisal to record the follow-up."
)


def _due(stage: Stage, reminded: tuple[str | None, int, str | None], now: datetime) -> bool:
    last_stage, count, at = reminded
    if last_stage != stage:
        return True
    if count >= MAX_REMINDERS:
        return False
    return at is None or now - parse_iso(at) >= EVERY


async def remind(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Job: the branch's participants who have not done what the stage asks. Delivered by
    the outbox in the branch's working time (a normal notification)."""
    if branch_id is None:
        return 0
    found = await store.latest_round(db, branch_id)
    if found is None or found.stage not in REMINDERS or now - found.stage_at < FIRST_AFTER:
        return 0
    stage = found.stage
    reminded = await store.reminders_of(db, found.id)
    queued = 0
    async with db.transaction() as conn:
        for person in await store.participants(conn, found.id):
            done = person.submitted if stage is Stage.SUMMARY else person.has_rated
            if done or not _due(stage, reminded[person.person_id], now):
                continue
            last_stage, count, _ = reminded[person.person_id]
            number = count + 1 if last_stage == stage else 1
            queued += await notices.to_person(
                conn,
                person.telegram_id,
                f"appraisal-remind:{found.id}:{stage}:{person.person_id}:{number}",
                text=REMINDERS[stage],
                params={"year": found.year},
                branch_id=branch_id,
                not_before=now,
            )
            await store.note_reminder(conn, found.id, person.person_id, stage, now)
    return queued


async def deadlines(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Job: the secretaries are told once when a 限期改正 deadline has come."""
    if branch_id is None:
        return 0
    today = now.astimezone(tz).date()
    queued = 0
    async with db.transaction() as conn:
        for row in await disposal_store.deadlines_due(conn, branch_id, today):
            queued += await notices.to_secretaries(
                conn,
                db,
                branch_id,
                f"appraisal-deadline:{row['id']}",
                template=DEADLINE_TEMPLATE,
                params={
                    "year": row["year"],
                    "name": row["name"] or f"#{row['person_id']}",
                    "deadline": row["deadline"],
                },
                not_before=now,
            )
            await disposal_store.mark_deadline_reminded(conn, row["id"], now)
    return queued
