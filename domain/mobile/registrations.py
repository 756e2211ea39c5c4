"""Registering as a mobile member (流动党员登记): the member's request and overview, and the
secretary's decision, which gives an outflow its activity certificate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import aiosqlite

from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict
from domain.i18n import N_
from domain.mobile.certificates import CertificateCard, issue, send_certificate
from domain.mobile.history import as_member, as_secretary, happened, tell_member
from domain.mobile.models import Certificate, Direction, MobileSettings, Registration, RegStatus
from domain.mobile.rules import NOTE_MAX, check_details, text_field
from domain.models import Branch, Person
from domain.unit_of_work import unit_of_work
from storage import branches, mobile_certificates, people
from storage import mobile as store
from storage.db import Database, iso, utcnow

# Outbox templates; their renderers are in handlers/mobile/messages.py.
NEW_TEMPLATE = "mobile.new"
REJECTED_TEMPLATE = "mobile.rejected"


@dataclass(frozen=True)
class Overview:
    registration: Registration | None
    certificate: Certificate | None
    settings: MobileSettings


async def overview(db: Database, actor: Actor) -> Overview:
    person = as_member(actor)
    registration = await store.open_for_person(db, person.id)
    certificate = await mobile_certificates.current(db, registration.id) if registration else None
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
    person = as_member(actor)
    checked = check_details(direction, details, today)
    async with unit_of_work(db, actor, branch_id=person.branch_id) as work:
        existing = await store.open_for_person(work.conn, person.id)
        if existing is not None:
            if existing.direction is direction is Direction.OUTFLOW:
                raise Conflict("outflow_already_open")
            if existing.direction is direction:
                raise Conflict("inflow_already_open")
            raise Conflict("other_direction_open", direction=str(existing.direction))
        registration_id = await store.create(
            work.conn,
            person_id=person.id,
            branch_id=person.branch_id,
            direction=direction,
            details=checked,
        )
        await happened(work, registration_id, "submitted", direction=direction)
        registration = await store.get(work.conn, registration_id)
        await work.tell_secretaries(
            f"mobile-new:{registration_id}",
            template=NEW_TEMPLATE,
            params={"registration": registration_id},
        )
    branch = await branches.get(db, person.branch_id)
    assert registration is not None and branch is not None
    return Submitted(registration, branch, await people.secretaries(db, branch.id))


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
    async with unit_of_work(db, actor) as work:
        registration = await as_secretary(work, registration_id)
        status = RegStatus.ACTIVE if approve else RegStatus.REJECTED
        decided = await store.set_status(
            work.conn,
            registration.id,
            (RegStatus.PENDING,),
            status,
            decided_at=iso(utcnow()),
            decided_by=work.person.id,
            reason=reason,
        )
        if not decided:
            raise Conflict("registration_decided")
        await happened(work, registration.id, "approved" if approve else "rejected", reason)
        certificate = None
        if approve and registration.direction is Direction.OUTFLOW:
            certificate = await issue(work, registration, today)
        updated = await store.get(work.conn, registration.id)
        branch = await branches.get(db, registration.branch_id)
        assert updated is not None and branch is not None
        await _tell_decision(work.conn, Decided(updated, certificate, branch), card)
    return Decided(updated, certificate, branch)


async def _tell_decision(
    conn: aiosqlite.Connection, decided: Decided, card: CertificateCard | None
) -> None:
    registration, certificate = decided.registration, decided.certificate
    key = f"decided:{registration.id}"
    if registration.status is RegStatus.REJECTED:
        params = {"direction": str(registration.direction), "reason": registration.reason}
        await tell_member(conn, registration, key, template=REJECTED_TEMPLATE, params=params)
    elif certificate is None:
        text = N_(
            "Your inflow registration with {branch} is confirmed. Welcome to the community! You "
            "will be invited to branch activities."
        )
        await tell_member(
            conn, registration, key, text=text, params={"branch": decided.branch.name}
        )
    else:
        text = N_(
            "Your outflow registration is approved. Here is your mobile party member activity "
            "certificate; keep it with you and show it to the party organisation where you go."
        )
        await tell_member(conn, registration, key, text=text)
        await send_certificate(conn, registration, certificate, decided.branch.name, card, "issued")
