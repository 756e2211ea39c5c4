"""A branch's working-time settings and its own calendar exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from storage import job_runs, outbox
from storage.db import Database, utcnow


@dataclass(frozen=True)
class BranchWorkTime:
    timezone: str | None
    working_hours: str | None
    quiet_hours: str | None
    exceptions: dict[date, bool]


async def load(db: Database, branch_id: int) -> BranchWorkTime:
    row = await db.fetchone(
        "SELECT b.timezone, w.working_hours, w.quiet_hours FROM branches b"
        " LEFT JOIN branch_worktime w ON w.branch_id = b.id WHERE b.id = ?",
        (branch_id,),
    )
    days = await db.fetchall(
        "SELECT day, working FROM branch_days WHERE branch_id = ?", (branch_id,)
    )
    return BranchWorkTime(
        timezone=row["timezone"] if row else None,
        working_hours=row["working_hours"] if row else None,
        quiet_hours=row["quiet_hours"] if row else None,
        exceptions={date.fromisoformat(d["day"]): bool(d["working"]) for d in days},
    )


async def set_day(db: Database, branch_id: int, day: date, working: bool, note: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO branch_days (branch_id, day, working, note) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(branch_id, day) DO UPDATE"
            " SET working = excluded.working, note = excluded.note",
            (branch_id, day.isoformat(), int(working), note),
        )
        await outbox.release_held(conn, branch_id, utcnow())


async def set_times(
    db: Database,
    branch_id: int,
    *,
    timezone: str | None,
    working_hours: str | None,
    quiet_hours: str | None,
) -> None:
    """Change what is given; None keeps the branch's current value."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT timezone FROM branches WHERE id = ?", (branch_id,)) as cur:
            row = await cur.fetchone()
        old_zone = row[0] if row else None
        if timezone is not None and timezone != old_zone:
            # Every job of the branch moves; the scheduler's catch-up needs the old zone.
            await job_runs.record_change(
                conn,
                branch_id,
                job_runs.ZONE,
                old_timezone=old_zone,
                old_crontab=None,
                old_enabled=True,
            )
        if timezone is not None:
            await conn.execute(
                "UPDATE branches SET timezone = ? WHERE id = ?", (timezone, branch_id)
            )
        await conn.execute(
            "INSERT INTO branch_worktime (branch_id, working_hours, quiet_hours) VALUES (?, ?, ?)"
            " ON CONFLICT(branch_id) DO UPDATE SET"
            " working_hours = COALESCE(excluded.working_hours, branch_worktime.working_hours),"
            " quiet_hours = COALESCE(excluded.quiet_hours, branch_worktime.quiet_hours)",
            (branch_id, working_hours, quiet_hours),
        )
        # What the old hours, quiet hours or zone held is judged again under the new ones.
        await outbox.release_held(conn, branch_id, utcnow())
