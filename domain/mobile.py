"""Mobile members (流动党员): registration, approval, certificates, reports, return.

管住、管活、管好: every change of a registration is a new version, never an overwrite; each
step is also an event in the registration's history and in the audit log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiosqlite

from domain import dates, guesses, notices, outbox, validation
from domain.access import Actor, require
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.guesses import Guessed
from domain.i18n import N_
from domain.mobile_models import (
    OPEN_STATUSES,
    Certificate,
    Change,
    Direction,
    Event,
    ListKind,
    MobileSettings,
    Registration,
    RegStatus,
    Version,
)
from domain.models import Branch, Person, Role
from domain.onboarding import new_code
from storage import audit, branches, people
from storage import mobile as store
from storage.db import Database, iso, utcnow

OUTFLOW_FIELDS = (
    "destination",
    "address",
    "employer",
    "org",
    "org_contact",
    "org_phone",
    "departure",
    "expected_return",
    "reason",
    "phone",
)
INFLOW_FIELDS = (
    "origin_branch",
    "origin_contact",
    "origin_phone",
    "address",
    "employer",
    "arrival",
    "phone",
)
ALL_FIELDS = tuple(dict.fromkeys(OUTFLOW_FIELDS + INFLOW_FIELDS))
FIELDS = {Direction.OUTFLOW: OUTFLOW_FIELDS, Direction.INFLOW: INFLOW_FIELDS}
# The destination organisation is often not known yet when a member leaves.
OPTIONAL = frozenset({"org", "org_contact", "org_phone"})
PHONES = frozenset({"org_phone", "origin_phone", "phone"})
DATES = frozenset({"departure", "expected_return", "arrival"})
# What a status report may change (the rest would be a new registration).
CHANGEABLE = {
    Direction.OUTFLOW: ("destination", "address", "employer", "org", "org_contact", "org_phone"),
    Direction.INFLOW: ("address", "employer", "phone"),
}
REPORT_FIELDS = ("whereabouts", "study", "activities")

TEXT_MAX = 200
NOTE_MAX = 500
PAST_DAYS = 3650
AHEAD_DAYS = 365
EXPIRING_DAYS = 30
PAGE_SIZE = 5

# Outbox templates; their renderers are in handlers/mobile_secretary.py.
NEW_TEMPLATE = "mobile.new"
REPORT_TEMPLATE = "mobile.report"
RETURN_TEMPLATE = "mobile.return"
EXPIRING_TEMPLATE = "mobile.expiring"
REJECTED_TEMPLATE = "mobile.rejected"
DATED_TEMPLATE = "mobile.dated"
REPORT_DUE_TEMPLATE = "mobile.report_due"

# A member whose status report is due is reminded on the due day and then weekly, this many
# times; after that the secretary's lists and digest carry it.
REPORT_REMINDERS = 4

# The certificate as the holder will see it: a caption and its PNG card (None without a
# CJK font), both in the holder's language. Drawn by the handler, which knows the bot's
# deep link, inside the transaction that issues or renews the certificate.
CertificateCard = Callable[[Registration, Certificate, str], Awaitable[tuple[str, bytes | None]]]


# ---- input rules --------------------------------------------------------------------------


def text_field(value: str, limit: int = TEXT_MAX) -> str:
    cleaned = validation.clean_text(value).replace("\n", " ")
    if not cleaned:
        raise InvalidInput("text_empty")
    if len(cleaned) > limit:
        raise InvalidInput("text_too_long", max=limit)
    return cleaned


def field_value(field: str, value: str, today: date) -> str:
    """One field as typed, checked and normalised on its own (dates as YYYY-MM-DD)."""
    if field in PHONES:
        return validation.mainland_phone(value)
    if field in DATES:
        day = dates.parse_date(value, today)
        if not dates.within(day, today, past_days=PAST_DAYS, future_days=10 * AHEAD_DAYS):
            raise InvalidInput("date_out_of_range")
        return day.isoformat()
    return text_field(value)


def check_dates(details: dict[str, str], today: date) -> None:
    """The rules between dates; also run on every single date step, with what is known."""
    for field in ("departure", "arrival"):
        if details.get(field) and date.fromisoformat(details[field]) > today + timedelta(
            days=AHEAD_DAYS
        ):
            raise InvalidInput("date_too_far_ahead", days=AHEAD_DAYS)
    departure, back = details.get("departure"), details.get("expected_return")
    if departure and back and date.fromisoformat(back) <= date.fromisoformat(departure):
        raise InvalidInput("return_before_departure")


def check_details(direction: Direction, details: dict[str, str], today: date) -> dict[str, str]:
    """The whole registration, as confirmed on the review screen."""
    checked: dict[str, str] = {}
    for field in FIELDS[direction]:
        value = details.get(field)
        if not value:
            if field in OPTIONAL:
                continue
            raise InvalidInput("field_missing", field=field)
        checked[field] = field_value(field, value, today)
    if not checked.get("org"):
        # Contact details of an organisation nobody named mean nothing.
        checked.pop("org_contact", None)
        checked.pop("org_phone", None)
    check_dates(checked, today)
    return checked


def check_settings(chosen: MobileSettings) -> MobileSettings:
    if not 1 <= chosen.validity_months <= 6:
        raise InvalidInput("validity_months")
    if not 1 <= chosen.report_days <= 366 or not 1 <= chosen.contact_days <= 366:
        raise InvalidInput("period_days")
    return chosen


def certificate_number(branch_code: str, year: int, serial: int) -> str:
    return f"{branch_code}-{year}-{serial:04d}"


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


async def _happened(
    conn: aiosqlite.Connection,
    registration_id: int,
    branch_id: int,
    kind: str,
    actor_id: int,
    note: str | None = None,
    **details: object,
) -> None:
    """One step of a registration, in its own history and in the audit log together. The
    note (contacts, reasons) stays in the history only, which departure erases; the
    append-only audit log just says there was one."""
    await store.add_event(conn, registration_id, kind, actor_id, note)
    await audit.record(
        conn,
        action=f"mobile.{kind}",
        subject_type="mobile_registration",
        subject_id=registration_id,
        actor_id=actor_id,
        branch_id=branch_id,
        noted=note is not None,
        **details,
    )


# ---- the member ---------------------------------------------------------------------------


def _member(actor: Actor) -> Person:
    if not actor.member:
        raise NotAllowed("mobile_members_only")
    return actor.person


@dataclass(frozen=True)
class Overview:
    registration: Registration | None
    certificate: Certificate | None
    settings: MobileSettings


async def overview(db: Database, actor: Actor) -> Overview:
    person = _member(actor)
    registration = await store.open_for_person(db, person.id)
    certificate = await store.current_certificate(db, registration.id) if registration else None
    return Overview(registration, certificate, await store.settings(db, person.branch_id))


@dataclass(frozen=True)
class Submitted:
    registration: Registration
    branch: Branch
    secretaries: list[Person]


@effect
async def submit(
    db: Database, actor: Actor, direction: Direction, details: dict[str, str], today: date
) -> Submitted:
    person = _member(actor)
    checked = check_details(direction, details, today)
    async with db.transaction() as conn:
        existing = await store.open_for_person(conn, person.id)
        if existing is not None:
            if existing.direction is direction is Direction.OUTFLOW:
                raise Conflict("outflow_already_open")
            if existing.direction is direction:
                raise Conflict("inflow_already_open")
            raise Conflict("other_direction_open", direction=str(existing.direction))
        registration_id = await store.create(
            conn,
            person_id=person.id,
            branch_id=person.branch_id,
            direction=direction,
            details=checked,
        )
        await _happened(
            conn, registration_id, person.branch_id, "submitted", person.id, direction=direction
        )
        registration = await store.get(conn, registration_id)
        await notices.to_secretaries(
            conn,
            db,
            person.branch_id,
            f"mobile-new:{registration_id}",
            template=NEW_TEMPLATE,
            params={"registration": registration_id},
        )
    branch = await branches.get(db, person.branch_id)
    assert registration is not None and branch is not None
    return Submitted(registration, branch, await people.secretaries(db, branch.id))


async def _own_open(conn: aiosqlite.Connection, actor: Actor, registration_id: int):
    person = _member(actor)
    registration = await store.get(conn, registration_id)
    if registration is None or registration.person_id != person.id:
        raise NotFound("registration_unknown")
    if registration.status is not RegStatus.ACTIVE:
        raise Conflict("registration_not_active")
    return person, registration


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
    async with db.transaction() as conn:
        person, registration = await _own_open(conn, actor, registration_id)
        unknown = set(changes) - set(CHANGEABLE[registration.direction])
        if unknown:
            raise InvalidInput("field_missing", field=min(unknown))
        checked = {field: field_value(field, value, today) for field, value in changes.items()}
        version = registration.version + 1
        await store.add_version(
            conn, registration.id, version, registration.details, checked_report, person.id
        )
        await store.touch(conn, registration.id, "last_report_at")
        change_id = (
            await store.add_change(conn, registration.id, checked, person.id) if checked else None
        )
        note = ", ".join(sorted(checked)) or None
        await _happened(
            conn,
            registration.id,
            registration.branch_id,
            "report",
            person.id,
            note,
            version=version,
        )
        updated = await store.get(conn, registration.id)
        change = await store.get_change(conn, change_id) if change_id else None
        await notices.to_secretaries(
            conn,
            db,
            registration.branch_id,
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


@effect
async def request_return(db: Database, actor: Actor, registration_id: int) -> Registration:
    """The member is back (返回); the outflow ends when the secretary has the certificate."""
    async with db.transaction() as conn:
        person, registration = await _own_open(conn, actor, registration_id)
        if registration.direction is not Direction.OUTFLOW:
            raise Conflict("registration_not_active")
        await store.set_status(conn, registration.id, (RegStatus.ACTIVE,), RegStatus.RETURNING)
        await _happened(
            conn, registration.id, registration.branch_id, "return_requested", person.id
        )
        updated = await store.get(conn, registration.id)
        await notices.to_secretaries(
            conn,
            db,
            registration.branch_id,
            f"mobile-return:{registration.id}",
            template=RETURN_TEMPLATE,
            params={"registration": registration.id, "name": registration.person_name},
        )
    assert updated is not None
    return updated


# ---- the secretary ------------------------------------------------------------------------


async def _as_secretary(
    conn: aiosqlite.Connection, actor: Actor, registration_id: int
) -> tuple[Person, Registration]:
    registration = await store.get(conn, registration_id)
    if registration is None:
        raise NotFound("registration_unknown")
    return require(actor, Role.SECRETARY, registration.branch_id), registration


@dataclass(frozen=True)
class Decided:
    registration: Registration
    certificate: Certificate | None
    branch: Branch


@effect
async def decide(
    db: Database,
    actor: Actor,
    registration_id: int,
    *,
    approve: bool,
    today: date,
    reason: str | None = None,
    card: CertificateCard | None = None,
) -> Decided:
    """Approve (an outflow gets its certificate, numbered in this transaction) or reject;
    the member is told in the same transaction."""
    if not approve:
        reason = text_field(reason or "", NOTE_MAX)
    async with db.transaction() as conn:
        secretary, registration = await _as_secretary(conn, actor, registration_id)
        status = RegStatus.ACTIVE if approve else RegStatus.REJECTED
        decided = await store.set_status(
            conn,
            registration.id,
            (RegStatus.PENDING,),
            status,
            decided_at=iso(utcnow()),
            decided_by=secretary.id,
            reason=reason,
        )
        if not decided:
            raise Conflict("registration_decided")
        kind = "approved" if approve else "rejected"
        await _happened(conn, registration.id, registration.branch_id, kind, secretary.id, reason)
        certificate = None
        if approve and registration.direction is Direction.OUTFLOW:
            certificate = await _issue(conn, secretary, registration, today)
        updated = await store.get(conn, registration.id)
        branch = await branches.get(db, registration.branch_id)
        assert updated is not None and branch is not None
        await _tell_decision(conn, Decided(updated, certificate, branch), card)
    return Decided(updated, certificate, branch)


async def _tell_member(
    conn: aiosqlite.Connection, registration: Registration, key: str, **message: object
) -> int:
    return await notices.to_person(
        conn,
        registration.person_telegram_id,
        f"mobile-{key}",
        branch_id=registration.branch_id,
        **message,
    )


async def _tell_decision(
    conn: aiosqlite.Connection, decided: Decided, card: CertificateCard | None
) -> None:
    registration, certificate = decided.registration, decided.certificate
    key = f"decided:{registration.id}"
    if registration.status is RegStatus.REJECTED:
        params = {"direction": str(registration.direction), "reason": registration.reason}
        await _tell_member(conn, registration, key, template=REJECTED_TEMPLATE, params=params)
    elif certificate is None:
        text = N_(
            "Your inflow registration with {branch} is confirmed. Welcome to the community! You "
            "will be invited to branch activities."
        )
        await _tell_member(
            conn, registration, key, text=text, params={"branch": decided.branch.name}
        )
    else:
        text = N_(
            "Your outflow registration is approved. Here is your mobile party member activity "
            "certificate; keep it with you and show it to the party organisation where you go."
        )
        await _tell_member(conn, registration, key, text=text)
        await _send_certificate(
            conn, registration, certificate, decided.branch.name, card, "issued"
        )


async def _send_certificate(
    conn: aiosqlite.Connection,
    registration: Registration,
    certificate: Certificate,
    branch_name: str,
    card: CertificateCard | None,
    occasion: str,
) -> None:
    """`occasion` tells an issue from each renewal in the key."""
    if card is None or registration.person_telegram_id is None:
        return
    caption, png = await card(registration, certificate, branch_name)
    attachment = (
        outbox.Attachment(f"{certificate.number}.png", content=png, photo=True) if png else None
    )
    # Already in the holder's language, like the card: it passes through gettext unchanged.
    await _tell_member(
        conn,
        registration,
        f"certificate:{certificate.id}:{occasion}",
        text=caption,
        attachment=attachment,
    )


async def _issue(
    conn: aiosqlite.Connection, secretary: Person, registration: Registration, today: date
) -> Certificate:
    settings = await store.settings(conn, registration.branch_id)
    branch_code = await store.branch_code(conn, registration.branch_id)
    serial = await store.next_serial(conn, registration.branch_id, today.year)
    number = certificate_number(branch_code, today.year, serial)
    await store.insert_certificate(
        conn,
        registration_id=registration.id,
        branch_id=registration.branch_id,
        year=today.year,
        serial=serial,
        number=number,
        verify_code=new_code(),
        holder=registration.person_name,
        destination=registration.details.get("destination", ""),
        issued_on=today,
        valid_until=dates.add_months(today, settings.validity_months),
    )
    await _happened(
        conn, registration.id, registration.branch_id, "certificate_issued", secretary.id, number
    )
    certificate = await store.current_certificate(conn, registration.id)
    assert certificate is not None
    return certificate


async def _valid_certificate(conn: aiosqlite.Connection, registration: Registration):
    certificate = await store.current_certificate(conn, registration.id)
    if certificate is None or certificate.revoked:
        raise Conflict("no_valid_certificate")
    return certificate


@effect
async def renew(
    db: Database,
    actor: Actor,
    registration_id: int,
    today: date,
    card: CertificateCard | None = None,
) -> Certificate:
    """A new validity period from today, never shorter than the current one."""
    async with db.transaction() as conn:
        secretary, registration = await _as_secretary(conn, actor, registration_id)
        if registration.status is not RegStatus.ACTIVE:
            raise Conflict("registration_not_active")
        certificate = await _valid_certificate(conn, registration)
        settings = await store.settings(conn, registration.branch_id)
        until = max(certificate.valid_until, dates.add_months(today, settings.validity_months))
        await store.extend_certificate(conn, certificate.id, until)
        note = f"{certificate.number}: {certificate.valid_until} → {until}"
        await _happened(
            conn, registration.id, registration.branch_id, "certificate_renewed", secretary.id, note
        )
        renewed = await store.current_certificate(conn, registration.id)
        assert renewed is not None
        await _tell_member(
            conn,
            registration,
            f"renewed:{renewed.id}:{renewed.valid_until}",
            template=DATED_TEMPLATE,
            params={
                "text": N_("Your activity certificate has been renewed until {day}."),
                "day": renewed.valid_until.isoformat(),
            },
        )
        branch = await branches.get(db, registration.branch_id)
        assert branch is not None
        await _send_certificate(
            conn, registration, renewed, branch.name, card, f"renewed-{renewed.valid_until}"
        )
    return renewed


async def _revoke(
    conn: aiosqlite.Connection, secretary: Person, registration: Registration, reason: str | None
) -> None:
    """`reason` None: revoked because the member came back (the history says so)."""
    certificate = await store.current_certificate(conn, registration.id)
    if certificate is None or not await store.revoke_certificate(conn, certificate.id, reason):
        return
    note = f"{certificate.number}: {reason}" if reason else certificate.number
    await _happened(
        conn, registration.id, registration.branch_id, "certificate_revoked", secretary.id, note
    )


@effect
async def revoke(db: Database, actor: Actor, registration_id: int, reason: str) -> Registration:
    reason = text_field(reason, NOTE_MAX)
    async with db.transaction() as conn:
        secretary, registration = await _as_secretary(conn, actor, registration_id)
        certificate = await _valid_certificate(conn, registration)
        await _revoke(conn, secretary, registration, reason)
        text = N_(
            "Your activity certificate has been revoked by the branch secretary. Send /mobile to "
            "see your registration."
        )
        await _tell_member(conn, registration, f"revoked:{certificate.id}", text=text)
    return registration


@effect
async def confirm_return(db: Database, actor: Actor, registration_id: int) -> Registration:
    """The secretary has the certificate back: the outflow is closed, the certificate void."""
    async with db.transaction() as conn:
        secretary, registration = await _as_secretary(conn, actor, registration_id)
        closed = await store.set_status(
            conn,
            registration.id,
            (RegStatus.RETURNING,),
            RegStatus.CLOSED,
            closed_at=iso(utcnow()),
        )
        if not closed:
            raise Conflict("registration_decided")
        await _revoke(conn, secretary, registration, None)
        await _happened(conn, registration.id, registration.branch_id, "returned", secretary.id)
        updated = await store.get(conn, registration.id)
        text = N_(
            "The secretary has received your certificate. Your outflow registration is closed. "
            "Welcome home!"
        )
        await _tell_member(conn, registration, f"returned:{registration.id}", text=text)
    assert updated is not None
    return updated


@effect
async def end_inflow(db: Database, actor: Actor, registration_id: int) -> Registration:
    """The member has moved on from the community; the branch no longer counts them."""
    async with db.transaction() as conn:
        secretary, registration = await _as_secretary(conn, actor, registration_id)
        if registration.direction is not Direction.INFLOW or not await store.set_status(
            conn, registration.id, (RegStatus.ACTIVE,), RegStatus.CLOSED, closed_at=iso(utcnow())
        ):
            raise Conflict("registration_not_active")
        await _happened(conn, registration.id, registration.branch_id, "ended", secretary.id)
        updated = await store.get(conn, registration.id)
        text = N_(
            "The branch secretary has closed your inflow registration, as you have moved away. "
            "Thank you for taking part in the branch's work here."
        )
        await _tell_member(conn, registration, f"ended:{registration.id}", text=text)
    assert updated is not None
    return updated


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
    async with db.transaction() as conn:
        change = await store.get_change(conn, change_id)
        if change is None:
            raise NotFound("registration_unknown")
        secretary, registration = await _as_secretary(conn, actor, change.registration_id)
        status = "approved" if approve else "rejected"
        if not await store.decide_change(conn, change.id, status, secretary.id, reason):
            raise Conflict("registration_decided")
        if approve:
            await store.add_version(
                conn,
                registration.id,
                registration.version + 1,
                registration.details | change.changes,
                None,
                secretary.id,
            )
        kind = f"change_{status}"
        note = reason or ", ".join(sorted(change.changes))
        await _happened(conn, registration.id, registration.branch_id, kind, secretary.id, note)
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
        await _tell_member(conn, registration, f"change:{change.id}", text=text, params=params)
    return ChangeDecision(updated, decided)


@effect
async def mark_contacted(
    db: Database, actor: Actor, registration_id: int, note: str
) -> Registration:
    note = text_field(note, NOTE_MAX)
    async with db.transaction() as conn:
        secretary, registration = await _as_secretary(conn, actor, registration_id)
        if registration.status not in OPEN_STATUSES:
            raise Conflict("registration_not_active")
        await store.touch(conn, registration.id, "last_contact_at")
        await _happened(
            conn, registration.id, registration.branch_id, "contacted", secretary.id, note
        )
        updated = await store.get(conn, registration.id)
    assert updated is not None
    return updated


async def remind_renewals(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Job: the branch's certificates ending within EXPIRING_DAYS, told to the holder and
    the secretaries once per validity period (the key names the period's end)."""
    today = now.astimezone(tz).date()
    queued = 0
    async with db.transaction() as conn:
        until = today + timedelta(days=EXPIRING_DAYS)
        for registration, certificate in await store.unreminded_expiring(conn, branch_id, until):
            day = certificate.valid_until.isoformat()
            await store.add_event(conn, registration.id, "renewal_reminded", None, day)
            period = f"mobile-expiring:{certificate.id}:{day}"
            text = N_(
                "Your activity certificate {number} is valid until {day}. The branch secretary "
                "will renew it if you are still away."
            )
            params = {"number": certificate.number, "day": day}
            queued += await _tell_member(
                conn,
                registration,
                f"expiring:{certificate.id}:{day}:holder",
                template=DATED_TEMPLATE,
                params={"text": text, **params},
                not_before=now,
            )
            queued += await notices.to_secretaries(
                conn,
                db,
                registration.branch_id,
                period,
                template=EXPIRING_TEMPLATE,
                params={
                    "registration": registration.id,
                    "name": registration.person_name,
                    **params,
                },
                not_before=now,
            )
    return queued


async def remind_reports(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Job: members of the branch whose status report is due, reminded with a button that
    starts the report; keyed by the due day and the week since, so each goes once."""
    if branch_id is None:
        return 0
    today = now.astimezone(tz).date()
    settings = await store.settings(db, branch_id)
    cutoff = _cutoff(ListKind.REPORT_OVERDUE, settings, now, today)
    # LIMIT -1 is SQLite's "no limit": the job reminds every member who is due.
    overdue = await store.page(db, branch_id, ListKind.REPORT_OVERDUE, cutoff, limit=-1, offset=0)
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
            queued += await _tell_member(
                conn,
                registration,
                f"report-due:{registration.id}:{day.isoformat()}:{week}",
                template=REPORT_DUE_TEMPLATE,
                params={"registration": registration.id, "day": day.isoformat()},
                not_before=now,
            )
    return queued


@dataclass(frozen=True)
class Dossier:
    registration: Registration
    certificate: Certificate | None
    versions: list[Version]
    events: list[Event]
    settings: MobileSettings
    pending_changes: list[Change]


async def dossier(db: Database, actor: Actor, registration_id: int) -> Dossier:
    """Everything about one registration, for a secretary of its branch only."""
    registration = await store.get(db, registration_id)
    if registration is None:
        raise NotFound("registration_unknown")
    require(actor, Role.SECRETARY, registration.branch_id)
    return Dossier(
        registration,
        await store.current_certificate(db, registration.id),
        await store.versions(db, registration.id),
        await store.events(db, registration.id),
        await store.settings(db, registration.branch_id),
        await store.pending_changes(db, registration.id),
    )


def _cutoff(kind: ListKind, settings: MobileSettings, now: datetime, today: date) -> str:
    if kind is ListKind.REPORT_OVERDUE:
        return iso(now - timedelta(days=settings.report_days))
    if kind is ListKind.CONTACT_OVERDUE:
        return iso(now - timedelta(days=settings.contact_days))
    return (today + timedelta(days=EXPIRING_DAYS)).isoformat()


async def counts(
    db: Database, actor: Actor, branch_id: int, now: datetime, today: date
) -> dict[ListKind, int]:
    require(actor, Role.SECRETARY, branch_id)
    settings = await store.settings(db, branch_id)
    return {
        kind: await store.count(db, branch_id, kind, _cutoff(kind, settings, now, today))
        for kind in ListKind
    }


@dataclass(frozen=True)
class Page:
    kind: ListKind
    branch_id: int
    number: int
    pages: int
    total: int
    items: list[Registration]


async def listing(
    db: Database,
    actor: Actor,
    branch_id: int,
    kind: ListKind,
    page: int,
    now: datetime,
    today: date,
) -> Page:
    require(actor, Role.SECRETARY, branch_id)
    cutoff = _cutoff(kind, await store.settings(db, branch_id), now, today)
    total = await store.count(db, branch_id, kind, cutoff)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    items = await store.page(db, branch_id, kind, cutoff, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    return Page(kind, branch_id, page, pages, total, items)


async def branch_settings(db: Database, branch_id: int) -> MobileSettings:
    if await branches.get(db, branch_id) is None:
        raise NotFound("branch_unknown", branch=branch_id)
    return await store.settings(db, branch_id)


async def change_settings(db: Database, branch_id: int, **changes: int) -> MobileSettings:
    """Operator (CLI) change of a branch's validity, report and contact periods."""
    chosen = check_settings(replace(await branch_settings(db, branch_id), **changes))
    async with db.transaction() as conn:
        await store.save_settings(conn, branch_id, chosen)
        await audit.record(
            conn,
            action="mobile.settings",
            subject_type="branch",
            subject_id=branch_id,
            branch_id=branch_id,
            **changes,
        )
    return chosen


# ---- anyone -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    holder: str
    branch: str
    valid_until: date
    valid: bool


@effect
async def verify(
    db: Database, code: str, today: date, *, telegram_id: int, now: datetime
) -> Verification:
    """Whether a certificate is genuine and valid; reveals only name, branch and validity.
    An account that typed too many unknown codes is refused for a while."""
    await guesses.refuse_if_too_many(db, telegram_id, Guessed.CERTIFICATE, now)
    code = code.strip().upper()
    found = None
    if code.isalnum() and len(code) <= 32:
        found = await store.certificate_by_code(db, code)
    if found is None:
        await guesses.wrong(db, telegram_id, Guessed.CERTIFICATE, now)
        raise NotFound("certificate_unknown")
    certificate, branch_name = found
    return Verification(
        certificate.holder, branch_name, certificate.valid_until, certificate.valid_on(today)
    )
