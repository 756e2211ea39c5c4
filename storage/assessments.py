"""Targets, pledges and the year-end assessment of branches (domain/assessment)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import date, datetime

import aiosqlite

from domain.assessment.models import Assessment, Criterion, Grade, Targets, YearFigures
from storage import rows
from storage.db import Reader, fetch_all, fetch_one, iso, placeholders


def _targets(row: sqlite3.Row) -> Targets:
    signed = row["pledge_signed_on"]
    return Targets(
        row["branch_id"],
        row["year"],
        row["targets"],
        date.fromisoformat(signed) if signed else None,
        row["pledge_file_id"],
        row["pledge_file_kind"],
    )


async def targets_of(conn: Reader, branch_id: int, year: int) -> Targets | None:
    return await rows.one(
        conn,
        _targets,
        "SELECT * FROM branch_targets WHERE branch_id = ? AND year = ?",
        (branch_id, year),
    )


async def set_targets(
    conn: aiosqlite.Connection, branch_id: int, year: int, by: int | None, at: datetime, **fields
) -> None:
    """Only the given fields change; a branch without a row of the year gets one."""
    names = list(fields)
    await conn.execute(
        f"INSERT INTO branch_targets (branch_id, year, updated_by, updated_at"
        f"{''.join(', ' + n for n in names)}) VALUES (?, ?, ?, ?{', ?' * len(names)})"
        f" ON CONFLICT (branch_id, year) DO UPDATE SET updated_by = excluded.updated_by,"
        f" updated_at = excluded.updated_at{''.join(f', {n} = excluded.{n}' for n in names)}",
        (branch_id, year, by, iso(at), *fields.values()),
    )


async def save_assessment(
    conn: aiosqlite.Connection,
    branch_id: int,
    year: int,
    grades: dict[Criterion, Grade],
    comment: str,
    figures: YearFigures,
    by: int | None,
    at: datetime,
) -> int:
    """The assessment's revision: 1 the first time, one more at each correction."""
    row = await fetch_one(
        conn,
        "INSERT INTO branch_assessments (branch_id, year, comment, figures, assessed_by,"
        " assessed_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (branch_id, year) DO UPDATE SET"
        " comment = excluded.comment, figures = excluded.figures,"
        " assessed_by = excluded.assessed_by, assessed_at = excluded.assessed_at,"
        " revision = branch_assessments.revision + 1 RETURNING revision",
        (branch_id, year, comment, json.dumps(dataclasses.asdict(figures)), by, iso(at)),
    )
    await conn.execute(
        "DELETE FROM assessment_grades WHERE branch_id = ? AND year = ?", (branch_id, year)
    )
    await conn.executemany(
        "INSERT INTO assessment_grades (branch_id, year, criterion, grade) VALUES (?, ?, ?, ?)",
        [(branch_id, year, str(c), str(g)) for c, g in grades.items()],
    )
    return row[0]


_ASSESSMENTS = (
    "SELECT a.*, b.name AS branch_name, COALESCE(d.name, '') AS district_name"
    " FROM branch_assessments a JOIN branches b ON b.id = a.branch_id"
    " LEFT JOIN districts d ON d.id = b.district_id WHERE a.year = ?"
)


async def assessments(conn: Reader, year: int, branch_ids: list[int]) -> list[Assessment]:
    """The year's assessments of these branches, by district and branch name."""
    if not branch_ids:
        return []
    found = await fetch_all(
        conn,
        f"{_ASSESSMENTS} AND a.branch_id IN ({placeholders(branch_ids)})"
        " ORDER BY district_name, b.name, b.id",
        (year, *branch_ids),
    )
    grades = await fetch_all(
        conn,
        f"SELECT * FROM assessment_grades WHERE year = ?"
        f" AND branch_id IN ({placeholders(branch_ids)})",
        (year, *branch_ids),
    )
    by_branch: dict[int, dict[Criterion, Grade]] = {}
    for g in grades:
        by_branch.setdefault(g["branch_id"], {})[Criterion(g["criterion"])] = Grade(g["grade"])
    return [
        Assessment(
            r["branch_id"],
            r["year"],
            by_branch.get(r["branch_id"], {}),
            r["comment"],
            YearFigures(**json.loads(r["figures"])),
            r["revision"],
            datetime.fromisoformat(r["assessed_at"]),
            r["branch_name"],
            r["district_name"],
        )
        for r in found
    ]


async def patrons(conn: Reader, branch_id: int) -> list[tuple[int, int | None]]:
    """(person id, Telegram id) of the branch's active patrons (包扶)."""
    found = await fetch_all(
        conn,
        "SELECT p.id, p.telegram_id FROM people p JOIN roles r ON r.person_id = p.id"
        " WHERE r.branch_id = ? AND r.role = 'patron' AND p.status = 'active' ORDER BY p.id",
        (branch_id,),
    )
    return [(r[0], r[1]) for r in found]


async def district_names(conn: Reader) -> dict[int, str]:
    return {r[0]: r[1] for r in await fetch_all(conn, "SELECT id, name FROM districts")}
