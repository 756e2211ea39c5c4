"""SQL of the democratic appraisal: rounds, participants, the secret tallies and comments,
final grades (disposals: storage/appraisal_disposals.py). Why the ratings are stored as they
are: domain/appraisal/ballots.py."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date, datetime

import aiosqlite

from domain.appraisal.models import GRADES, Grade, Participant, Progress, Round, Stage
from storage import rows
from storage.db import Reader, fetch_all, fetch_one, iso, placeholders
from storage.people import MEMBER_OF
from storage.rows import build

_round = rows.mapper(Round)


async def get_round(source: Reader, round_id: int) -> Round | None:
    return await rows.one(
        source, _round, "SELECT * FROM appraisal_rounds WHERE id = ?", (round_id,)
    )


async def round_of(source: Reader, branch_id: int, year: int) -> Round | None:
    return await rows.one(
        source,
        _round,
        "SELECT * FROM appraisal_rounds WHERE branch_id = ? AND year = ?",
        (branch_id, year),
    )


async def latest_round(source: Reader, branch_id: int) -> Round | None:
    return await rows.one(
        source,
        _round,
        "SELECT * FROM appraisal_rounds WHERE branch_id = ? ORDER BY year DESC LIMIT 1",
        (branch_id,),
    )


async def open_rounds(source: Reader, stage: Stage) -> list[Round]:
    found = await fetch_all(source, "SELECT * FROM appraisal_rounds WHERE stage = ?", (stage,))
    return [_round(r) for r in found]


async def eligible(source: Reader, branch_id: int) -> list[tuple[int, str | None]]:
    """The branch's members (domain/access.py's rule: never a contact) with where a mobile
    member went out to, if they are away."""
    found = await fetch_all(
        source,
        # The version's details are JSON text, read here rather than with SQLite's
        # json_extract, which PostgreSQL spells otherwise (docs/scaling.md).
        "SELECT p.id, (SELECT v.details FROM mobile_registrations r"
        " JOIN mobile_versions v ON v.registration_id = r.id WHERE r.person_id = p.id"
        " AND r.direction = 'outflow' AND r.status IN ('active', 'returning')"
        " ORDER BY v.version DESC LIMIT 1) AS outflow"
        f" FROM people p WHERE p.branch_id = ? AND {MEMBER_OF} ORDER BY p.id",
        (branch_id,),
    )
    return [(r["id"], _destination(r["outflow"])) for r in found]


def _destination(details: str | None) -> str | None:
    return json.loads(details).get("destination") if details else None


async def create_round(
    conn: aiosqlite.Connection,
    *,
    branch_id: int,
    year: int,
    start: date,
    end: date,
    by: int,
    now: datetime,
    participants: Sequence[tuple[int, str | None]],
) -> int | None:
    """None when the branch has a round of that year already."""
    cur = await conn.execute(
        "INSERT INTO appraisal_rounds (branch_id, year, period_start, period_end, stage,"
        " opened_at, opened_by, stage_at) VALUES (?, ?, ?, ?, 'study', ?, ?, ?)"
        " ON CONFLICT (branch_id, year) DO NOTHING RETURNING id",
        (branch_id, year, start.isoformat(), end.isoformat(), iso(now), by, iso(now)),
    )
    row = await cur.fetchone()
    await cur.close()
    if row is None:
        return None
    round_id = row[0]
    for person_id, outflow in participants:
        await conn.execute(
            "INSERT INTO appraisal_participants (round_id, person_id, outflow) VALUES (?, ?, ?)",
            (round_id, person_id, outflow),
        )
        for grade in GRADES:
            await conn.execute(
                "INSERT INTO appraisal_tallies (round_id, ratee_id, grade) VALUES (?, ?, ?)",
                (round_id, person_id, grade),
            )
    return round_id


async def move_stage(
    conn: aiosqlite.Connection, round_id: int, seen: Stage, to: Stage, now: datetime
) -> bool:
    """False when the round is no longer at `seen` (a stale or repeated press)."""
    cur = await conn.execute(
        "UPDATE appraisal_rounds SET stage = ?, stage_at = ?,"
        " closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END"
        " WHERE id = ? AND stage = ?",
        (to, iso(now), to, iso(now), round_id, seen),
    )
    return cur.rowcount == 1


_PARTICIPANT = (
    "SELECT a.*, p.name, p.telegram_id, p.status = 'active' AS active"
    " FROM appraisal_participants a"
    " JOIN people p ON p.id = a.person_id"
)


def _participant(row: sqlite3.Row) -> Participant:
    return build(Participant, row, name=row["name"] or f"#{row['person_id']}")


async def participants(source: Reader, round_id: int) -> list[Participant]:
    found = await fetch_all(
        source, f"{_PARTICIPANT} WHERE a.round_id = ? ORDER BY p.id", (round_id,)
    )
    return [_participant(r) for r in found]


async def participant(source: Reader, round_id: int, person_id: int) -> Participant | None:
    return await rows.one(
        source,
        _participant,
        f"{_PARTICIPANT} WHERE a.round_id = ? AND a.person_id = ?",
        (round_id, person_id),
    )


async def save_summary(
    conn: aiosqlite.Connection,
    round_id: int,
    person_id: int,
    *,
    text: str | None,
    file_id: str | None,
    file_name: str | None,
    now: datetime,
) -> None:
    await conn.execute(
        "UPDATE appraisal_participants SET summary_text = ?, summary_file_id = ?,"
        " summary_file_name = ?, submitted_at = ? WHERE round_id = ? AND person_id = ?",
        (text, file_id, file_name, iso(now), round_id, person_id),
    )


async def cast_ballot(
    conn: aiosqlite.Connection,
    round_id: int,
    rater_id: int,
    grades: Mapping[int, Grade],
    comments: Mapping[int, str],
) -> bool:
    """The rater's whole ballot: their mark that they voted, one vote more on each ratee's
    counter, the comments under random ids. False (nothing written) when they had voted."""
    cur = await conn.execute(
        "UPDATE appraisal_participants SET has_rated = 1"
        " WHERE round_id = ? AND person_id = ? AND has_rated = 0",
        (round_id, rater_id),
    )
    if cur.rowcount != 1:
        return False
    for ratee_id, grade in sorted(grades.items()):
        await conn.execute(
            "UPDATE appraisal_tallies SET votes = votes + 1"
            " WHERE round_id = ? AND ratee_id = ? AND grade = ?",
            (round_id, ratee_id, grade),
        )
    for ratee_id, text in sorted(comments.items()):
        await conn.execute(
            "INSERT INTO appraisal_comments (id, round_id, ratee_id, text) VALUES (?, ?, ?, ?)",
            (secrets.randbits(62), round_id, ratee_id, text),
        )
    return True


async def tallies(source: Reader, round_id: int) -> dict[int, dict[Grade, int]]:
    found = await fetch_all(
        source,
        "SELECT ratee_id, grade, votes FROM appraisal_tallies WHERE round_id = ?",
        (round_id,),
    )
    counted: dict[int, dict[Grade, int]] = {}
    for r in found:
        counted.setdefault(r["ratee_id"], {})[Grade(r["grade"])] = r["votes"]
    return counted


async def comments(source: Reader, round_id: int, ratee_id: int) -> list[str]:
    found = await fetch_all(
        source,
        "SELECT text FROM appraisal_comments WHERE round_id = ? AND ratee_id = ? ORDER BY id",
        (round_id, ratee_id),
    )
    return [r["text"] for r in found]


async def set_grade(
    conn: aiosqlite.Connection,
    round_id: int,
    person_id: int,
    grade: Grade,
    note: str | None,
    by: int,
    now: datetime,
) -> None:
    await conn.execute(
        "UPDATE appraisal_participants SET grade = ?, grade_note = ?, graded_at = ?,"
        " graded_by = ? WHERE round_id = ? AND person_id = ?",
        (grade, note, iso(now), by, round_id, person_id),
    )


async def note_reminder(
    conn: aiosqlite.Connection, round_id: int, person_id: int, stage: Stage, now: datetime
) -> None:
    """One reminder more in `stage`: the count starts again in a new stage."""
    await conn.execute(
        "UPDATE appraisal_participants SET reminders = CASE WHEN reminded_stage = ?"
        " THEN reminders + 1 ELSE 1 END, reminded_stage = ?, reminded_at = ?"
        " WHERE round_id = ? AND person_id = ?",
        (stage, stage, iso(now), round_id, person_id),
    )


async def reminders_of(source: Reader, round_id: int) -> dict[int, tuple[str | None, int, str]]:
    found = await fetch_all(
        source,
        "SELECT person_id, reminded_stage, reminders, reminded_at FROM appraisal_participants"
        " WHERE round_id = ?",
        (round_id,),
    )
    return {r["person_id"]: (r["reminded_stage"], r["reminders"], r["reminded_at"]) for r in found}


async def progress(source: Reader, round_: Round) -> Progress:
    row = await fetch_one(
        source,
        "SELECT COUNT(*) AS n, COUNT(submitted_at) AS submitted, SUM(has_rated) AS rated,"
        " COUNT(grade) AS graded FROM appraisal_participants WHERE round_id = ?",
        (round_.id,),
    )
    return Progress(
        round_.year, round_.stage, row["n"], row["submitted"], row["rated"] or 0, row["graded"]
    )


async def final_grades(
    source: Reader, person_ids: Sequence[int], up_to_year: int
) -> dict[int, tuple[int, Grade]]:
    """Each person's latest final grade of a round of `up_to_year` or before, once the
    branch has fixed it (the round is past 组织定格)."""
    if not person_ids:
        return {}
    found = await fetch_all(
        source,
        "SELECT a.person_id, r.year, a.grade FROM appraisal_participants a"
        " JOIN appraisal_rounds r ON r.id = a.round_id"
        " WHERE a.grade IS NOT NULL AND r.year <= ? AND r.stage IN ('disposal', 'closed')"
        f" AND a.person_id IN ({placeholders(person_ids)})"
        " ORDER BY r.year",
        (up_to_year, *person_ids),
    )
    return {r["person_id"]: (r["year"], Grade(r["grade"])) for r in found}


async def personal(source: Reader, person_id: int) -> list[dict]:
    """What /mydata shows the person of their rounds: their summary, that they voted (not
    whom or how), their final grade once the branch fixed it, and a disposal. Never the
    votes or comments they received: those are shown to nobody below MIN_RATERS."""
    found = await fetch_all(
        source,
        "SELECT r.year, a.outflow, a.summary_text, a.summary_file_name, a.submitted_at,"
        " a.has_rated,"
        " CASE WHEN r.stage IN ('disposal', 'closed') THEN a.grade END AS grade,"
        " CASE WHEN r.stage IN ('disposal', 'closed') THEN a.grade_note END AS grade_note,"
        " d.kind AS disposal, d.decided_on, d.deadline, d.follow_up, d.followed_up_on"
        " FROM appraisal_participants a JOIN appraisal_rounds r ON r.id = a.round_id"
        " LEFT JOIN appraisal_disposals d ON d.round_id = a.round_id AND d.person_id = a.person_id"
        " WHERE a.person_id = ? ORDER BY r.year",
        (person_id,),
    )
    return [dict(r) | {"has_rated": bool(r["has_rated"])} for r in found]
