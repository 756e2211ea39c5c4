"""The scheduler's record of each job slot it ran."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, iso, utcnow


async def claim(db: Database, job: str, branch_id: int, slot: datetime) -> bool:
    """True when this slot has not run yet, or a run of it was cut short (a crash)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO job_runs (job, branch_id, slot, started_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(job, branch_id, slot) DO UPDATE SET started_at = excluded.started_at"
            " WHERE job_runs.finished_at IS NULL",
            (job, branch_id, iso(slot), iso(utcnow())),
        )
        return cur.rowcount > 0


async def finish(
    db: Database, job: str, branch_id: int, slot: datetime, enqueued: int | None
) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE job_runs SET finished_at = ?, enqueued = ?"
            " WHERE job = ? AND branch_id = ? AND slot = ?",
            (iso(utcnow()), enqueued, job, branch_id, iso(slot)),
        )


async def prune(db: Database, before: datetime) -> int:
    """Finished slots before `before`, except each (job, branch)'s latest (`job list`)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "DELETE FROM job_runs WHERE slot < ? AND finished_at IS NOT NULL"
            " AND slot < (SELECT MAX(r.slot) FROM job_runs r"
            " WHERE r.job = job_runs.job AND r.branch_id = job_runs.branch_id)",
            (iso(before),),
        )
        return cur.rowcount


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
