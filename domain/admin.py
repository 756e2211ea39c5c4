"""Operator actions behind the `partybot` command line."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import aiosqlite

from domain import notices, onboarding, outbox
from domain.errors import Conflict, InvalidInput, NotFound
from domain.models import Branch, Person, PersonStatus, Role
from domain.unit_of_work import unit_of_work
from domain.validation import NAME_MAX, clean_text
from storage import branches, join_requests, people
from storage.db import Database

HANDOVER_TEMPLATE = "secretary.handover"


async def add_branch(db: Database, name: str, district: str | None = None) -> Branch:
    name = clean_text(name)
    if not name:
        raise InvalidInput("branch_name_empty")
    async with unit_of_work(db, None) as work:
        conn = work.conn
        district_id = (
            await branches.get_or_create_district(conn, clean_text(district)) if district else None
        )
        code = await branches.next_code(conn)
        try:
            branch_id = await branches.create(conn, name=name, code=code, district_id=district_id)
        except sqlite3.IntegrityError:
            raise Conflict("branch_exists", name=name) from None
        work.branch_id = branch_id
        await work.audit("branch.created", "branch", branch_id, name=name, district=district)
    branch = await branches.get(db, branch_id)
    assert branch is not None
    return branch


def _name(name: str | None) -> str | None:
    cleaned = clean_text(name or "").replace("\n", " ")[:NAME_MAX]
    return cleaned or None


async def _existing_branch(db: Database, branch_id: int) -> Branch:
    branch = await branches.get(db, branch_id)
    if branch is None:
        raise NotFound("branch_unknown", branch=branch_id)
    return branch


async def _grant_secretary(
    conn: aiosqlite.Connection, branch_id: int, telegram_id: int, name: str | None
) -> tuple[int, bool]:
    """(person id, whether the role is new): the person is created when unknown, named when
    nameless. A secretary becomes no member by it: the roster decides that."""
    if telegram_id <= 0:
        raise InvalidInput("telegram_id_invalid")
    person = await people.by_telegram_id_for_update(conn, telegram_id)
    if person is None:
        person_id = await people.insert(
            conn, telegram_id=telegram_id, branch_id=branch_id, name=name
        )
    else:
        person_id = person.id
        if person.status is not PersonStatus.ACTIVE:
            await people.update(conn, person_id, status=PersonStatus.ACTIVE)
        if person.branch_id is None:
            await people.update(conn, person_id, branch_id=branch_id)
        if name and not person.name:
            await people.update(conn, person_id, name=name)
    return person_id, await people.grant_role(conn, person_id, branch_id, Role.SECRETARY)


async def add_secretary(
    db: Database, branch_id: int, telegram_id: int, name: str | None = None
) -> Person:
    """Make a Telegram account a secretary of a branch, creating its person if needed."""
    await _existing_branch(db, branch_id)
    async with unit_of_work(db, None, branch_id=branch_id) as work:
        person_id, granted = await _grant_secretary(work.conn, branch_id, telegram_id, _name(name))
        if granted:
            await work.audit("secretary.granted", "person", person_id)
    result = await people.get(db, person_id)
    assert result is not None
    return result


@dataclass(frozen=True)
class Secretary:
    branch: Branch
    person: Person


async def list_secretaries(db: Database, branch_id: int | None = None) -> list[Secretary]:
    if branch_id is not None:
        chosen = [await _existing_branch(db, branch_id)]
    else:
        chosen = await branches.all_branches(db)
    return [Secretary(b, p) for b in chosen for p in await people.secretaries(db, b.id)]


async def _secretary_of(conn: aiosqlite.Connection, branch_id: int, telegram_id: int) -> Person:
    person = await people.by_telegram_id_for_update(conn, telegram_id)
    if person is None or not await people.has_role_in(conn, person.id, branch_id, Role.SECRETARY):
        raise NotFound("not_secretary", telegram_id=telegram_id, branch=branch_id)
    return person


async def remove_secretary(db: Database, branch_id: int, telegram_id: int) -> Person:
    """The account stops being secretary of the branch at once; never the branch's last."""
    await _existing_branch(db, branch_id)
    async with unit_of_work(db, None, branch_id=branch_id) as work:
        person = await _secretary_of(work.conn, branch_id, telegram_id)
        if await people.secretary_count(work.conn, branch_id) <= 1:
            raise Conflict("last_secretary", branch=branch_id)
        await people.revoke_role(work.conn, person.id, branch_id, Role.SECRETARY)
        await work.audit("secretary.removed", "person", person.id)
    return person


async def replace_secretary(
    db: Database, branch_id: int, old_telegram_id: int, new_telegram_id: int
) -> Person:
    """The new account becomes secretary and is handed what waits for a decision (the
    applications again, with their buttons, and a pointer to /pending); the old account
    loses the role in the same transaction, so its buttons are refused from then on."""
    branch = await _existing_branch(db, branch_id)
    if old_telegram_id == new_telegram_id:
        raise InvalidInput("same_account")
    async with unit_of_work(db, None, branch_id=branch_id) as work:
        old = await _secretary_of(work.conn, branch_id, old_telegram_id)
        new_id, _ = await _grant_secretary(work.conn, branch_id, new_telegram_id, old.name)
        await people.revoke_role(work.conn, old.id, branch_id, Role.SECRETARY)
        await work.audit("secretary.replaced", "person", new_id, replaced=old.id)
        await _hand_over(work.conn, db, branch, new_id, new_telegram_id)
    result = await people.get(db, new_id)
    assert result is not None
    return result


async def _hand_over(
    conn: aiosqlite.Connection, db: Database, branch: Branch, new_id: int, chat_id: int
) -> None:
    waiting = await join_requests.pending_in_branch(db, branch.id)
    for request in waiting:
        applicant = await people.get(db, request.person_id)
        assert applicant is not None
        await notices.to_person(
            conn,
            chat_id,
            f"join-request:{request.id}:{new_id}",
            branch_id=branch.id,
            **await onboarding.request_card(db, request, applicant, branch),
        )
    await notices.to_person(
        conn,
        chat_id,
        f"secretary-handover:{branch.id}:{new_id}",
        template=HANDOVER_TEMPLATE,
        params={"branch": branch.name, "telegram_id": chat_id},
        branch_id=branch.id,
        kind=outbox.Kind.URGENT,
    )
