"""What runs on its own: the 考察 note reminder to the 培养联系人, and the counts the
district's page may show (`progress`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain import notices
from domain.development.files import REVIEW_TEMPLATE, File, load
from domain.development.rules import REVIEW_REMIND_BEFORE, Stage, overdue, review_due
from storage import development as store
from storage.db import Database


async def _open(db: Database, branch_id: int) -> list[File]:
    found = [await load(db, row["id"]) for row in await store.open_files(db, branch_id)]
    return [f for f in found if f is not None]


async def remind_reviews(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Job: two weeks before a 考察 note is due (or once it is late), each 培养联系人 of the
    file is reminded, once per due date."""
    if branch_id is None:
        return 0
    today = now.astimezone(tz).date()
    queued = 0
    async with db.transaction() as conn:
        for found in await _open(db, branch_id):
            due = review_due(found.state)
            if due is None or today < due - REVIEW_REMIND_BEFORE:
                continue
            for person_id, _name, telegram_id in found.introducers:
                queued += await notices.to_person(
                    conn,
                    telegram_id,
                    f"dev-review:{found.id}:{due.isoformat()}:{person_id}",
                    template=REVIEW_TEMPLATE,
                    params={"file": found.id, "due": due.isoformat()},
                    branch_id=branch_id,
                    not_before=now,
                )
    return queued


@dataclass(frozen=True)
class Progress:
    """A branch's development at a glance: files per stage, and how many are overdue."""

    per_stage: dict[Stage, int]
    overdue: int


async def progress(db: Database, branch_id: int, today: date) -> Progress:
    """For the district's page (no names): open files per stage, full members made, and
    the files with a step or note past its date."""
    per_stage = dict.fromkeys(Stage, 0)
    late = 0
    for found in await _open(db, branch_id):
        per_stage[found.stage] += 1
        late += overdue(found.state, today)
    return Progress(per_stage, late)
