"""A person's development file: who may read it, starting one, recording its steps, the
培养联系人 and the 考察 notes. Every write is an @effect in one unit of work, audited;
the audit entries name the file and the step, never a note's text or a vote."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from domain import mydata, validation
from domain.access import Actor
from domain.development.rules import (
    STEP,
    FileState,
    Notice,
    Stage,
    check_day,
)
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.models import Category, Invite, InviteRole, PersonStatus, Role
from domain.onboarding import new_code
from domain.unit_of_work import unit_of_work
from storage import development as store
from storage import invites, people
from storage.db import Database, Reader, utcnow

DETAIL_MAX = 200
INVITE_DAYS = 30
# What a recorded step tells the person (rendered by handlers/development/messages.py).
STEP_TEMPLATE = "development.step"
REVIEW_TEMPLATE = "development.review-due"


@dataclass(frozen=True)
class NoticeView:
    id: int
    stage: Stage
    starts_on: date
    ends_on: date
    contact: str
    outcome: str | None
    opinions: int


@dataclass(frozen=True)
class File:
    id: int
    person_id: int
    branch_id: int
    name: str
    telegram_id: int | None
    stage: Stage
    closed: bool
    days: dict[str, date] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    introducers: list[tuple[int, str, int | None]] = field(default_factory=list)
    reviews: list[tuple[date, str, str]] = field(default_factory=list)  # day, text, writer
    notices: list[NoticeView] = field(default_factory=list)

    @property
    def state(self) -> FileState:
        return FileState(
            self.days,
            tuple(day for day, _, _ in self.reviews),
            len(self.introducers),
            tuple(
                Notice(
                    n.stage,
                    n.starts_on,
                    n.ends_on,
                    None if n.outcome is None else n.outcome == "passed",
                )
                for n in self.notices
                if n.outcome != "withdrawn"
            ),
        )

    def introduced_by(self, person_id: int) -> bool:
        return any(i == person_id for i, _, _ in self.introducers)


async def load(source: Reader, file_id: int) -> File | None:
    row = await store.file(source, file_id)
    if row is None:
        return None
    steps = await store.steps(source, file_id)
    return File(
        row["id"],
        row["person_id"],
        row["branch_id"],
        row["name"] or f"#{row['person_id']}",
        row["telegram_id"],
        Stage(row["stage"]),
        row["closed_at"] is not None,
        {s["step"]: date.fromisoformat(s["day"]) for s in steps},
        {s["step"]: s["detail"] for s in steps if s["detail"]},
        [
            (i["id"], i["name"] or f"#{i['id']}", i["telegram_id"])
            for i in await store.introducers(source, file_id)
        ],
        [
            (date.fromisoformat(r["day"]), r["text"], r["writer"] or "")
            for r in await store.reviews(source, file_id)
        ],
        [
            NoticeView(
                n["id"],
                Stage(n["stage"]),
                date.fromisoformat(n["starts_on"]),
                date.fromisoformat(n["ends_on"]),
                n["contact"],
                n["outcome"],
                n["opinions"],
            )
            for n in await store.notices(source, file_id)
        ],
    )


async def existing(source: Reader, file_id: int) -> File:
    found = await load(source, file_id)
    if found is None or found.closed:
        raise NotFound("dev_file_unknown")
    return found


def is_secretary_of(actor: Actor, found: File) -> bool:
    return actor.has(Role.SECRETARY, found.branch_id)


async def readable(db: Database, actor: Actor, file_id: int) -> File:
    """The file, for its branch's secretary, the person and their 培养联系人; the same
    refusal for everyone else as for a file that does not exist."""
    found = await load(db, file_id)
    me = actor.person
    if found is None or me is None or not actor.active:
        raise NotFound("dev_file_unknown")
    if is_secretary_of(actor, found) or me.id == found.person_id or found.introduced_by(me.id):
        return found
    raise NotFound("dev_file_unknown")


async def own_and_introduced(db: Database, actor: Actor) -> tuple[File | None, list[File]]:
    """The actor's own file, and the files they are 培养联系人 of."""
    if actor.person is None or not actor.active:
        return None, []
    own = await store.file_of(db, actor.person.id)
    mine = await load(db, own["id"]) if own else None
    others = [
        await load(db, row["id"]) for row in await store.files_introduced_by(db, actor.person.id)
    ]
    return mine, [f for f in others if f is not None]


async def branch_files(db: Database, actor: Actor, branch_id: int) -> list[File]:
    if not actor.has(Role.SECRETARY, branch_id):
        raise NotAllowed("not_allowed")
    found = [await load(db, row["id"]) for row in await store.open_files(db, branch_id)]
    return [f for f in found if f is not None]


async def activists_without_file(db: Database, actor: Actor, branch_id: int) -> list[dict]:
    if not actor.has(Role.SECRETARY, branch_id):
        raise NotAllowed("not_allowed")
    return await store.activists_without_file(db, branch_id)


@dataclass(frozen=True)
class Started:
    file: File
    invite_code: str | None  # for a new applicant: the link that connects their account


@effect
async def start_applicant(
    db: Database, actor: Actor, branch_id: int, name: str, applied_on: date, today: date
) -> Started:
    """A new 入党申请人 known to the branch: a person of the branch without any role (not
    a member), the file at its first step, and a personal invitation for their account."""
    name = validation.person_name(name)
    if applied_on > today:
        raise InvalidInput("dev_day_future")
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        now = utcnow()
        # Active, without phone or category: known to the branch, not yet a member.
        person_id = await people.insert(work.conn, telegram_id=None, branch_id=branch_id, name=name)
        file_id = await store.create_file(
            work.conn, person_id, branch_id, Stage.APPLICANT, work.person.id, now
        )
        await store.record_step(
            work.conn, file_id, "applied", applied_on, None, work.person.id, now
        )
        code = new_code()
        expires_at = now + timedelta(days=INVITE_DAYS)
        personal = Invite(0, code, branch_id, InviteRole.MEMBER, 1, expires_at, person_id=person_id)
        await invites.create(work.conn, personal, work.person.id)
        await work.audit("development.started", "development_file", file_id, stage="applicant")
        started = await load(work.conn, file_id)
    assert started is not None
    return Started(started, code)


async def activist_to_start(db: Database, actor: Actor, person_id: int) -> None:
    """The checks of `start_activist` that need no day, so the question is not asked for
    nothing."""
    person = await people.get(db, person_id)
    if person is None or person.branch_id is None:
        raise NotFound("dev_file_unknown")
    if not actor.has(Role.SECRETARY, person.branch_id):
        raise NotAllowed("not_allowed")
    if person.status is not PersonStatus.ACTIVE or person.category is not Category.ACTIVIST:
        raise InvalidInput("dev_not_activist")
    if await store.file_of(db, person.id) is not None:
        raise Conflict("dev_file_exists")


@effect
async def start_activist(
    db: Database, actor: Actor, person_id: int, decided_on: date, today: date
) -> Started:
    """The file of someone the branch already has as 入党积极分子, from that stage."""
    if decided_on > today:
        raise InvalidInput("dev_day_future")
    async with unit_of_work(db, actor) as work:
        person = await people.get_for_update(work.conn, person_id)
        if person is None or person.branch_id is None:
            raise NotFound("dev_file_unknown")
        work.require(Role.SECRETARY, person.branch_id)
        if person.status is not PersonStatus.ACTIVE or person.category is not Category.ACTIVIST:
            raise InvalidInput("dev_not_activist")
        if await store.file_of(work.conn, person.id) is not None:
            raise Conflict("dev_file_exists")
        now = utcnow()
        file_id = await store.create_file(
            work.conn, person.id, person.branch_id, Stage.ACTIVIST, work.person.id, now
        )
        await store.record_step(
            work.conn, file_id, "activist", decided_on, None, work.person.id, now
        )
        await work.audit("development.started", "development_file", file_id, stage="activist")
        started = await load(work.conn, file_id)
    assert started is not None
    return Started(started, None)


def check_detail(text: str) -> str:
    value = " ".join((text or "").split())
    if not value:
        raise InvalidInput("dev_detail_empty")
    if len(value) > DETAIL_MAX:
        raise InvalidInput("dev_detail_long", max=DETAIL_MAX)
    return value


def check_step(found: File, key: str, day: date, today: date) -> None:
    """The checks of `record_step`, for the conversation to refuse a day at once."""
    if key not in STEP:
        raise InvalidInput("invalid")
    check_day(found.state, key, day, today)


@effect
async def record_step(
    db: Database,
    actor: Actor,
    file_id: int,
    key: str,
    day: date,
    detail: str | None,
    today: date,
) -> File:
    """A secretary of the file's branch records a step done on `day`; a stage's first
    step moves the file on. Admission (预备党员) makes the person a member of the branch."""
    async with unit_of_work(db, actor) as work:
        found = await existing(work.conn, file_id)
        work.require(Role.SECRETARY, found.branch_id)
        check_step(found, key, day, today)
        step = STEP[key]
        detail = check_detail(detail or "") if step.detail is not None else None
        now = utcnow()
        if not await store.record_step(work.conn, file_id, key, day, detail, work.person.id, now):
            raise Conflict("dev_step_done", step=step.label)
        if step.entry:
            await store.set_stage(work.conn, file_id, step.stage)
            if step.stage is Stage.PROBATIONARY:
                await _becomes_member(work.conn, found, work.person.id)
        await work.audit(
            "development.step", "development_file", file_id, step=key, day=day.isoformat()
        )
        await work.tell(
            found.telegram_id,
            f"dev-step:{file_id}:{key}",
            template=STEP_TEMPLATE,
            params={"file": file_id, "step": key},
        )
        recorded = await load(work.conn, file_id)
    assert recorded is not None
    return recorded


async def _becomes_member(conn, found: File, by: int | None) -> None:
    """A 预备党员 is a party member of the branch: the member role, and no longer counted as
    an activist."""
    await people.grant_role(conn, found.person_id, found.branch_id, Role.MEMBER, by)
    person = await people.get_for_update(conn, found.person_id)
    if person is not None and person.category in (None, Category.ACTIVIST):
        await people.update(conn, found.person_id, category=Category.RESIDENT)


@mydata.provider("development")
async def _own(db: Database, telegram_id: int, person) -> dict | None:
    """The person's own file (steps, notes, notices, its audit entries) and how many
    opinions they sent; nothing of the files they cultivate or gave an opinion on."""
    if person is None:
        return None
    own = await store.of_person(db, person.id)
    sent = await store.opinions_sent(db, person.id)
    if own is None and not sent:
        return None
    return {
        "file": own,
        "opinions_sent": sent,
        "audit_log": await store.audit_of_own(db, person.id),
    }
