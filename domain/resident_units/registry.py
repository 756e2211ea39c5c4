"""The resident units of a branch's community: registered and edited by the branch's
secretary, and the invitation of a unit's contact (role resident_unit, never a member)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from domain import onboarding
from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict, NotAllowed, NotFound
from domain.models import Invite, InviteRole, Person, Role
from domain.resident_units.models import (
    Offer,
    ResidentUnit,
    UnitKind,
    contact_name,
    unit_name,
)
from domain.unit_of_work import unit_of_work
from domain.validation import mainland_phone
from storage import resident_units as store
from storage.db import Database


@dataclass(frozen=True)
class UnitDraft:
    """What the secretary typed and chose; checked again by `register` and `edit`."""

    name: str
    kind: UnitKind
    contact_name: str | None = None
    contact_phone: str | None = None
    offers: tuple[Offer, ...] = ()


def checked(draft: UnitDraft) -> UnitDraft:
    return UnitDraft(
        name=unit_name(draft.name),
        kind=UnitKind(draft.kind),
        contact_name=contact_name(draft.contact_name) if draft.contact_name else None,
        contact_phone=mainland_phone(draft.contact_phone) if draft.contact_phone else None,
        offers=tuple(Offer(o) for o in draft.offers),
    )


async def units_of(db: Database, actor: Actor, branch_id: int) -> list[ResidentUnit]:
    """The branch's units, for its secretary only."""
    if not actor.has(Role.SECRETARY, branch_id):
        raise NotAllowed("not_allowed")
    return await store.of_branch(db, branch_id)


async def unit_for_secretary(db: Database, actor: Actor, unit_id: int) -> ResidentUnit:
    """A unit its branch's secretary asks for; another branch's secretary is refused."""
    unit = await store.get(db, unit_id)
    if unit is None:
        raise NotFound("resident_unit_unknown")
    if not actor.has(Role.SECRETARY, unit.branch_id):
        raise NotAllowed("not_allowed")
    return unit


async def contact_units(db: Database, actor: Actor) -> list[ResidentUnit]:
    """The units the actor speaks for; none for anyone else (a departed contact included)."""
    if not actor.active or not actor.has(Role.RESIDENT_UNIT):
        return []
    assert actor.person is not None
    found = []
    for unit_id in await store.units_of_contact(db, actor.person.id):
        unit = await store.get(db, unit_id)
        if unit is not None and actor.has(Role.RESIDENT_UNIT, unit.branch_id):
            found.append(unit)
    return found


async def unit_for_contact(db: Database, actor: Actor, unit_id: int) -> ResidentUnit:
    """One of the actor's own units; any other is refused, whatever a button said."""
    for unit in await contact_units(db, actor):
        if unit.id == unit_id:
            return unit
    raise NotAllowed("not_resident_contact")


@effect
async def register(db: Database, actor: Actor, branch_id: int, draft: UnitDraft) -> ResidentUnit:
    draft = checked(draft)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        try:
            unit_id = await store.create(
                work.conn,
                branch_id=branch_id,
                name=draft.name,
                kind=draft.kind,
                contact_name=draft.contact_name,
                contact_phone=draft.contact_phone,
                offers=draft.offers,
                created_by=work.person.id if work.person else None,
            )
        except sqlite3.IntegrityError:
            raise Conflict("resident_unit_exists", name=draft.name) from None
        await work.audit(
            "resident_unit.registered",
            "resident_unit",
            unit_id,
            name=draft.name,
            kind=str(draft.kind),
            offers=[str(o) for o in draft.offers],
        )
        unit = await store.get(work.conn, unit_id)
    assert unit is not None
    return unit


@effect
async def edit(db: Database, actor: Actor, unit_id: int, draft: UnitDraft) -> ResidentUnit:
    draft = checked(draft)
    async with unit_of_work(db, actor) as work:
        unit = await store.get(work.conn, unit_id)
        if unit is None:
            raise NotFound("resident_unit_unknown")
        work.require(Role.SECRETARY, unit.branch_id)
        try:
            await store.update(
                work.conn,
                unit_id,
                name=draft.name,
                kind=draft.kind,
                contact_name=draft.contact_name,
                contact_phone=draft.contact_phone,
                offers=draft.offers,
            )
        except sqlite3.IntegrityError:
            raise Conflict("resident_unit_exists", name=draft.name) from None
        changed = [
            field
            for field in ("name", "kind", "contact_name", "contact_phone", "offers")
            if getattr(unit, field) != getattr(draft, field)
        ]
        await work.audit("resident_unit.edited", "resident_unit", unit_id, changed=changed)
        edited = await store.get(work.conn, unit_id)
    assert edited is not None
    return edited


@effect
async def invite_contact(db: Database, actor: Actor | None, unit_id: int) -> Invite:
    """An invitation for the unit's contact, approved by the secretary of the unit's
    branch; `actor` None is the operator at the command line."""
    unit = await store.get(db, unit_id)
    if unit is None:
        raise NotFound("resident_unit_unknown")
    async with unit_of_work(db, actor, branch_id=unit.branch_id) as work:
        if actor is not None:
            work.require(Role.SECRETARY, unit.branch_id)
        invite = await onboarding.create_invite(
            db,
            branch_id=unit.branch_id,
            role=InviteRole.RESIDENT_UNIT,
            created_by=work.person.id if work.person else None,
        )
        await store.link_invite(work.conn, invite.id, unit.id)
        await work.audit("resident_unit.invited", "resident_unit", unit.id, invite=invite.id)
    return invite


async def invited_unit(db: Database, invite_id: int) -> ResidentUnit | None:
    """The unit an invitation is for: the join request's card names it."""
    unit_id = await store.unit_of_invite(db, invite_id)
    return await store.get(db, unit_id) if unit_id is not None else None


def preview(draft: UnitDraft, branch_id: int) -> ResidentUnit:
    """The draft as the unit it would become, for the review screen."""
    return ResidentUnit(
        0,
        branch_id,
        draft.name,
        UnitKind(draft.kind),
        draft.contact_name,
        draft.contact_phone,
        tuple(Offer(o) for o in draft.offers),
    )


async def contacts_of(db: Database, actor: Actor, unit_id: int) -> list[Person]:
    """Who speaks for the unit in the chat, for its branch's secretary."""
    await unit_for_secretary(db, actor, unit_id)
    return await store.contacts(db, unit_id)


async def get(db: Database, unit_id: int) -> ResidentUnit | None:
    """A unit by its id, for the operator's command line (no role to check there)."""
    return await store.get(db, unit_id)
