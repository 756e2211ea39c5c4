"""Keeping in touch (管活): the member's status reports (动态报告) and the changes they report,
the secretary's contacts, and what is due when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.access import Actor, require
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotFound
from domain.i18n import N_
from domain.mobile.history import as_secretary, happened, own_active, tell_member
from domain.mobile.lists import cutoff_for
from domain.mobile.models import (
    OPEN_STATUSES,
    Change,
    ListKind,
    MobileSettings,
    Registration,
    RegStatus,
)
from domain.mobile.rules import CHANGEABLE, NOTE_MAX, REPORT_FIELDS, field_value, text_field
from domain.models import Role
from domain.unit_of_work import unit_of_work
from storage import mobile as store
from storage.db import Database

# Outbox templates; their renderers are in handlers/mobile/messages.py.
REPORT_TEMPLATE = "mobile.report"
REPORT_DUE_TEMPLATE = "mobile.report_due"


# A member whose status report is due is reminded on the due day and then weekly, this many
# times; after that the secretary's lists and digest carry it.
REPORT_REMINDERS = 4


def report_due(registration: Registration, settings: MobileSettings) -> datetime | None:
    since = registration.last_report_at or registration.decided_at
    if registration.status is not RegStatus.ACTIVE or since is None:
        return None
    return since + timedelta(days=settings.report_days)


def contact_overdue(registration: Registration, settings: MobileSettings, now: datetime) -> bool:
    since = registration.last_contact_at or registration.decided_at
    return (
        registration.status is RegStatus.ACTIVE
        and since is not None
        and now - since > timedelta(days=settings.contact_days)
    )


@dataclass(frozen=True)
class Reported:
    registration: Registration
    change: Change | None


@effect
async def report(
    db: Database,
    actor: Actor,
    registration_id: int,
    answers: dict[str, str],
    changes: dict[str, str],
    today: date,
) -> Reported:
    """A status report (动态报告) is a new version; changes it reports wait for a secretary
    and become another version when approved."""
    checked_report = {key: text_field(answers.get(key, ""), NOTE_MAX) for key in REPORT_FIELDS}
    async with unit_of_work(db, actor) as work:
        registration = await own_active(work, registration_id)
        unknown = set(changes) - set(CHANGEABLE[registration.direction])
        if unknown:
            raise InvalidInput("field_missing", field=min(unknown))
        checked = {field: field_value(field, value, today) for field, value in changes.items()}
        version = registration.version + 1
        member_id = work.person.id
        await store.add_version(
            work.conn, registration.id, version, registration.details, checked_report, member_id
        )
        await store.touch(work.conn, registration.id, "last_report_at")
        change_id = (
            await store.add_change(work.conn, registration.id, checked, member_id)
            if checked
            else None
        )
        note = ", ".join(sorted(checked)) or None
        await happened(work, registration.id, "report", note, version=version)
        updated = await store.get(work.conn, registration.id)
        change = await store.get_change(work.conn, change_id) if change_id else None
        await work.tell_secretaries(
            f"mobile-report:{registration.id}:{version}",
            template=REPORT_TEMPLATE,
            params={
                "registration": registration.id,
                "version": version,
                "answers": [[key, checked_report[key]] for key in answers if key in checked_report],
                "change": change_id,
            },
        )
    assert updated is not None
    return Reported(updated, change)


@dataclass(frozen=True)
class ChangeDecision:
    registration: Registration
    change: Change


async def open_change(db: Database, actor: Actor, change_id: int) -> Change:
    """A change still waiting, for a secretary of its branch."""
    change = await store.get_change(db, change_id)
    registration = await store.get(db, change.registration_id) if change else None
    if change is None or registration is None:
        raise NotFound("registration_unknown")
    require(actor, Role.SECRETARY, registration.branch_id)
    if change.status != "pending":
        raise Conflict("registration_decided")
    return change


@effect
async def decide_change(
    db: Database, actor: Actor, change_id: int, *, approve: bool, reason: str | None = None
) -> ChangeDecision:
    """A secretary accepts reported changes (a new version) or rejects them with a reason."""
    if not approve:
        reason = text_field(reason or "", NOTE_MAX)
    async with unit_of_work(db, actor) as work:
        conn = work.conn
        change = await store.get_change(conn, change_id)
        if change is None:
            raise NotFound("registration_unknown")
        registration = await as_secretary(work, change.registration_id)
        status = "approved" if approve else "rejected"
        if not await store.decide_change(conn, change.id, status, work.person.id, reason):
            raise Conflict("registration_decided")
        if approve:
            await store.add_version(
                conn,
                registration.id,
                registration.version + 1,
                registration.details | change.changes,
                None,
                work.person.id,
            )
        await happened(
            work, registration.id, f"change_{status}", reason or ", ".join(sorted(change.changes))
        )
        updated = await store.get(conn, registration.id)
        decided = await store.get_change(conn, change.id)
        assert updated is not None and decided is not None
        if approve:
            text = N_(
                "The secretary approved the changes you reported; your registration is now "
                "version {version}."
            )
            params: dict[str, object] = {"version": updated.version}
        else:
            text = N_(
                "The secretary did not approve the changes you reported. The secretary's reason: "
                "{reason}"
            )
            params = {"reason": decided.reason}
        await tell_member(conn, registration, f"change:{change.id}", text=text, params=params)
    return ChangeDecision(updated, decided)


@effect
async def mark_contacted(
    db: Database, actor: Actor, registration_id: int, note: str
) -> Registration:
    note = text_field(note, NOTE_MAX)
    async with unit_of_work(db, actor) as work:
        registration = await as_secretary(work, registration_id)
        if registration.status not in OPEN_STATUSES:
            raise Conflict("registration_not_active")
        await store.touch(work.conn, registration.id, "last_contact_at")
        await happened(work, registration.id, "contacted", note)
        updated = await store.get(work.conn, registration.id)
    assert updated is not None
    return updated


async def remind_reports(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Job: members of the branch whose status report is due, reminded with a button that
    starts the report; keyed by the due day and the week since, so each goes once."""
    if branch_id is None:
        return 0
    today = now.astimezone(tz).date()
    settings = await store.settings(db, branch_id)
    cutoff = cutoff_for(ListKind.REPORT_OVERDUE, settings, now, today)
    # No limit: the job reminds every member who is due (SQLite's LIMIT -1 is not
    # PostgreSQL's, a large number is both engines').
    overdue = await store.page(
        db, branch_id, ListKind.REPORT_OVERDUE, cutoff, limit=2**62, offset=0
    )
    queued = 0
    async with db.transaction() as conn:
        for registration in overdue:
            due = report_due(registration, settings)
            if due is None:
                continue
            day = due.astimezone(tz).date()
            week = (today - day).days // 7
            if week >= REPORT_REMINDERS:
                continue
            queued += await tell_member(
                conn,
                registration,
                f"report-due:{registration.id}:{day.isoformat()}:{week}",
                template=REPORT_DUE_TEMPLATE,
                params={"registration": registration.id, "day": day.isoformat()},
                not_before=now,
            )
    return queued
