"""One write path: a change someone makes, in one transaction with its audit entry and the
notifications it owes.

    @effect
    async def approve(db: Database, actor: Actor, record_id: int) -> HourRecord:
        async with unit_of_work(db, actor) as work:
            record = await store.get_for_update(work.conn, record_id)
            work.require(Role.SECRETARY, record.branch_id)
            await store.set_status(work.conn, record.id, HourStatus.VERIFIED)
            await work.audit("hours.approved", "hour_record", record.id)
            await work.tell_secretaries(f"hours-decided:{record.id}", template=...)

The role is checked on the server, against the branch the record belongs to (never one a
button named); the audit entry names who acted and in which branch; a notification is
queued in the same transaction, so it is sent (once, by bot/sender.py) exactly when the
change is committed. An `@effect` around the function keeps a crash from doing it twice.

A step that runs inside someone else's change (hours credited by a check-out, a waiting
list moving up when a place comes free) joins the caller's transaction with
`UnitOfWork.joining(conn, ...)`; `by` names who acts where there is no `Actor` (an
applicant who is not a member yet, a secretary's id handed down), None for nobody.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiosqlite

from domain import notices
from domain.access import ANY_BRANCH, Actor, Where, require
from domain.errors import NotAllowed
from domain.models import Person, Role
from storage import audit
from storage.db import Database


@dataclass
class UnitOfWork:
    db: Database
    conn: aiosqlite.Connection
    #: None for the operator's command line, which acts as no person.
    actor: Actor | None
    #: Who acts once `require` passed (or the actor's own person), and in which branch.
    person: Person | None = None
    branch_id: int | None = None
    #: The person id the audit names when no `person` acts (see the module's docstring).
    by: int | None = None

    @classmethod
    def joining(
        cls,
        conn: aiosqlite.Connection,
        db: Database | None = None,
        *,
        by: int | None = None,
        branch_id: int | None = None,
    ) -> UnitOfWork:
        """Work inside the caller's open transaction; `db` only to tell secretaries."""
        return cls(db, conn, None, None, branch_id, by)  # type: ignore[arg-type]

    def require(self, role: Role, branch_id: Where = ANY_BRANCH) -> Person:
        """The acting person if they hold `role` in `branch_id` (NotAllowed otherwise; None,
        a target of no branch, always); the audit entries and the secretaries' notices of
        this work are then that branch's."""
        if self.actor is None:
            raise NotAllowed("not_allowed")
        self.person = require(self.actor, role, branch_id)
        if isinstance(branch_id, int):
            self.branch_id = branch_id
        return self.person

    async def audit(
        self, action: str, subject_type: str, subject_id: int | None, **details: Any
    ) -> None:
        await audit.record(
            self.conn,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            actor_id=self.person.id if self.person else self.by,
            branch_id=self.branch_id,
            **details,
        )

    async def tell(self, chat_id: int | None, key: str, **message: Any) -> int:
        """Queue a notification for one chat; 1 if queued (0 without a chat)."""
        message.setdefault("branch_id", self.branch_id)
        return await notices.to_person(self.conn, chat_id, key, **message)

    async def tell_secretaries(self, key: str, *, skip: int | None = None, **message: Any) -> int:
        """One copy per secretary of this work's branch but `skip` (a person id)."""
        if self.branch_id is None or self.db is None:
            raise ValueError("tell_secretaries needs the branch (require() it) and the database")
        return await notices.to_secretaries(
            self.conn, self.db, self.branch_id, key, skip=skip, **message
        )


@asynccontextmanager
async def unit_of_work(
    db: Database,
    actor: Actor | None,
    *,
    role: Role | None = None,
    branch_id: int | None = None,
    by: int | None = None,
) -> AsyncIterator[UnitOfWork]:
    """A transaction for one change by `actor` (or, without one, by the person id `by`);
    with `role`, checked before it opens."""
    person = actor.person if actor else None
    work = UnitOfWork(db, None, actor, person, branch_id, by)  # type: ignore[arg-type]
    if role is not None:
        work.require(role, branch_id)
    async with db.transaction() as conn:
        work.conn = conn
        yield work
