"""SQL of the responsibility posts. Writers take a connection inside the caller's
transaction; readers use the database's reader connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import aiosqlite

from domain.models import Person
from domain.post_models import (
    HOLDING,
    OPEN,
    Assessment,
    Claim,
    ClaimStatus,
    Cycle,
    DutyRecord,
    Post,
    Rating,
    Stage,
)
from storage import rows
from storage.db import Database, iso, parse_iso
from storage.people import MEMBER_OF

Conn = aiosqlite.Connection | Database


def _post(row: sqlite3.Row) -> Post:
    return Post(
        id=row["id"],
        branch_id=row["branch_id"],
        code=row["code"],
        name=row["name"],
        duties=row["duties"],
        capacity=row["capacity"],
        retired=row["retired_at"] is not None,
    )


def _claim(row: sqlite3.Row) -> Claim:
    return Claim(
        id=row["id"],
        post_id=row["post_id"],
        person_id=row["person_id"],
        year=row["year"],
        status=ClaimStatus(row["status"]),
        reason=row["reason"],
    )


def _placeholders(values: Iterable[object]) -> str:
    return ", ".join("?" for _ in values)


async def _all(conn: Conn, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
    if isinstance(conn, Database):
        return await conn.fetchall(sql, params)
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def _one(conn: Conn, sql: str, params: tuple | list = ()) -> sqlite3.Row | None:
    found = await _all(conn, sql, params)
    return found[0] if found else None


# -------------------------------------------------------------------- posts and settings


async def is_seeded(conn: Conn, branch_id: int) -> bool:
    row = await _one(conn, "SELECT seeded_at FROM post_settings WHERE branch_id = ?", (branch_id,))
    return row is not None and row["seeded_at"] is not None


async def seed(
    conn: aiosqlite.Connection, branch_id: int, codes: list[str], capacity: int, now: datetime
) -> int:
    """The county posts, once per branch; returns how many were added."""
    added = 0
    for position, code in enumerate(codes, start=1):
        cur = await conn.execute(
            "INSERT INTO posts (branch_id, code, capacity, position, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(branch_id, code) DO NOTHING",
            (branch_id, code, capacity, position, iso(now)),
        )
        added += cur.rowcount
    await conn.execute(
        "INSERT INTO post_settings (branch_id, seeded_at) VALUES (?, ?)"
        " ON CONFLICT(branch_id) DO UPDATE SET seeded_at = excluded.seeded_at",
        (branch_id, iso(now)),
    )
    return added


async def member_limit(conn: Conn, branch_id: int) -> int:
    row = await _one(
        conn, "SELECT member_limit FROM post_settings WHERE branch_id = ?", (branch_id,)
    )
    return row["member_limit"] if row else 3


async def set_member_limit(conn: aiosqlite.Connection, branch_id: int, limit: int) -> None:
    await conn.execute(
        "INSERT INTO post_settings (branch_id, member_limit) VALUES (?, ?)"
        " ON CONFLICT(branch_id) DO UPDATE SET member_limit = excluded.member_limit",
        (branch_id, limit),
    )


async def get_post(conn: Conn, post_id: int) -> Post | None:
    row = await _one(conn, "SELECT * FROM posts WHERE id = ?", (post_id,))
    return _post(row) if row else None


async def posts_by_id(conn: Conn, post_ids: Iterable[int]) -> dict[int, Post]:
    ids = sorted(set(post_ids))
    if not ids:
        return {}
    found = await _all(conn, f"SELECT * FROM posts WHERE id IN ({_placeholders(ids)})", ids)
    return {r["id"]: _post(r) for r in found}


async def branch_posts(conn: Conn, branch_id: int, *, retired: bool = False) -> list[Post]:
    where = "" if retired else " AND retired_at IS NULL"
    found = await _all(
        conn,
        f"SELECT * FROM posts WHERE branch_id = ?{where} ORDER BY position, id",
        (branch_id,),
    )
    return [_post(r) for r in found]


async def add_post(
    conn: aiosqlite.Connection, branch_id: int, name: str, capacity: int, now: datetime
) -> int:
    cur = await conn.execute(
        "INSERT INTO posts (branch_id, name, capacity, position, created_at)"
        " SELECT ?, ?, ?, COALESCE(MAX(position), 0) + 1, ? FROM posts WHERE branch_id = ?",
        (branch_id, name, capacity, iso(now), branch_id),
    )
    return cur.lastrowid


async def update_post(conn: aiosqlite.Connection, post_id: int, **fields: object) -> None:
    allowed = {"duties", "capacity", "retired_at"}
    if set(fields) - allowed:
        raise ValueError(f"unknown post fields {set(fields) - allowed}")
    assignments = ", ".join(f"{name} = ?" for name in fields)
    await conn.execute(f"UPDATE posts SET {assignments} WHERE id = ?", (*fields.values(), post_id))


async def active_members(conn: Conn, branch_id: int) -> list[Person]:
    found = await _all(
        conn,
        f"SELECT * FROM people p WHERE branch_id = ? AND {MEMBER_OF} ORDER BY id",
        (branch_id,),
    )
    return [rows.person(r) for r in found]


# -------------------------------------------------------------------- the cycle


async def latest_cycle(conn: Conn, branch_id: int) -> Cycle | None:
    row = await _one(
        conn,
        "SELECT * FROM post_cycles WHERE branch_id = ? ORDER BY year DESC LIMIT 1",
        (branch_id,),
    )
    return Cycle(row["branch_id"], row["year"], Stage(row["stage"])) if row else None


async def create_cycle(
    conn: aiosqlite.Connection, branch_id: int, year: int, stage: Stage, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO post_cycles (branch_id, year, stage, changed_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (branch_id, year, stage, iso(now)),
    )


async def move_cycle(conn: aiosqlite.Connection, cycle: Cycle, to: Stage, now: datetime) -> bool:
    """False when the stage is no longer the one the caller saw."""
    cur = await conn.execute(
        "UPDATE post_cycles SET stage = ?, changed_at = ?"
        " WHERE branch_id = ? AND year = ? AND stage = ?",
        (to, iso(now), cycle.branch_id, cycle.year, cycle.stage),
    )
    return cur.rowcount == 1


# -------------------------------------------------------------------- survey


async def save_survey(
    conn: aiosqlite.Connection,
    cycle: Cycle,
    person_id: int,
    post_ids: list[int],
    availability: str,
    skills: str,
    now: datetime,
) -> None:
    """An answer replaces the person's earlier answer of the same year."""
    key = (cycle.branch_id, cycle.year, person_id)
    await conn.execute(
        "DELETE FROM post_surveys WHERE branch_id = ? AND year = ? AND person_id = ?", key
    )
    await conn.execute(
        "INSERT INTO post_surveys (branch_id, year, person_id, availability, skills,"
        " answered_at) VALUES (?, ?, ?, ?, ?, ?)",
        (*key, availability, skills, iso(now)),
    )
    await conn.executemany(
        "INSERT INTO post_survey_choices (branch_id, year, person_id, post_id) VALUES (?, ?, ?, ?)",
        [(*key, post_id) for post_id in post_ids],
    )


async def survey_counts(conn: Conn, cycle: Cycle) -> tuple[int, dict[int, int], dict[str, int]]:
    """Respondents, willing people per post, respondents per availability."""
    key = (cycle.branch_id, cycle.year)
    answers = await _all(
        conn,
        "SELECT availability, COUNT(*) AS n FROM post_surveys"
        " WHERE branch_id = ? AND year = ? GROUP BY availability",
        key,
    )
    willing = await _all(
        conn,
        "SELECT post_id, COUNT(*) AS n FROM post_survey_choices"
        " WHERE branch_id = ? AND year = ? GROUP BY post_id",
        key,
    )
    by_time = {r["availability"]: r["n"] for r in answers}
    return sum(by_time.values()), {r["post_id"]: r["n"] for r in willing}, by_time


async def survey_skills(conn: Conn, cycle: Cycle) -> list[tuple[int, str]]:
    found = await _all(
        conn,
        "SELECT person_id, skills FROM post_surveys"
        " WHERE branch_id = ? AND year = ? AND skills != '' ORDER BY answered_at",
        (cycle.branch_id, cycle.year),
    )
    return [(r["person_id"], r["skills"]) for r in found]


# -------------------------------------------------------------------- claims


async def get_claim(conn: Conn, claim_id: int) -> Claim | None:
    row = await _one(conn, "SELECT * FROM post_claims WHERE id = ?", (claim_id,))
    return _claim(row) if row else None


async def open_claim(conn: Conn, post_id: int, person_id: int, year: int) -> Claim | None:
    row = await _one(
        conn,
        f"SELECT * FROM post_claims WHERE post_id = ? AND person_id = ? AND year = ?"
        f" AND status IN ({_placeholders(OPEN)})",
        (post_id, person_id, year, *OPEN),
    )
    return _claim(row) if row else None


async def places_taken(conn: Conn, post_id: int, year: int) -> int:
    """A holder who left the branch keeps the claim in the year's record, not the place."""
    row = await _one(
        conn,
        f"SELECT COUNT(*) AS n FROM post_claims c JOIN people p ON p.id = c.person_id"
        f" WHERE c.post_id = ? AND c.year = ? AND c.status IN ({_placeholders(HOLDING)})"
        f" AND p.status <> 'left'",
        (post_id, year, *HOLDING),
    )
    return row["n"]


async def open_claims_of(
    conn: Conn, person_id: int, year: int, statuses: tuple[ClaimStatus, ...] = OPEN
) -> list[Claim]:
    found = await _all(
        conn,
        f"SELECT * FROM post_claims WHERE person_id = ? AND year = ?"
        f" AND status IN ({_placeholders(statuses)}) ORDER BY id",
        (person_id, year, *statuses),
    )
    return [_claim(r) for r in found]


async def claims_of_post(
    conn: Conn, post_id: int, year: int, statuses: tuple[ClaimStatus, ...]
) -> list[Claim]:
    found = await _all(
        conn,
        f"SELECT * FROM post_claims WHERE post_id = ? AND year = ?"
        f" AND status IN ({_placeholders(statuses)}) ORDER BY id",
        (post_id, year, *statuses),
    )
    return [_claim(r) for r in found]


async def branch_claims(
    conn: Conn, branch_id: int, year: int, statuses: tuple[ClaimStatus, ...]
) -> list[Claim]:
    found = await _all(
        conn,
        f"SELECT c.* FROM post_claims c JOIN posts p ON p.id = c.post_id"
        f" WHERE p.branch_id = ? AND c.year = ? AND c.status IN ({_placeholders(statuses)})"
        f" ORDER BY p.position, c.id",
        (branch_id, year, *statuses),
    )
    return [_claim(r) for r in found]


async def insert_claim(
    conn: aiosqlite.Connection,
    post_id: int,
    person_id: int,
    year: int,
    status: ClaimStatus,
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO post_claims (post_id, person_id, year, status, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (post_id, person_id, year, status, iso(now)),
    )
    return cur.lastrowid


async def set_claim_status(
    conn: aiosqlite.Connection,
    claim: Claim,
    status: ClaimStatus,
    now: datetime,
    *,
    decided_by: int | None = None,
    reason: str | None = None,
) -> bool:
    """Only from the status the caller saw; False when someone changed it first."""
    cur = await conn.execute(
        "UPDATE post_claims SET status = ?, decided_at = ?, decided_by = ?, reason = ?,"
        " approved_at = CASE WHEN ? = 'approved' THEN COALESCE(approved_at, ?) ELSE approved_at END"
        " WHERE id = ? AND status = ?",
        (status, iso(now), decided_by, reason, status, iso(now), claim.id, claim.status),
    )
    return cur.rowcount == 1


# -------------------------------------------------------------------- duties and requests


async def link_ledger_entry(conn: aiosqlite.Connection, duty_id: int, entry_id: int) -> None:
    await conn.execute(
        "UPDATE duty_records SET ledger_entry_id = ? WHERE id = ?", (entry_id, duty_id)
    )


async def insert_duty(conn: aiosqlite.Connection, record: DutyRecord, now: datetime) -> int:
    cur = await conn.execute(
        "INSERT INTO duty_records (post_id, person_id, year, done_on, text, photo_file_id,"
        " minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.post_id,
            record.person_id,
            record.year,
            record.done_on.isoformat(),
            record.text,
            record.photo_file_id,
            record.minutes,
            iso(now),
        ),
    )
    return cur.lastrowid


async def duties_of(conn: Conn, person_id: int, year: int) -> list[DutyRecord]:
    found = await _all(
        conn,
        "SELECT * FROM duty_records WHERE person_id = ? AND year = ? ORDER BY done_on, id",
        (person_id, year),
    )
    return [_duty(r) for r in found]


async def duties_done(
    conn: Conn, person_ids: Sequence[int], years: range, start: date, end: date
) -> list[DutyRecord]:
    """The people's duty records of cycles in `years` done from `start` to `end`."""
    found = await _all(
        conn,
        f"SELECT * FROM duty_records WHERE person_id IN ({_placeholders(person_ids)})"
        " AND year BETWEEN ? AND ? AND done_on BETWEEN ? AND ?"
        " ORDER BY person_id, done_on, id",
        (*person_ids, years.start, years.stop - 1, start.isoformat(), end.isoformat()),
    )
    return [_duty(r) for r in found]


def _duty(r: sqlite3.Row) -> DutyRecord:
    return DutyRecord(
        id=r["id"],
        post_id=r["post_id"],
        person_id=r["person_id"],
        year=r["year"],
        done_on=date.fromisoformat(r["done_on"]),
        text=r["text"],
        photo_file_id=r["photo_file_id"],
        minutes=r["minutes"],
    )


async def requests_in(conn: Conn, branch_id: int, year: int) -> list[sqlite3.Row]:
    return await _all(
        conn,
        "SELECT r.* FROM resident_requests r JOIN posts p ON p.id = r.post_id"
        " WHERE p.branch_id = ? AND r.year = ? ORDER BY r.id",
        (branch_id, year),
    )


async def insert_request(
    conn: aiosqlite.Connection, post_id: int, noted_by: int, year: int, text: str, now: datetime
) -> int:
    cur = await conn.execute(
        "INSERT INTO resident_requests (post_id, noted_by, year, text, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (post_id, noted_by, year, text, iso(now)),
    )
    return cur.lastrowid


# -------------------------------------------------------------------- assessments


def _assessment(row: sqlite3.Row) -> Assessment:
    return Assessment(
        post_id=row["post_id"],
        person_id=row["person_id"],
        year=row["year"],
        rating=Rating(row["rating"]),
        comment=row["comment"],
        assessed_at=parse_iso(row["assessed_at"]),
    )


async def save_assessment(
    conn: aiosqlite.Connection,
    claim: Claim,
    rating: Rating,
    comment: str,
    assessed_by: int,
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO post_assessments (post_id, person_id, year, rating, comment, assessed_by,"
        " assessed_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(post_id, person_id, year)"
        " DO UPDATE SET rating = excluded.rating, comment = excluded.comment,"
        " assessed_by = excluded.assessed_by, assessed_at = excluded.assessed_at",
        (claim.post_id, claim.person_id, claim.year, rating, comment, assessed_by, iso(now)),
    )


async def assessments_of(conn: Conn, person_ids: Sequence[int], years: range) -> list[Assessment]:
    found = await _all(
        conn,
        f"SELECT * FROM post_assessments WHERE person_id IN ({_placeholders(person_ids)})"
        " AND year BETWEEN ? AND ? ORDER BY person_id, year, post_id",
        (*person_ids, years.start, years.stop - 1),
    )
    return [_assessment(r) for r in found]


async def assessments_in(
    conn: Conn, branch_id: int, year: int
) -> dict[tuple[int, int], Assessment]:
    found = await _all(
        conn,
        "SELECT a.* FROM post_assessments a JOIN posts p ON p.id = a.post_id"
        " WHERE p.branch_id = ? AND a.year = ?",
        (branch_id, year),
    )
    return {(r["post_id"], r["person_id"]): _assessment(r) for r in found}


async def held_claims_of(conn: Conn, person_ids: Sequence[int], years: range) -> list[Claim]:
    """Posts the people held (approved, or approved and since asked to leave or left), by
    person, year and claim."""
    found = await _all(
        conn,
        f"SELECT * FROM post_claims WHERE person_id IN ({_placeholders(person_ids)})"
        " AND year BETWEEN ? AND ? AND approved_at IS NOT NULL"
        " ORDER BY person_id, year, id",
        (*person_ids, years.start, years.stop - 1),
    )
    return [_claim(r) for r in found]


# -------------------------------------------------------------------- chat links


async def link_chat(
    conn: aiosqlite.Connection,
    owner_kind: str,
    owner_id: int,
    chat_id: int,
    title: str | None,
    linked_by: int | None,
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO chat_links (owner_kind, owner_id, chat_id, title, linked_by, linked_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(owner_kind, owner_id) DO UPDATE SET"
        " chat_id = excluded.chat_id, title = excluded.title, linked_by = excluded.linked_by,"
        " linked_at = excluded.linked_at",
        (owner_kind, owner_id, chat_id, title, linked_by, iso(now)),
    )


async def linked_chat(conn: Conn, owner_kind: str, owner_id: int) -> int | None:
    row = await _one(
        conn,
        "SELECT chat_id FROM chat_links WHERE owner_kind = ? AND owner_id = ?",
        (owner_kind, owner_id),
    )
    return row["chat_id"] if row else None
