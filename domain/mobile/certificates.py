"""Activity certificates (流动党员活动证): issued on approval, renewed, revoked, reminded
before they end, and verified by anyone holding the code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiosqlite

from domain import dates, guesses, notices, outbox
from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict, NotFound
from domain.guesses import Guessed
from domain.i18n import N_
from domain.mobile.history import as_secretary, happened, tell_member
from domain.mobile.models import Certificate, Registration, RegStatus
from domain.mobile.rules import NOTE_MAX, text_field
from domain.onboarding import new_code
from domain.unit_of_work import UnitOfWork, unit_of_work
from storage import branches, mobile_certificates
from storage import mobile as store
from storage.db import Database

# Outbox templates; their renderers are in handlers/mobile/messages.py.
EXPIRING_TEMPLATE = "mobile.expiring"
DATED_TEMPLATE = "mobile.dated"

# How far ahead the renewal reminders and the secretary's "expiring" list look.
EXPIRING_DAYS = 30


# The certificate as the holder will see it: a caption and its PNG card (None without a
# CJK font), both in the holder's language. Drawn by the handler, which knows the bot's
# deep link, inside the transaction that issues or renews the certificate.
CertificateCard = Callable[[Registration, Certificate, str], Awaitable[tuple[str, bytes | None]]]


def certificate_number(branch_code: str, year: int, serial: int) -> str:
    return f"{branch_code}-{year}-{serial:04d}"


async def issue(work: UnitOfWork, registration: Registration, today: date) -> Certificate:
    """The approved outflow's certificate, numbered inside the approving transaction."""
    conn = work.conn
    settings = await store.settings(conn, registration.branch_id)
    branch_code = await mobile_certificates.branch_code(conn, registration.branch_id)
    serial = await mobile_certificates.next_serial(conn, registration.branch_id, today.year)
    number = certificate_number(branch_code, today.year, serial)
    await mobile_certificates.insert(
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
    await happened(work, registration.id, "certificate_issued", number)
    certificate = await mobile_certificates.current(conn, registration.id)
    assert certificate is not None
    return certificate


async def send_certificate(
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
    await tell_member(
        conn,
        registration,
        f"certificate:{certificate.id}:{occasion}",
        text=caption,
        attachment=attachment,
    )


async def _valid_certificate(conn: aiosqlite.Connection, registration: Registration):
    certificate = await mobile_certificates.current(conn, registration.id)
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
    async with unit_of_work(db, actor) as work:
        conn = work.conn
        registration = await as_secretary(work, registration_id)
        if registration.status is not RegStatus.ACTIVE:
            raise Conflict("registration_not_active")
        certificate = await _valid_certificate(conn, registration)
        settings = await store.settings(conn, registration.branch_id)
        until = max(certificate.valid_until, dates.add_months(today, settings.validity_months))
        await mobile_certificates.extend(conn, certificate.id, until)
        note = f"{certificate.number}: {certificate.valid_until} → {until}"
        await happened(work, registration.id, "certificate_renewed", note)
        renewed = await mobile_certificates.current(conn, registration.id)
        assert renewed is not None
        await tell_member(
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
        await send_certificate(
            conn, registration, renewed, branch.name, card, f"renewed-{renewed.valid_until}"
        )
    return renewed


async def revoke_current(work: UnitOfWork, registration: Registration, reason: str | None) -> None:
    """`reason` None: revoked because the member came back (the history says so)."""
    certificate = await mobile_certificates.current(work.conn, registration.id)
    if certificate is None or not await mobile_certificates.revoke(
        work.conn, certificate.id, reason
    ):
        return
    note = f"{certificate.number}: {reason}" if reason else certificate.number
    await happened(work, registration.id, "certificate_revoked", note)


@effect
async def revoke(db: Database, actor: Actor, registration_id: int, reason: str) -> Registration:
    reason = text_field(reason, NOTE_MAX)
    async with unit_of_work(db, actor) as work:
        registration = await as_secretary(work, registration_id)
        certificate = await _valid_certificate(work.conn, registration)
        await revoke_current(work, registration, reason)
        text = N_(
            "Your activity certificate has been revoked by the branch secretary. Send /mobile to "
            "see your registration."
        )
        await tell_member(work.conn, registration, f"revoked:{certificate.id}", text=text)
    return registration


async def remind_renewals(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Job: the branch's certificates ending within EXPIRING_DAYS, told to the holder and
    the secretaries once per validity period (the key names the period's end)."""
    today = now.astimezone(tz).date()
    queued = 0
    async with db.transaction() as conn:
        until = today + timedelta(days=EXPIRING_DAYS)
        for registration, certificate in await mobile_certificates.unreminded_expiring(
            conn, branch_id, until
        ):
            day = certificate.valid_until.isoformat()
            await store.add_event(conn, registration.id, "renewal_reminded", None, day)
            period = f"mobile-expiring:{certificate.id}:{day}"
            text = N_(
                "Your activity certificate {number} is valid until {day}. The branch secretary "
                "will renew it if you are still away."
            )
            params = {"number": certificate.number, "day": day}
            queued += await tell_member(
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
        found = await mobile_certificates.by_code(db, code)
    if found is None:
        await guesses.wrong(db, telegram_id, Guessed.CERTIFICATE, now)
        raise NotFound("certificate_unknown")
    certificate, branch_name = found
    return Verification(
        certificate.holder, branch_name, certificate.valid_until, certificate.valid_on(today)
    )
