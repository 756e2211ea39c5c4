"""SQL of activity certificates: numbering, issue, renewal, revocation, verification."""

from __future__ import annotations

import sqlite3
from datetime import date

import aiosqlite

from domain.mobile.models import Certificate, Registration
from storage import rows
from storage.db import Database, Reader, iso, utcnow
from storage.mobile import get


def _certificate(row: sqlite3.Row) -> Certificate:
    return rows.build(Certificate, row, revoked=row["status"] == "revoked")


async def branch_code(conn: aiosqlite.Connection, branch_id: int) -> str:
    async with conn.execute("SELECT code FROM branches WHERE id = ?", (branch_id,)) as cur:
        return (await cur.fetchone())[0]


async def next_serial(conn: aiosqlite.Connection, branch_id: int, year: int) -> int:
    # Called inside the writer's BEGIN IMMEDIATE transaction, so no other approval can
    # read the same maximum: serials have neither gaps nor duplicates.
    async with conn.execute(
        "SELECT COALESCE(MAX(serial), 0) + 1 FROM mobile_certificates"
        " WHERE branch_id = ? AND year = ?",
        (branch_id, year),
    ) as cur:
        return (await cur.fetchone())[0]


async def insert(
    conn: aiosqlite.Connection,
    *,
    registration_id: int,
    branch_id: int,
    year: int,
    serial: int,
    number: str,
    verify_code: str,
    holder: str,
    destination: str,
    issued_on: date,
    valid_until: date,
) -> int:
    cur = await conn.execute(
        "INSERT INTO mobile_certificates (registration_id, branch_id, year, serial, number,"
        " verify_code, holder, destination, issued_on, valid_until)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            registration_id,
            branch_id,
            year,
            serial,
            number,
            verify_code,
            holder,
            destination,
            issued_on.isoformat(),
            valid_until.isoformat(),
        ),
    )
    return cur.lastrowid


async def current(source: Reader, registration_id: int) -> Certificate | None:
    return await rows.one(
        source,
        _certificate,
        "SELECT * FROM mobile_certificates WHERE registration_id = ? ORDER BY id DESC LIMIT 1",
        (registration_id,),
    )


async def by_code(db: Database, code: str) -> tuple[Certificate, str] | None:
    """The certificate and its branch's name."""
    row = await db.fetchone(
        "SELECT c.*, b.name AS branch_name FROM mobile_certificates c"
        " JOIN branches b ON b.id = c.branch_id WHERE c.verify_code = ?",
        (code,),
    )
    return (_certificate(row), row["branch_name"]) if row else None


async def extend(conn: aiosqlite.Connection, certificate_id: int, until: date) -> None:
    await conn.execute(
        "UPDATE mobile_certificates SET valid_until = ? WHERE id = ? AND status = 'valid'",
        (until.isoformat(), certificate_id),
    )


async def revoke(conn: aiosqlite.Connection, certificate_id: int, reason: str) -> bool:
    cur = await conn.execute(
        "UPDATE mobile_certificates SET status = 'revoked', revoked_at = ?, revoked_reason = ?"
        " WHERE id = ? AND status = 'valid'",
        (iso(utcnow()), reason, certificate_id),
    )
    return cur.rowcount == 1


async def unreminded_expiring(
    conn: aiosqlite.Connection, branch_id: int, until: date
) -> list[tuple[Registration, Certificate]]:
    """The branch's valid certificates of active registrations ending by `until`, whose
    holder has not been reminded of this validity period yet (the reminder event notes its
    end date)."""
    async with conn.execute(
        "SELECT c.* FROM mobile_certificates c"
        " JOIN mobile_registrations r ON r.id = c.registration_id"
        " WHERE r.branch_id = ? AND r.status = 'active' AND c.status = 'valid'"
        " AND c.valid_until <= ?"
        " AND NOT EXISTS (SELECT 1 FROM mobile_events e WHERE e.registration_id = r.id"
        " AND e.kind = 'renewal_reminded' AND e.note = c.valid_until)"
        " ORDER BY c.valid_until, c.id",
        (branch_id, until.isoformat()),
    ) as cur:
        certificates = [_certificate(row) for row in await cur.fetchall()]
    found = []
    for certificate in certificates:
        registration = await get(conn, certificate.registration_id)
        assert registration is not None
        found.append((registration, certificate))
    return found
