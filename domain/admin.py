"""Operator actions behind the `partybot` command line."""

from __future__ import annotations

import sqlite3

from domain.errors import Conflict, InvalidInput, NotFound
from domain.models import Branch, Person, PersonStatus, Role
from domain.validation import clean_text
from storage import audit, branches, people
from storage.db import Database


async def add_branch(db: Database, name: str, district: str | None = None) -> Branch:
    name = clean_text(name)
    if not name:
        raise InvalidInput("branch_name_empty")
    async with db.transaction() as conn:
        district_id = (
            await branches.get_or_create_district(conn, clean_text(district)) if district else None
        )
        code = await branches.next_code(conn)
        try:
            branch_id = await branches.create(conn, name=name, code=code, district_id=district_id)
        except sqlite3.IntegrityError:
            raise Conflict("branch_exists", name=name) from None
        await audit.record(
            conn,
            action="branch.created",
            subject_type="branch",
            subject_id=branch_id,
            branch_id=branch_id,
            name=name,
            district=district,
        )
    branch = await branches.get(db, branch_id)
    assert branch is not None
    return branch


async def add_secretary(db: Database, branch_id: int, telegram_id: int) -> Person:
    """Make a Telegram account secretary of a branch, creating its person if needed."""
    if telegram_id <= 0:
        raise InvalidInput("telegram_id_invalid")
    if await branches.get(db, branch_id) is None:
        raise NotFound("branch_unknown", branch=branch_id)
    async with db.transaction() as conn:
        person = await people.by_telegram_id_for_update(conn, telegram_id)
        if person is None:
            person_id = await people.insert(
                conn,
                telegram_id=telegram_id,
                branch_id=branch_id,
                name=None,
                phone=None,
                category=None,
                status=PersonStatus.ACTIVE,
            )
        else:
            person_id = person.id
            if person.status is not PersonStatus.ACTIVE:
                await people.update(conn, person_id, status=PersonStatus.ACTIVE)
        granted = await people.grant_role(conn, person_id, branch_id, Role.SECRETARY)
        if granted:
            await audit.record(
                conn,
                action="secretary.granted",
                subject_type="person",
                subject_id=person_id,
                branch_id=branch_id,
            )
    result = await people.get(db, person_id)
    assert result is not None
    return result
