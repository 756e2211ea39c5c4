"""Queries behind the feature exports and the features' /mydata sections."""

from __future__ import annotations

import sqlite3

from storage.db import Database


async def mobile_history(db: Database, branch_id: int) -> list[sqlite3.Row]:
    """Each mobile registration of the branch with everything that happened to it."""
    return await db.fetchall(
        "SELECT r.id, p.name, r.direction, r.status, r.created_at, e.at, e.kind, e.note"
        " FROM mobile_registrations r JOIN people p ON p.id = r.person_id"
        " LEFT JOIN mobile_events e ON e.registration_id = r.id"
        " WHERE r.branch_id = ? ORDER BY r.id, e.id",
        (branch_id,),
    )


async def post_holders(db: Database, branch_id: int) -> list[sqlite3.Row]:
    return await db.fetchall(
        "SELECT po.id AS post_id, po.code, po.name AS post, po.capacity, po.retired_at,"
        " c.year, p.name, c.status, c.approved_at"
        " FROM posts po LEFT JOIN post_claims c ON c.post_id = po.id"
        " AND c.status IN ('approved', 'leaving', 'pending', 'waiting')"
        " LEFT JOIN people p ON p.id = c.person_id"
        " WHERE po.branch_id = ? ORDER BY po.position, po.id, c.year, c.id",
        (branch_id,),
    )


async def hours_per_member(db: Database, branch_id: int, start: str, end: str) -> list[sqlite3.Row]:
    """Per member and kind of activity: verified and pending half-hours on days in [start, end]."""
    return await db.fetchall(
        "SELECT p.id, p.name, h.kind,"
        " SUM(CASE WHEN h.status = 'verified' THEN h.half_hours ELSE 0 END) AS verified,"
        " SUM(CASE WHEN h.status = 'pending' THEN h.half_hours ELSE 0 END) AS pending"
        " FROM hour_records h JOIN people p ON p.id = h.person_id"
        " WHERE h.branch_id = ? AND h.day BETWEEN ? AND ? AND h.status IN ('verified', 'pending')"
        " GROUP BY p.id, h.kind ORDER BY p.id, h.kind",
        (branch_id, start, end),
    )


async def attendance(db: Database, branch_id: int, start: str, end: str) -> list[sqlite3.Row]:
    """The branch's events starting in [start, end) (UTC instants) and who came."""
    return await db.fetchall(
        "SELECT e.id, e.title, e.starts_at, e.ends_at, e.place, p.name, a.checked_in_at,"
        " a.checked_out_at, a.method_in"
        " FROM events e LEFT JOIN event_attendance a ON a.event_id = e.id"
        " LEFT JOIN people p ON p.id = a.person_id"
        " WHERE e.branch_id = ? AND e.starts_at >= ? AND e.starts_at < ?"
        " ORDER BY e.starts_at, e.id, p.id",
        (branch_id, start, end),
    )


# One person's rows in each feature, for /mydata: (section, query).
PERSONAL: dict[str, str] = {
    "mobile_registrations": (
        "SELECT id, direction, status, created_at, decided_at, reason, last_report_at,"
        " last_contact_at, closed_at FROM mobile_registrations WHERE person_id = :p ORDER BY id"
    ),
    "mobile_versions": (
        "SELECT v.registration_id, v.version, v.details, v.report, v.created_at"
        " FROM mobile_versions v JOIN mobile_registrations r ON r.id = v.registration_id"
        " WHERE r.person_id = :p ORDER BY v.registration_id, v.version"
    ),
    "mobile_changes": (
        "SELECT c.registration_id, c.changes, c.status, c.created_at, c.decided_at, c.reason"
        " FROM mobile_changes c JOIN mobile_registrations r ON r.id = c.registration_id"
        " WHERE r.person_id = :p ORDER BY c.id"
    ),
    "mobile_certificates": (
        "SELECT c.number, c.holder, c.destination, c.issued_on, c.valid_until, c.status"
        " FROM mobile_certificates c JOIN mobile_registrations r ON r.id = c.registration_id"
        " WHERE r.person_id = :p ORDER BY c.id"
    ),
    "post_claims": (
        "SELECT COALESCE(po.name, po.code) AS post, c.year, c.status, c.created_at,"
        " c.decided_at, c.reason FROM post_claims c JOIN posts po ON po.id = c.post_id"
        " WHERE c.person_id = :p ORDER BY c.id"
    ),
    "post_duties": (
        "SELECT COALESCE(po.name, po.code) AS post, d.done_on, d.text, d.minutes, d.created_at"
        " FROM duty_records d JOIN posts po ON po.id = d.post_id"
        " WHERE d.person_id = :p ORDER BY d.id"
    ),
    "hour_records": (
        "SELECT id, kind, day, half_hours, description, status, source, reason, created_at"
        " FROM hour_records WHERE person_id = :p ORDER BY id"
    ),
    "event_answers": (
        "SELECT e.title, e.starts_at, r.answer, r.answered_at FROM event_rsvps r"
        " JOIN events e ON e.id = r.event_id WHERE r.person_id = :p ORDER BY e.starts_at"
    ),
    "event_attendance": (
        "SELECT e.title, e.starts_at, a.checked_in_at, a.checked_out_at, a.method_in,"
        " a.method_out FROM event_attendance a JOIN events e ON e.id = a.event_id"
        " WHERE a.person_id = :p ORDER BY e.starts_at"
    ),
    "cadre_registrations": (
        "SELECT year, version, unit_name, name, position, rank, address, phone, status,"
        " submitted_at, decided_at FROM cadre_registrations WHERE person_id = :p ORDER BY id"
    ),
    "cadre_remarks": (
        "SELECT quarter, remark, created_at FROM cadre_remarks WHERE person_id = :p ORDER BY id"
    ),
    "cadre_leave": (
        "SELECT leave_until, leave_note, updated_at FROM cadre_settings WHERE person_id = :p"
    ),
}


async def personal(db: Database, section: str, person_id: int) -> list[dict]:
    return [dict(r) for r in await db.fetchall(PERSONAL[section], {"p": person_id})]
