"""Member development's tables (migration 0018): files, steps, 培养联系人, 考察 notes,
public notices and the opinions sent during them. Rows come back as dicts; the domain
(domain/development/) makes its dataclasses of them."""

from __future__ import annotations

import json
from datetime import date, datetime

import aiosqlite

from storage import rows
from storage.db import Database, Params, Reader, fetch_all, iso
from storage.people import MEMBER_OF

_FILE = (
    "SELECT f.*, p.name, p.telegram_id, p.status AS person_status, p.category"
    " FROM development_files f JOIN people p ON p.id = f.person_id"
)


async def _dicts(source: Reader, sql: str, params: Params) -> list[dict]:
    return [dict(r) for r in await fetch_all(source, sql, params)]


async def _dict(source: Reader, sql: str, params: Params) -> dict | None:
    return await rows.one(source, dict, sql, params)


async def create_file(
    conn: aiosqlite.Connection,
    person_id: int,
    branch_id: int,
    stage: str,
    by: int | None,
    now: datetime,
) -> int:
    return await rows.insert(
        conn,
        "development_files",
        {
            "person_id": person_id,
            "branch_id": branch_id,
            "stage": stage,
            "created_by": by,
            "created_at": iso(now),
        },
    )


async def file(source: Reader, file_id: int) -> dict | None:
    return await _dict(source, f"{_FILE} WHERE f.id = ?", (file_id,))


async def file_of(source: Reader, person_id: int) -> dict | None:
    return await _dict(source, f"{_FILE} WHERE f.person_id = ?", (person_id,))


async def open_files(source: Reader, branch_id: int) -> list[dict]:
    return await _dicts(
        source,
        f"{_FILE} WHERE f.branch_id = ? AND f.closed_at IS NULL ORDER BY p.name, f.id",
        (branch_id,),
    )


async def files_introduced_by(source: Reader, person_id: int) -> list[dict]:
    return await _dicts(
        source,
        f"{_FILE} JOIN development_introducers i ON i.file_id = f.id"
        " WHERE i.person_id = ? AND f.closed_at IS NULL ORDER BY p.name",
        (person_id,),
    )


async def set_stage(conn: aiosqlite.Connection, file_id: int, stage: str) -> None:
    await conn.execute("UPDATE development_files SET stage = ? WHERE id = ?", (stage, file_id))


async def steps(source: Reader, file_id: int) -> list[dict]:
    return await _dicts(
        source,
        "SELECT step, day, detail, recorded_at FROM development_steps WHERE file_id = ?"
        " ORDER BY day, recorded_at",
        (file_id,),
    )


async def record_step(
    conn: aiosqlite.Connection,
    file_id: int,
    step: str,
    day: date,
    detail: str | None,
    by: int | None,
    now: datetime,
) -> bool:
    return await rows.insert_new(
        conn,
        "development_steps",
        {
            "file_id": file_id,
            "step": step,
            "day": day.isoformat(),
            "detail": detail,
            "recorded_by": by,
            "recorded_at": iso(now),
        },
    )


async def introducers(source: Reader, file_id: int) -> list[dict]:
    return await _dicts(
        source,
        "SELECT p.id, p.name, p.telegram_id FROM development_introducers i"
        " JOIN people p ON p.id = i.person_id WHERE i.file_id = ? ORDER BY i.chosen_at, p.id",
        (file_id,),
    )


async def add_introducer(
    conn: aiosqlite.Connection, file_id: int, person_id: int, by: int | None, now: datetime
) -> None:
    await rows.insert_new(
        conn,
        "development_introducers",
        {"file_id": file_id, "person_id": person_id, "chosen_by": by, "chosen_at": iso(now)},
    )


async def remove_introducer(conn: aiosqlite.Connection, file_id: int, person_id: int) -> None:
    await conn.execute(
        "DELETE FROM development_introducers WHERE file_id = ? AND person_id = ?",
        (file_id, person_id),
    )


async def full_members(source: Reader, branch_id: int) -> list[dict]:
    """Members of the branch who are full members: no activist, no open file of their own
    short of the full stage."""
    return await _dicts(
        source,
        f"SELECT p.id, p.name FROM people p WHERE p.branch_id = ? AND {MEMBER_OF}"
        " AND (p.category IS NULL OR p.category <> 'activist')"
        " AND NOT EXISTS (SELECT 1 FROM development_files f WHERE f.person_id = p.id"
        " AND f.stage <> 'full' AND f.closed_at IS NULL) ORDER BY p.name, p.id",
        (branch_id,),
    )


async def activists_without_file(source: Reader, branch_id: int) -> list[dict]:
    return await _dicts(
        source,
        "SELECT p.id, p.name FROM people p WHERE p.branch_id = ? AND p.status = 'active'"
        " AND p.category = 'activist' AND NOT EXISTS"
        " (SELECT 1 FROM development_files f WHERE f.person_id = p.id) ORDER BY p.name, p.id",
        (branch_id,),
    )


async def members_of(source: Reader, branch_id: int) -> list[dict]:
    """Who receives a public notice in private: the branch's members (never a contact)."""
    return await _dicts(
        source,
        f"SELECT p.id, p.telegram_id FROM people p WHERE p.branch_id = ? AND {MEMBER_OF}"
        " AND p.telegram_id IS NOT NULL ORDER BY p.id",
        (branch_id,),
    )


async def reviews(source: Reader, file_id: int) -> list[dict]:
    return await _dicts(
        source,
        "SELECT r.id, r.day, r.text, r.written_at, p.name AS writer FROM development_reviews r"
        " LEFT JOIN people p ON p.id = r.written_by WHERE r.file_id = ? ORDER BY r.day, r.id",
        (file_id,),
    )


async def add_review(
    conn: aiosqlite.Connection, file_id: int, day: date, text: str, by: int | None, now: datetime
) -> int:
    return await rows.insert(
        conn,
        "development_reviews",
        {
            "file_id": file_id,
            "day": day.isoformat(),
            "text": text,
            "written_by": by,
            "written_at": iso(now),
        },
    )


async def notices(source: Reader, file_id: int) -> list[dict]:
    return await _dicts(
        source,
        "SELECT n.*, (SELECT COUNT(*) FROM development_opinions o WHERE o.notice_id = n.id)"
        " AS opinions FROM development_notices n WHERE n.file_id = ? ORDER BY n.id",
        (file_id,),
    )


async def notice(source: Reader, notice_id: int) -> dict | None:
    return await _dict(
        source,
        "SELECT n.*, p.name, p.id AS person_id FROM development_notices n"
        " JOIN development_files f ON f.id = n.file_id JOIN people p ON p.id = f.person_id"
        " WHERE n.id = ?",
        (notice_id,),
    )


async def create_notice(
    conn: aiosqlite.Connection,
    *,
    file_id: int,
    branch_id: int,
    stage: str,
    starts_on: date,
    ends_on: date,
    contact: str,
    by: int | None,
    now: datetime,
) -> int:
    return await rows.insert(
        conn,
        "development_notices",
        {
            "file_id": file_id,
            "branch_id": branch_id,
            "stage": stage,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "contact": contact,
            "created_by": by,
            "created_at": iso(now),
        },
    )


async def close_notice(
    conn: aiosqlite.Connection,
    notice_id: int,
    outcome: str,
    note: str | None,
    by: int | None,
    now: datetime,
) -> bool:
    cur = await conn.execute(
        "UPDATE development_notices SET outcome = ?, outcome_note = ?, closed_by = ?,"
        " closed_at = ? WHERE id = ? AND outcome IS NULL",
        (outcome, note, by, iso(now), notice_id),
    )
    return cur.rowcount > 0


async def add_opinion(
    conn: aiosqlite.Connection, notice_id: int, person_id: int, text: str, now: datetime
) -> int:
    return await rows.insert(
        conn,
        "development_opinions",
        {"notice_id": notice_id, "person_id": person_id, "text": text, "sent_at": iso(now)},
    )


async def opinions(source: Reader, notice_id: int) -> list[dict]:
    return await _dicts(
        source,
        "SELECT o.id, o.text, o.sent_at, p.name AS sender FROM development_opinions o"
        " JOIN people p ON p.id = o.person_id WHERE o.notice_id = ? ORDER BY o.id",
        (notice_id,),
    )


async def opinion(source: Reader, opinion_id: int) -> dict | None:
    return await _dict(
        source,
        "SELECT o.text, o.notice_id, p.name AS sender FROM development_opinions o"
        " JOIN people p ON p.id = o.person_id WHERE o.id = ?",
        (opinion_id,),
    )


async def of_person(db: Database, person_id: int) -> dict | None:
    """The person's own file for /mydata: the steps, 考察 notes and notices, without the
    opinions' senders (the secretaries' only)."""
    found = await file_of(db, person_id)
    if found is None:
        return None
    file_id = found["id"]
    return {
        "stage": found["stage"],
        "created_at": found["created_at"],
        "closed_at": found["closed_at"],
        "steps": await steps(db, file_id),
        "introducers": [i["name"] for i in await introducers(db, file_id)],
        "reviews": [{"day": r["day"], "text": r["text"]} for r in await reviews(db, file_id)],
        "notices": [
            {
                "stage": n["stage"],
                "starts_on": n["starts_on"],
                "ends_on": n["ends_on"],
                "outcome": n["outcome"],
                "opinions_received": n["opinions"],
            }
            for n in await notices(db, file_id)
        ],
    }


async def opinions_sent(db: Database, person_id: int) -> int:
    """How many opinions the person sent, for their /mydata: an opinion is part of the
    other person's file, read by the secretaries only, so neither its text nor whose
    notice it was is shown."""
    return await db.fetchval(
        "SELECT COUNT(*) FROM development_opinions WHERE person_id = ?", (person_id,)
    )


# The audit entries of a file and its notices: shown in the person's own /mydata (not an
# opinion's, which concerns its sender), and left out of everyone else's (storage/mydata.py),
# the secretary's included.
async def audit_of_own(db: Database, person_id: int) -> list[dict]:
    rows = await db.fetchall(
        "SELECT a.at, a.action, a.details FROM audit_log a WHERE"
        " (a.subject_type = 'development_file' AND a.subject_id IN"
        " (SELECT id FROM development_files WHERE person_id = ?))"
        " OR (a.subject_type = 'development_notice' AND a.action <> 'development.opinion'"
        " AND a.subject_id IN (SELECT n.id FROM development_notices n"
        " JOIN development_files f ON f.id = n.file_id WHERE f.person_id = ?)) ORDER BY a.id",
        (person_id, person_id),
    )
    return [dict(r) | {"details": json.loads(r["details"])} for r in rows]
