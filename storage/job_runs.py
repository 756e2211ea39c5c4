"""The scheduler's record of each job slot it ran."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, iso, parse_iso, placeholders, utcnow


async def claim(
    db: Database, job: str, branch_id: int, slot: datetime, now: datetime | None = None
) -> bool:
    """True when this slot has not run yet, a run of it was cut short (a crash), or it
    failed and its retry is due."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO job_runs (job, branch_id, slot, started_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(job, branch_id, slot) DO UPDATE SET started_at = excluded.started_at"
            " WHERE job_runs.finished_at IS NULL"
            " AND (job_runs.retry_at IS NULL OR job_runs.retry_at <= ?)",
            (job, branch_id, iso(slot), iso(utcnow()), iso(now or utcnow())),
        )
        return cur.rowcount > 0


async def finish(
    db: Database, job: str, branch_id: int, slot: datetime, enqueued: int | None
) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE job_runs SET finished_at = ?, enqueued = ?, error = NULL, retry_at = NULL"
            " WHERE job = ? AND branch_id = ? AND slot = ?",
            (iso(utcnow()), enqueued, job, branch_id, iso(slot)),
        )


@dataclass(frozen=True)
class Failure:
    attempts: int  # this one included
    earlier_failed: bool  # the slot before this one failed too
    retry_at: datetime | None  # None: given up


async def fail(
    conn: aiosqlite.Connection,
    job: str,
    branch_id: int,
    slot: datetime,
    error: str,
    retry_at: Callable[[int], datetime | None],
) -> Failure:
    """Record a failed run in the caller's transaction: to run again at `retry_at(attempts)`,
    or (None) given up, finished without a count."""
    async with conn.execute(
        "SELECT attempts + 1, (SELECT error IS NOT NULL FROM job_runs e"
        "  WHERE e.job = r.job AND e.branch_id = r.branch_id AND e.slot < r.slot"
        "  ORDER BY e.slot DESC LIMIT 1)"
        " FROM job_runs r WHERE job = ? AND branch_id = ? AND slot = ?",
        (job, branch_id, iso(slot)),
    ) as cur:
        attempts, earlier = await cur.fetchone()
    when = retry_at(attempts)
    await conn.execute(
        "UPDATE job_runs SET attempts = ?, error = ?, retry_at = ?, finished_at = ?"
        " WHERE job = ? AND branch_id = ? AND slot = ?",
        (
            attempts,
            error,
            None if when is None else iso(when),
            iso(utcnow()) if when is None else None,
            job,
            branch_id,
            iso(slot),
        ),
    )
    return Failure(attempts, bool(earlier), when)


@dataclass(frozen=True)
class Run:
    slot: datetime
    finished_at: datetime | None
    attempts: int
    error: str | None
    retry_at: datetime | None


async def latest(db: Database, job: str, branch_id: int) -> Run | None:
    """The latest slot that ran or was tried, finished or not (`job list`)."""
    row = await db.fetchone(
        "SELECT slot, finished_at, attempts, error, retry_at FROM job_runs"
        " WHERE job = ? AND branch_id = ? ORDER BY slot DESC LIMIT 1",
        (job, branch_id),
    )
    if row is None:
        return None
    return Run(
        datetime.fromisoformat(row["slot"]),
        parse_iso(row["finished_at"]),
        row["attempts"],
        row["error"],
        parse_iso(row["retry_at"]),
    )


async def prune(db: Database, before: Mapping[str, datetime], otherwise: datetime) -> int:
    """Finished slots of each job before its moment in `before` (`otherwise` for a job not
    named there, one since removed), except each (job, branch)'s latest (`job list`)."""
    which = [("job = ?", [job, iso(moment)]) for job, moment in before.items()]
    which.append((f"job NOT IN ({placeholders(before)})", [*before, iso(otherwise)]))
    deleted = 0
    async with db.transaction() as conn:
        for jobs, params in which:
            cur = await conn.execute(
                f"DELETE FROM job_runs WHERE {jobs} AND slot < ? AND finished_at IS NOT NULL"
                " AND slot < (SELECT MAX(r.slot) FROM job_runs r"
                " WHERE r.job = job_runs.job AND r.branch_id = job_runs.branch_id)",
                params,
            )
            deleted += cur.rowcount
    return deleted


async def last(db: Database, job: str, branch_id: int) -> datetime | None:
    value = await db.fetchval(
        "SELECT MAX(slot) FROM job_runs"
        " WHERE job = ? AND branch_id = ? AND finished_at IS NOT NULL",
        (job, branch_id),
    )
    return None if value is None else datetime.fromisoformat(value)


async def branch_schedules(db: Database) -> dict[tuple[int, str], tuple[bool, str | None]]:
    """(branch, job) → (enabled, own crontab line or None) where a branch set them."""
    found = await db.fetchall("SELECT branch_id, job, enabled, crontab FROM branch_jobs")
    return {(r["branch_id"], r["job"]): (bool(r["enabled"]), r["crontab"]) for r in found}


ZONE = "*"  # schedule_changes.job of a change of the branch's zone: every job moved


@dataclass(frozen=True)
class Change:
    """What a (branch, job) ran on before its latest change, and when it changed."""

    changed_at: datetime
    job: str
    old_timezone: str | None
    old_crontab: str | None
    old_enabled: bool


async def record_change(
    conn: aiosqlite.Connection,
    branch_id: int,
    job: str,
    *,
    old_timezone: str | None,
    old_crontab: str | None,
    old_enabled: bool,
) -> None:
    """Inside the transaction that changes the schedule; only the latest change is kept."""
    await conn.execute(
        "INSERT INTO schedule_changes"
        " (branch_id, job, changed_at, old_timezone, old_crontab, old_enabled)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(branch_id, job) DO UPDATE SET"
        " changed_at = excluded.changed_at, old_timezone = excluded.old_timezone,"
        " old_crontab = excluded.old_crontab, old_enabled = excluded.old_enabled",
        (branch_id, job, iso(utcnow()), old_timezone, old_crontab, int(old_enabled)),
    )


async def schedule_changes(db: Database) -> dict[tuple[int, str], Change]:
    rows = await db.fetchall("SELECT * FROM schedule_changes")
    return {
        (r["branch_id"], r["job"]): Change(
            datetime.fromisoformat(r["changed_at"]),
            r["job"],
            r["old_timezone"],
            r["old_crontab"],
            bool(r["old_enabled"]),
        )
        for r in rows
    }


async def set_branch_schedule(
    conn: aiosqlite.Connection, branch_id: int, job: str, *, enabled: bool, crontab: str | None
) -> None:
    async with conn.execute(
        "SELECT enabled, crontab FROM branch_jobs WHERE branch_id = ? AND job = ?",
        (branch_id, job),
    ) as cur:
        old = await cur.fetchone()
    old_enabled, old_crontab = (bool(old[0]), old[1]) if old else (True, None)
    if (old_enabled, old_crontab) != (enabled, crontab):
        async with conn.execute("SELECT timezone FROM branches WHERE id = ?", (branch_id,)) as cur:
            zone = await cur.fetchone()
        await record_change(
            conn,
            branch_id,
            job,
            old_timezone=zone[0] if zone else None,
            old_crontab=old_crontab,
            old_enabled=old_enabled,
        )
    await conn.execute(
        "INSERT INTO branch_jobs (branch_id, job, enabled, crontab) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(branch_id, job) DO UPDATE"
        " SET enabled = excluded.enabled, crontab = excluded.crontab",
        (branch_id, job, int(enabled), crontab),
    )
