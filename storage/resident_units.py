"""Resident units (驻区单位), their contacts, co-building agreements, requests and opinions."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import aiosqlite

from domain.models import Person
from domain.resident_units.models import (
    Agreement,
    CobuildRequest,
    Offer,
    Opinion,
    RequestKind,
    RequestStatus,
    ResidentUnit,
    UnitKind,
    offers_of,
    stored_offers,
)
from storage import rows
from storage.db import Reader, fetch_all, fetch_one, iso, utcnow


def _unit(row: sqlite3.Row) -> ResidentUnit:
    return rows.build(ResidentUnit, row, offers=offers_of(row["offers"]))


_agreement = rows.mapper(Agreement)
_request = rows.mapper(CobuildRequest)
_opinion = rows.mapper(Opinion)


async def create(
    conn: aiosqlite.Connection,
    *,
    branch_id: int,
    name: str,
    kind: UnitKind,
    contact_name: str | None,
    contact_phone: str | None,
    offers: tuple[Offer, ...],
    created_by: int | None,
) -> int:
    now = iso(utcnow())
    row = await fetch_one(
        conn,
        "INSERT INTO resident_units (branch_id, name, kind, contact_name, contact_phone, offers,"
        " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            branch_id,
            name,
            str(kind),
            contact_name,
            contact_phone,
            stored_offers(offers),
            created_by,
            now,
            now,
        ),
    )
    return row[0]


async def update(
    conn: aiosqlite.Connection,
    unit_id: int,
    *,
    name: str,
    kind: UnitKind,
    contact_name: str | None,
    contact_phone: str | None,
    offers: tuple[Offer, ...],
) -> None:
    await conn.execute(
        "UPDATE resident_units SET name = ?, kind = ?, contact_name = ?, contact_phone = ?,"
        " offers = ?, updated_at = ? WHERE id = ?",
        (
            name,
            str(kind),
            contact_name,
            contact_phone,
            stored_offers(offers),
            iso(utcnow()),
            unit_id,
        ),
    )


async def get(source: Reader, unit_id: int) -> ResidentUnit | None:
    return await rows.one(source, _unit, "SELECT * FROM resident_units WHERE id = ?", (unit_id,))


async def of_branch(source: Reader, branch_id: int) -> list[ResidentUnit]:
    found = await fetch_all(
        source, "SELECT * FROM resident_units WHERE branch_id = ? ORDER BY id", (branch_id,)
    )
    return [_unit(r) for r in found]


async def link_invite(conn: aiosqlite.Connection, invite_id: int, unit_id: int) -> None:
    await conn.execute(
        "INSERT INTO invite_resident_units (invite_id, resident_unit_id) VALUES (?, ?)",
        (invite_id, unit_id),
    )


async def unit_of_invite(source: Reader, invite_id: int) -> int | None:
    row = await fetch_one(
        source,
        "SELECT resident_unit_id FROM invite_resident_units WHERE invite_id = ?",
        (invite_id,),
    )
    return row[0] if row else None


async def unit_of_request(source: Reader, join_request_id: int) -> int | None:
    """The resident unit whose invitation a join request came by, if any."""
    row = await fetch_one(
        source,
        "SELECT i.resident_unit_id FROM join_requests j"
        " JOIN invite_resident_units i ON i.invite_id = j.invite_id WHERE j.id = ?",
        (join_request_id,),
    )
    return row[0] if row else None


async def attach_contact(conn: aiosqlite.Connection, join_request_id: int) -> None:
    """An approved join request that came by a unit's invitation: its person speaks for
    the unit from now on (nothing for any other request)."""
    await conn.execute(
        "INSERT INTO resident_unit_contacts (resident_unit_id, person_id, since)"
        " SELECT i.resident_unit_id, j.person_id, ? FROM join_requests j"
        " JOIN invite_resident_units i ON i.invite_id = j.invite_id WHERE j.id = ?"
        " ON CONFLICT DO NOTHING",
        (iso(utcnow()), join_request_id),
    )


async def units_of_contact(source: Reader, person_id: int) -> list[int]:
    found = await fetch_all(
        source,
        "SELECT c.resident_unit_id FROM resident_unit_contacts c"
        " JOIN people p ON p.id = c.person_id"
        " WHERE c.person_id = ? AND p.status = 'active' ORDER BY c.resident_unit_id",
        (person_id,),
    )
    return [r[0] for r in found]


async def contacts(source: Reader, unit_id: int) -> list[Person]:
    found = await fetch_all(
        source,
        "SELECT p.* FROM people p JOIN resident_unit_contacts c ON c.person_id = p.id"
        " WHERE c.resident_unit_id = ? AND p.status = 'active' ORDER BY p.id",
        (unit_id,),
    )
    return [rows.person(r) for r in found]


async def save_agreement(
    conn: aiosqlite.Connection,
    *,
    unit_id: int,
    year: int,
    branch_commits: str,
    unit_commits: str,
    recorded_by: int | None,
) -> int:
    """The year's agreement, replacing one recorded before (a renewed paper)."""
    row = await fetch_one(
        conn,
        "INSERT INTO cobuild_agreements (resident_unit_id, year, branch_commits, unit_commits,"
        " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (resident_unit_id, year) DO UPDATE SET"
        " branch_commits = excluded.branch_commits, unit_commits = excluded.unit_commits,"
        " recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at"
        " RETURNING id",
        (unit_id, year, branch_commits, unit_commits, recorded_by, iso(utcnow())),
    )
    return row[0]


async def _of_year(source: Reader, table: str, unit_id: int, year: int) -> sqlite3.Row | None:
    """The unit's one row of the year in `table` (an agreement, an opinion)."""
    return await fetch_one(
        source, f"SELECT * FROM {table} WHERE resident_unit_id = ? AND year = ?", (unit_id, year)
    )


async def agreement(source: Reader, unit_id: int, year: int) -> Agreement | None:
    row = await _of_year(source, "cobuild_agreements", unit_id, year)
    return _agreement(row) if row else None


async def add_request(
    conn: aiosqlite.Connection,
    *,
    unit_id: int,
    branch_id: int,
    kind: RequestKind,
    text: str,
    wanted_on: date,
    created_by: int | None,
) -> int:
    row = await fetch_one(
        conn,
        "INSERT INTO cobuild_requests (resident_unit_id, branch_id, kind, text, wanted_on,"
        " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (unit_id, branch_id, str(kind), text, wanted_on.isoformat(), created_by, iso(utcnow())),
    )
    return row[0]


async def get_request(source: Reader, request_id: int) -> CobuildRequest | None:
    return await rows.one(
        source, _request, "SELECT * FROM cobuild_requests WHERE id = ?", (request_id,)
    )


async def answer_request(
    conn: aiosqlite.Connection,
    request_id: int,
    status: RequestStatus,
    answer: str,
    answered_by: int,
    now: datetime,
) -> bool:
    """Only a pending request is answered; False when it was answered first."""
    cur = await conn.execute(
        "UPDATE cobuild_requests SET status = ?, answer = ?, answered_by = ?, answered_at = ?"
        " WHERE id = ? AND status = 'pending'",
        (str(status), answer, answered_by, iso(now), request_id),
    )
    return cur.rowcount == 1


async def requests_of(source: Reader, unit_id: int, start: date, end: date) -> list[CobuildRequest]:
    """A unit's requests whose day falls in [start, end], by day."""
    found = await fetch_all(
        source,
        "SELECT * FROM cobuild_requests WHERE resident_unit_id = ?"
        " AND wanted_on >= ? AND wanted_on <= ? ORDER BY wanted_on, id",
        (unit_id, start.isoformat(), end.isoformat()),
    )
    return [_request(r) for r in found]


async def add_opinion(
    conn: aiosqlite.Connection, *, unit_id: int, year: int, text: str, given_by: int
) -> int | None:
    """None when the unit gave this year's opinion already."""
    row = await fetch_one(
        conn,
        "INSERT INTO cobuild_opinions (resident_unit_id, year, text, given_by, given_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (resident_unit_id, year) DO NOTHING RETURNING id",
        (unit_id, year, text, given_by, iso(utcnow())),
    )
    return row[0] if row else None


async def opinion(source: Reader, unit_id: int, year: int) -> Opinion | None:
    row = await _of_year(source, "cobuild_opinions", unit_id, year)
    return _opinion(row) if row else None


async def branches_with_units(source: Reader) -> list[tuple[int, str]]:
    found = await fetch_all(
        source,
        "SELECT DISTINCT b.id, b.name FROM branches b JOIN resident_units u ON u.branch_id = b.id"
        " ORDER BY b.name",
    )
    return [(r[0], r[1]) for r in found]


async def units_with_contact(source: Reader, branch_id: int) -> int:
    row = await fetch_one(
        source,
        "SELECT COUNT(DISTINCT u.id) FROM resident_units u"
        " JOIN resident_unit_contacts c ON c.resident_unit_id = u.id"
        " JOIN people p ON p.id = c.person_id AND p.status = 'active'"
        " WHERE u.branch_id = ?",
        (branch_id,),
    )
    return row[0]


async def opinion_by_id(source: Reader, opinion_id: int) -> Opinion | None:
    return await rows.one(
        source, _opinion, "SELECT * FROM cobuild_opinions WHERE id = ?", (opinion_id,)
    )


async def contact_data(source: Reader, person_id: int) -> dict:
    """What /mydata gives a unit's contact: the units they speak for, their answers and the
    opinions they gave."""
    units = await fetch_all(
        source,
        "SELECT u.name, c.since FROM resident_unit_contacts c"
        " JOIN resident_units u ON u.id = c.resident_unit_id WHERE c.person_id = ? ORDER BY u.id",
        (person_id,),
    )
    answers = await fetch_all(
        source,
        "SELECT id, status, answer, answered_at FROM cobuild_requests WHERE answered_by = ?"
        " ORDER BY id",
        (person_id,),
    )
    opinions = await fetch_all(
        source,
        "SELECT year, text, given_at FROM cobuild_opinions WHERE given_by = ? ORDER BY id",
        (person_id,),
    )
    return {
        "units": [dict(r) for r in units],
        "answers": [dict(r) for r in answers],
        "opinions": [dict(r) for r in opinions],
    }


async def erase_name(conn: aiosqlite.Connection, person_id: int, now: datetime) -> None:
    """A contact of an organisation is in no register of members: their name goes at once."""
    await conn.execute(
        "UPDATE people SET name = NULL, erased_at = ?, updated_at = ? WHERE id = ?",
        (iso(now), iso(now), person_id),
    )
