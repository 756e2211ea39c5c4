"""The county's official calendar as the operator entered it (`partybot calendar`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import aiosqlite

from storage.db import Database, executemany, iso, utcnow


async def load(db: Database) -> dict[date, tuple[bool, str]]:
    rows = await db.fetchall("SELECT day, working, name FROM official_days")
    return {date.fromisoformat(r["day"]): (bool(r["working"]), r["name"]) for r in rows}


async def replace_years(
    conn: aiosqlite.Connection, years: Iterable[int], days: Iterable[tuple[date, bool, str]]
) -> None:
    """The entered schedule of each of `years` becomes `days`: a notice is entered whole."""
    for year in sorted(set(years)):
        await conn.execute(
            "DELETE FROM official_days WHERE day BETWEEN ? AND ?",
            (f"{year:04d}-01-01", f"{year:04d}-12-31"),
        )
    stamp = iso(utcnow())
    await executemany(
        conn,
        "INSERT INTO official_days (day, working, name, entered_at) VALUES (?, ?, ?, ?)",
        [(day.isoformat(), int(working), name, stamp) for day, working, name in days],
    )
