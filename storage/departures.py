"""Departures, and erasing what the retention rule says goes (docs/data-retention.md)."""

from __future__ import annotations

import json
from datetime import date

import aiosqlite

from domain.models import Category
from storage import people
from storage.db import Database, iso, utcnow
from storage.people import MEMBER_OF


async def create(
    conn: aiosqlite.Connection,
    *,
    person_id: int,
    branch_id: int,
    kind: str,
    category: Category | None,
    left_on: date,
    recorded_by: int | None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO departures (person_id, branch_id, kind, category, left_on, recorded_by,"
        " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (person_id, branch_id, kind, category, left_on.isoformat(), recorded_by, iso(utcnow())),
    )
    return cur.lastrowid


async def erase_contact(
    conn: aiosqlite.Connection, person_id: int, telegram_id: int | None
) -> None:
    """What goes at once: the phone, the link to the Telegram account, the language
    choice, unfinished drafts, roles and unused personal invitations."""
    await conn.execute(
        "UPDATE people SET phone = NULL, telegram_id = NULL, status = 'left', updated_at = ?"
        " WHERE id = ?",
        (iso(utcnow()), person_id),
    )
    await conn.execute("DELETE FROM roles WHERE person_id = ?", (person_id,))
    await conn.execute("UPDATE invites SET uses_left = 0 WHERE person_id = ?", (person_id,))
    if telegram_id is not None:
        await people.mark_menu_of_chat(conn, telegram_id)
        await conn.execute("DELETE FROM telegram_users WHERE telegram_id = ?", (telegram_id,))
        await conn.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (telegram_id,))


# What the features keep about a person that goes at departure (docs/data-retention.md):
# contact details, free texts written by or about them, photos, and per-person settings.
# Kept: the columns the branch's counts and registers are made of (kinds, days, hours,
# statuses, years, ratings, certificate numbers), and the name until the archive period ends.
_EMPTY = "params = '{}', buttons = NULL, file_content = NULL"
_MOBILE = "SELECT id FROM mobile_registrations WHERE person_id = :p"
_DEV_FILE = "SELECT id FROM development_files WHERE person_id = :p"
FEATURE_ERASURES = (
    # What still waited for someone's decision is closed, so no queue or reminder shows it.
    "UPDATE mobile_registrations SET status = 'closed', closed_at = :now"
    " WHERE person_id = :p AND status IN ('pending', 'active', 'returning')",
    f"UPDATE mobile_changes SET status = 'rejected' WHERE registration_id IN ({_MOBILE})"
    " AND status = 'pending'",
    "UPDATE hour_records SET status = 'withdrawn' WHERE person_id = :p AND status = 'pending'",
    "UPDATE post_claims SET status = 'withdrawn'"
    " WHERE person_id = :p AND status IN ('pending', 'waiting', 'leaving')",
    "UPDATE cadre_registrations SET status = 'rejected'"
    " WHERE person_id = :p AND status = 'pending'",
    "UPDATE join_requests SET status = 'rejected' WHERE person_id = :p AND status = 'pending'",
    "UPDATE cadre_registrations SET address = '', phone = '' WHERE person_id = :p",
    "UPDATE cadre_remarks SET remark = '' WHERE person_id = :p",
    "DELETE FROM cadre_settings WHERE person_id = :p",
    "DELETE FROM unit_contacts WHERE person_id = :p",
    "DELETE FROM county_contacts WHERE person_id = :p",
    "DELETE FROM resident_unit_contacts WHERE person_id = :p",
    "DELETE FROM reminder_leads WHERE person_id = :p",
    "UPDATE mobile_versions SET details = '{}', report = NULL"
    f" WHERE registration_id IN ({_MOBILE}) AND (details <> '{{}}' OR report IS NOT NULL)",
    f"UPDATE mobile_events SET note = NULL WHERE registration_id IN ({_MOBILE})"
    " AND note IS NOT NULL",
    "UPDATE mobile_changes SET changes = '{}', reason = NULL"
    f" WHERE registration_id IN ({_MOBILE})",
    "UPDATE mobile_registrations SET reason = NULL WHERE person_id = :p",
    "UPDATE hour_records SET description = '', photo_file_id = NULL, reason = NULL"
    " WHERE person_id = :p",
    "UPDATE duty_records SET text = '', photo_file_id = NULL WHERE person_id = :p",
    "UPDATE post_surveys SET skills = '' WHERE person_id = :p",
    "UPDATE post_claims SET reason = NULL WHERE person_id = :p",
    "UPDATE post_assessments SET comment = '' WHERE person_id = :p",
    "UPDATE join_requests SET reason = NULL WHERE person_id = :p",
    # The appraisal keeps the grade, the vote counts and the disposal's kind and dates.
    "UPDATE appraisal_participants SET summary_text = NULL, summary_file_id = NULL,"
    " summary_file_name = NULL, outflow = NULL, grade_note = NULL WHERE person_id = :p",
    "DELETE FROM appraisal_comments WHERE ratee_id = :p",
    "UPDATE appraisal_disposals SET follow_up = NULL WHERE person_id = :p",
    # Member development: the file closes (its days stay, so the counts per stage do), an
    # open notice is withdrawn, the notes, votes and opinions about the person go, and so
    # do the opinions they sent and their place as anyone's 培养联系人.
    "UPDATE development_files SET closed_at = :now WHERE person_id = :p AND closed_at IS NULL",
    "UPDATE development_notices SET outcome = 'withdrawn', closed_at = :now"
    f" WHERE outcome IS NULL AND file_id IN ({_DEV_FILE})",
    f"UPDATE development_reviews SET text = '' WHERE file_id IN ({_DEV_FILE})",
    f"UPDATE development_steps SET detail = NULL WHERE file_id IN ({_DEV_FILE})",
    f"UPDATE development_notices SET outcome_note = NULL WHERE file_id IN ({_DEV_FILE})",
    "UPDATE development_opinions SET text = '' WHERE person_id = :p OR notice_id IN"
    f" (SELECT id FROM development_notices WHERE file_id IN ({_DEV_FILE}))",
    "DELETE FROM development_introducers WHERE person_id = :p",
)
# What goes with the name when the archive period ends.
NAME_ERASURES = (
    "UPDATE cadre_registrations SET name = '' WHERE person_id = :p",
    f"UPDATE mobile_certificates SET holder = '' WHERE registration_id IN ({_MOBILE})",
)


# Where the features keep what the person told the bot or was written about them; the
# outbox messages that quoted any of it are emptied with the rest.
_PERSONAL_TEXTS = (
    f"SELECT details, report FROM mobile_versions WHERE registration_id IN ({_MOBILE})",
    f"SELECT changes, reason FROM mobile_changes WHERE registration_id IN ({_MOBILE})",
    f"SELECT note FROM mobile_events WHERE registration_id IN ({_MOBILE})",
    "SELECT address, phone FROM cadre_registrations WHERE person_id = :p",
    "SELECT remark FROM cadre_remarks WHERE person_id = :p",
    "SELECT description, reason FROM hour_records WHERE person_id = :p",
    "SELECT text FROM duty_records WHERE person_id = :p",
    "SELECT skills FROM post_surveys WHERE person_id = :p",
    "SELECT summary_text, grade_note FROM appraisal_participants WHERE person_id = :p",
    "SELECT follow_up FROM appraisal_disposals WHERE person_id = :p",
    f"SELECT text FROM development_reviews WHERE file_id IN ({_DEV_FILE})",
    "SELECT text FROM development_opinions WHERE person_id = :p",
)
# Shorter texts (a yes, a number) would match unrelated messages.
_QUOTE_MIN = 4


async def _personal_texts(conn: aiosqlite.Connection, person_id: int) -> set[str]:
    found: set[str] = set()
    for query in _PERSONAL_TEXTS:
        async with conn.execute(query, {"p": person_id}) as cur:
            for row in await cur.fetchall():
                for value in row:
                    found.update(_strings(value))
    return {text for text in found if len(text) >= _QUOTE_MIN}


def _strings(value: object) -> list[str]:
    """The texts in a column: itself, or the values of the JSON object it holds."""
    if not isinstance(value, str):
        return []
    if value.startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return [v for v in parsed.values() if isinstance(v, str)]
    return [value]


async def erase_features(
    conn: aiosqlite.Connection, person_id: int, telegram_id: int | None, phone: str | None
) -> None:
    """Runs after `erase_contact`: the mobile tables accept the erasure only once the
    person's status is 'left' (migration 0010). Messages to the account (a stranger from
    now on: the departure notice is queued after this) or quoting the person's data are
    emptied; those not sent yet are not sent."""
    quoted = await _personal_texts(conn, person_id) | ({phone} if phone else set())
    await _empty_messages(conn, sorted(quoted), telegram_id)
    for statement in FEATURE_ERASURES:
        await conn.execute(statement, {"p": person_id, "now": iso(utcnow())})


async def _empty_messages(
    conn: aiosqlite.Connection, quoted: list[str], chat_id: int | None = None
) -> None:
    """Messages to `chat_id` or quoting any of the texts, in one pass over the outbox."""
    where = " OR ".join(["chat_id = ?"] + ["replace(params, ?, '') <> params"] * len(quoted))
    await conn.execute(
        f"UPDATE outbox SET {_EMPTY}, last_error = CASE status WHEN 'pending'"
        " THEN 'left the branch' ELSE last_error END, status = CASE status WHEN 'pending'"
        f" THEN 'unreachable' ELSE status END WHERE status <> 'sending' AND ({where})",
        (chat_id, *quoted),
    )


async def erase_expired(conn: aiosqlite.Connection, before: date) -> list[int]:
    """Names of people who left before `before`; returns whose were erased."""
    async with conn.execute(
        "SELECT p.id, p.name FROM people p JOIN departures d ON d.person_id = p.id"
        " WHERE p.status = 'left' AND p.erased_at IS NULL AND d.left_on < ?",
        (before.isoformat(),),
    ) as cur:
        found = [(r[0], r[1]) for r in await cur.fetchall()]
    now = iso(utcnow())
    for person_id, name in found:
        await conn.execute(
            "UPDATE people SET name = NULL, erased_at = ?, updated_at = ? WHERE id = ?",
            (now, now, person_id),
        )
        for statement in NAME_ERASURES:
            await conn.execute(statement, {"p": person_id})
        if name:
            await _empty_messages(conn, [name])
    return [person_id for person_id, _ in found]


async def of_person(db: Database, person_id: int) -> list[dict]:
    return await db.fetchdicts(
        "SELECT kind, category, left_on, recorded_at FROM departures WHERE person_id = ?"
        " ORDER BY id",
        (person_id,),
    )


# An applicant for membership is no member, but the branch knows them by their file and
# records their leaving (a withdrawn application) the same way.
_IN_DEVELOPMENT = (
    "p.status = 'active' AND EXISTS (SELECT 1 FROM development_files f"
    " WHERE f.person_id = p.id AND f.closed_at IS NULL)"
)


async def find_members(db: Database, branch_id: int, text: str) -> list[dict]:
    return await db.fetchdicts(
        f"SELECT id FROM people p WHERE branch_id = ? AND ({MEMBER_OF} OR ({_IN_DEVELOPMENT}))"
        " AND (phone = ? OR name = ?) ORDER BY id LIMIT 5",
        (branch_id, text, text),
    )
