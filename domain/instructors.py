"""Party-building instructors (党建工作指导员, policy 二(三)4): the district assigns one to
branches of its district; the instructor reads each branch's console as its secretary
would, without anyone's contact details, and writes a note each month that reaches the
district. An instructor holds the 'instructor' role in the branch: a contact of it, never
a member, and none of the secretary's rights."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain import digest, districts, notices, onboarding
from domain.access import Actor
from domain.assessment.common import district_branches, require_district
from domain.assessment.figures import year_figures
from domain.assessment.models import YearFigures
from domain.effects import effect
from domain.errors import Conflict, NotAllowed
from domain.instructor_models import Note
from domain.models import Branch, Invite, InviteRole, Role
from domain.unit_of_work import unit_of_work
from domain.validation import free_text
from storage import branches, people
from storage import districts as district_store
from storage import instructors as store
from storage.db import Database, utcnow

NOTE_TEMPLATE = "instructor.note"
REMINDER_TEMPLATE = "instructor.reminder"
ASSIGNED_TEMPLATE = "instructor.assigned"
NOTE_MAX = 1000
# What of the secretary's digest an instructor reads: the waiting work, what is overdue,
# the cadres' registrations (names only) and the coming events. Not who cannot be reached
# by the bot, nor anything with a phone or an address.
CONSOLE_KEYS = (
    "waiting",
    "pending",
    "reports_overdue",
    "expiring",
    "unconfirmed",
    "unregistered",
    "events",
)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def note_text(value: str, code: str, shortest: int = 2) -> str:
    """`shortest` 1 for the problems found: "无" (none) is an answer."""
    return free_text(value, code, NOTE_MAX, shortest)


def _instructor(actor: Actor, branch_id: int):
    if not actor.has(Role.INSTRUCTOR, branch_id):
        raise NotAllowed("not_instructor")
    return actor.person


async def guided_branches(db: Database, actor: Actor) -> list[Branch]:
    found = []
    for branch_id in actor.branches_where(Role.INSTRUCTOR):
        branch = await branches.get(db, branch_id)
        if branch is not None:
            found.append(branch)
    return found


@dataclass(frozen=True)
class Console:
    branch: Branch
    figures: YearFigures
    digest: dict  # CONSOLE_KEYS of domain.digest.contents
    note_filed: bool


async def console(
    db: Database, actor: Actor, branch_id: int, now: datetime, tz: ZoneInfo
) -> Console:
    """A guided branch's console, read-only, for its instructor."""
    me = _instructor(actor, branch_id)
    branch = await branches.get(db, branch_id)
    assert branch is not None
    today = now.astimezone(tz).date()
    seen = await digest.contents(db, branch_id, now, tz)
    return Console(
        branch,
        await year_figures(db, branch_id, today.year),
        {key: seen[key] for key in CONSOLE_KEYS},
        await store.note_of(db, branch_id, me.id, month_of(today)) is not None,
    )


@effect
async def file_note(
    db: Database, actor: Actor, branch_id: int, month: str, guided: str, problems: str
) -> Note:
    """One note a month and branch; it is told to each contact of the branch's district."""
    guided = note_text(guided, "note_guided")
    problems = note_text(problems, "note_problems", 1)
    me = _instructor(actor, branch_id)
    branch = await branches.get(db, branch_id)
    assert branch is not None
    district_id = await districts.district_of_branch(db, branch_id)
    async with unit_of_work(db, actor, branch_id=branch_id) as work:
        contacts = await district_store.contacts_in(work.conn, district_id) if district_id else []
        note_id = await store.insert_note(
            work.conn, branch_id, me.id, month, guided, problems, utcnow()
        )
        if note_id is None:
            raise Conflict("note_already_filed")
        await work.audit("instructor.note_filed", "instructor_note", note_id, month=month)
        params = {
            "branch": branch.name,
            "instructor": me.display_name,
            "month": month,
            "guided": guided,
            "problems": problems,
        }
        for person_id, chat_id in contacts:
            await work.tell(
                chat_id,
                f"instructor-note:{note_id}:{person_id}",
                template=NOTE_TEMPLATE,
                params=params,
            )
        note = await store.note_of(work.conn, branch_id, me.id, month)
    assert note is not None
    return note


@dataclass(frozen=True)
class Guided:
    """A branch of the district and who guides it."""

    branch: Branch
    instructors: list[tuple[int, str]]  # (person id, name)
    # Who of them filed the note of the month asked about.
    filed: frozenset[int] = frozenset()


async def overview(db: Database, actor: Actor, month: str | None = None) -> list[Guided]:
    """The district's branches and their instructors (with `month`, who filed its note);
    refused to anyone but its contacts."""
    found = await district_branches(db, actor)
    if not actor.districts_where(Role.DISTRICT):
        raise NotAllowed("district_only")
    ids = [b.id for b in found]
    assigned = await store.instructors_of(db, ids)
    notes = await store.notes_of_branches(db, ids, month) if month else []
    return [
        Guided(
            b,
            [(pid, name) for bid, pid, name in assigned if bid == b.id],
            frozenset(n.person_id for n in notes if n.branch_id == b.id),
        )
        for b in found
    ]


async def pool(db: Database, actor: Actor) -> list[tuple[int, str]]:
    """The instructors the district may assign: those already guiding one of its branches
    (an instructor joins with an invitation to a first branch)."""
    seen: dict[int, str] = {}
    for guided in await overview(db, actor):
        for person_id, name in guided.instructors:
            seen.setdefault(person_id, name)
    return sorted(seen.items(), key=lambda item: (item[1], item[0]))


async def _district_instructor(db: Database, actor: Actor, person_id: int) -> None:
    if person_id not in {pid for pid, _name in await pool(db, actor)}:
        raise NotAllowed("district_only")


@effect
async def assign(db: Database, actor: Actor, person_id: int, branch_id: int) -> bool:
    """False when they guide the branch already."""
    branch = await require_district(db, actor, branch_id)
    await _district_instructor(db, actor, person_id)
    chat_id = await store.telegram_of(db, person_id)
    async with unit_of_work(db, actor, branch_id=branch_id) as work:
        granted = await people.grant_role(
            work.conn, person_id, branch_id, Role.INSTRUCTOR, actor.person.id
        )
        if granted:
            await work.audit("instructor.assigned", "person", person_id)
            await work.tell(
                chat_id,
                f"instructor-assigned:{branch_id}:{person_id}:{utcnow().isoformat()}",
                template=ASSIGNED_TEMPLATE,
                params={"branch": branch.name},
            )
    return granted


async def invite(db: Database, actor: Actor, branch_id: int) -> Invite:
    """An invitation for a new instructor of the branch; the district approves them."""
    await require_district(db, actor, branch_id)
    return await onboarding.create_invite(
        db, branch_id=branch_id, role=InviteRole.INSTRUCTOR, created_by=actor.person.id
    )


@effect
async def unassign(db: Database, actor: Actor, person_id: int, branch_id: int) -> bool:
    await require_district(db, actor, branch_id)
    async with unit_of_work(db, actor, branch_id=branch_id) as work:
        removed = await people.revoke_role(work.conn, person_id, branch_id, Role.INSTRUCTOR)
        if removed:
            await work.audit("instructor.unassigned", "person", person_id)
    return removed


async def remind_notes(db: Database, branch_id: int, now: datetime, tz: ZoneInfo) -> int:
    """Job: each instructor of the branch without this month's note is reminded, once a
    month (the key names it), in working time (the outbox's normal kind)."""
    month = month_of(now.astimezone(tz).date())
    missing = await store.without_note(db, branch_id, month)
    if not missing:
        return 0
    branch = await branches.get(db, branch_id)
    queued = 0
    async with db.transaction() as conn:
        for person_id, chat_id in missing:
            queued += await notices.to_person(
                conn,
                chat_id,
                f"instructor-note-due:{branch_id}:{person_id}:{month}",
                template=REMINDER_TEMPLATE,
                params={"branch": branch.name, "month": month},
                branch_id=branch_id,
                not_before=now,
            )
    return queued
