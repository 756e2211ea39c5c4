"""What a secretary looks through: the branch's lists (pending, away, overdue, expiring) and
everything about one registration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.access import Actor, require
from domain.errors import NotFound
from domain.mobile.certificates import EXPIRING_DAYS
from domain.mobile.models import (
    Certificate,
    Change,
    Event,
    ListKind,
    MobileSettings,
    Registration,
    Version,
)
from domain.models import Role
from storage import branches, mobile_certificates
from storage import mobile as store
from storage.db import Database, iso

PAGE_SIZE = 5


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
        await mobile_certificates.current(db, registration.id),
        await store.versions(db, registration.id),
        await store.events(db, registration.id),
        await store.settings(db, registration.branch_id),
        await store.pending_changes(db, registration.id),
    )


def cutoff_for(kind: ListKind, settings: MobileSettings, now: datetime, today: date) -> str:
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
        kind: await store.count(db, branch_id, kind, cutoff_for(kind, settings, now, today))
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
    cutoff = cutoff_for(kind, await store.settings(db, branch_id), now, today)
    total = await store.count(db, branch_id, kind, cutoff)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    items = await store.page(db, branch_id, kind, cutoff, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    return Page(kind, branch_id, page, pages, total, items)


# ---- plain reads for what the bot shows: the outbox's messages (their recipient was chosen
# when they were queued), a branch's name and clock


async def registration(db: Database, registration_id: int) -> Registration | None:
    return await store.get(db, registration_id)


async def change(db: Database, change_id: int) -> Change | None:
    return await store.get_change(db, change_id)


async def branch_name(db: Database, branch_id: int) -> str:
    branch = await branches.get(db, branch_id)
    if branch is None:
        raise NotFound("branch_unknown", branch=branch_id)
    return branch.name
