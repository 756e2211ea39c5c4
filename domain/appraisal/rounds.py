"""The year's round: the secretary opens it, moves it through its stages in order and closes
it; what each stage allows is checked here, for every action, on the server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.access import Actor, require
from domain.appraisal.models import (
    Grade,
    Participant,
    Progress,
    Round,
    Stage,
    next_stage,
)
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.i18n import N_
from domain.models import Role
from domain.unit_of_work import unit_of_work
from domain.validation import clean_text, within
from storage import appraisal as store
from storage import appraisal_disposals as disposal_store
from storage.db import Database, Reader, utcnow

# What participants are told when a stage begins (a msgid; {year} filled at send time).
STAGE_NEWS = {
    Stage.STUDY: N_(
        "The democratic appraisal of members for {year} has begun with study and mobilisation."
        " Send /appraisal to see what comes next."
    ),
    Stage.SUMMARY: N_(
        "Democratic appraisal {year}: please write your personal summary (self-assessment)."
        " Send /appraisal to write it; you may revise it until this stage ends."
    ),
    Stage.RATING: N_(
        "Democratic appraisal {year}: the rating has begun. Send /appraisal to rate the other"
        " participants. Your ratings are secret: nobody, the secretary included, sees them."
    ),
    Stage.GRADING: N_(
        "Democratic appraisal {year}: the rating is over; the branch now sets the final grades."
    ),
    Stage.DISPOSAL: N_(
        "Democratic appraisal {year}: the branch has set your final grade. Send /appraisal to"
        " see it."
    ),
    Stage.CLOSED: N_("The democratic appraisal of members for {year} is closed."),
}


@dataclass(frozen=True)
class Opened:
    round: Round
    participants: int
    away: int


def written(text: str | None, longest: int) -> str:
    """What a person types in the appraisal (a summary, a comment, a follow-up), cleaned;
    refused when empty or longer than `longest`."""
    return within(
        clean_text(text or ""), 1, longest, "appraisal_text_empty", "appraisal_text_too_long"
    )


def in_stage(round_: Round, *stages: Stage) -> None:
    """The round allows this only in `stages`: any other press changes nothing."""
    if round_.stage not in stages:
        raise Conflict("appraisal_wrong_stage")


async def round_for_secretary(db: Reader, actor: Actor, round_id: int) -> Round:
    """The round, if `actor` is a secretary of its branch (never the branch a button named)."""
    found = await store.get_round(db, round_id)
    if found is None:
        raise NotFound("appraisal_no_round")
    require(actor, Role.SECRETARY, found.branch_id)
    return found


async def round_for_member(db: Reader, actor: Actor, round_id: int) -> tuple[Round, Participant]:
    """The round and the actor's place in it, if they are a member taking part."""
    found = await store.get_round(db, round_id)
    if found is None or not actor.member or found.branch_id != actor.person.branch_id:
        raise NotAllowed("appraisal_not_participant")
    me = await store.participant(db, round_id, actor.person.id)
    if me is None:
        raise NotAllowed("appraisal_not_participant")
    return found, me


async def current(db: Database, branch_id: int) -> Round | None:
    """The branch's latest round, open or closed."""
    return await store.latest_round(db, branch_id)


async def progress(db: Database, branch_id: int, year: int) -> Progress | None:
    """Where the branch's round of `year` stands, in numbers only: participants, how many
    submitted their summary, cast their ballot, were graded. Never who rated whom."""
    found = await store.round_of(db, branch_id, year)
    return await store.progress(db, found) if found else None


async def participants(db: Database, actor: Actor, round_id: int) -> list[Participant]:
    """The secretary's list: names, away or not, summary submitted, final grade."""
    await round_for_secretary(db, actor, round_id)
    return await store.participants(db, round_id)


def check_year(year: int, today: date) -> int:
    """A round appraises this year or the last (held early in the next, as branches do)."""
    if year not in (today.year - 1, today.year):
        raise InvalidInput("appraisal_year", last=today.year - 1, this=today.year)
    return year


async def preview(
    db: Database, actor: Actor, branch_id: int, year: int, today: date
) -> tuple[int, int]:
    """Before opening: how many would take part, and how many of them are away."""
    require(actor, Role.SECRETARY, branch_id)
    check_year(year, today)
    eligible = await store.eligible(db, branch_id)
    return len(eligible), sum(1 for _, outflow in eligible if outflow)


@effect
async def open_round(db: Database, actor: Actor, branch_id: int, year: int, today: date) -> Opened:
    """The year's round, with every active member of the branch taking part (contacts never:
    domain/access.py), a mobile member with where they went out to."""
    check_year(year, today)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        eligible = await store.eligible(work.conn, branch_id)
        now = utcnow()
        round_id = await store.create_round(
            work.conn,
            branch_id=branch_id,
            year=year,
            start=date(year, 1, 1),
            end=date(year, 12, 31),
            by=work.person.id,
            now=now,
            participants=eligible,
        )
        if round_id is None:
            raise Conflict("appraisal_exists", year=year)
        away = sum(1 for _, outflow in eligible if outflow)
        await work.audit(
            "appraisal.opened",
            "appraisal_round",
            round_id,
            year=year,
            participants=len(eligible),
            away=away,
        )
        opened = await store.get_round(work.conn, round_id)
        await _tell_participants(work, opened, Stage.STUDY)
    return Opened(opened, len(eligible), away)


async def _tell_participants(work, round_: Round, stage: Stage) -> None:
    for person in await store.participants(work.conn, round_.id):
        if person.person_id == work.person.id:
            continue
        await work.tell(
            person.telegram_id,
            f"appraisal-stage:{round_.id}:{stage}:{person.person_id}",
            text=STAGE_NEWS[stage],
            params={"year": round_.year},
        )


@effect
async def advance(db: Database, actor: Actor, round_id: int, seen: Stage) -> Round:
    """On to the next stage (from 处置, closed). `seen` is the stage the secretary looked at:
    a stale or repeated confirmation changes nothing."""
    round_ = await round_for_secretary(db, actor, round_id)
    if round_.stage is not seen:
        raise Conflict("appraisal_stage_changed")
    target = next_stage(seen)
    if target is None:
        raise Conflict("appraisal_wrong_stage")
    # One who left the branch during the round is neither graded nor disposed of.
    everyone = [p for p in await store.participants(db, round_id) if p.active]
    if seen is Stage.GRADING:
        missing = sum(1 for p in everyone if p.grade is None)
        if missing:
            raise Conflict("appraisal_not_all_graded", n=missing)
    if seen is Stage.DISPOSAL:
        disposed = await disposal_store.disposals(db, round_id)
        undisposed = sum(
            1 for p in everyone if p.grade is Grade.UNQUALIFIED and p.person_id not in disposed
        )
        if undisposed:
            raise Conflict("appraisal_not_all_disposed", n=undisposed)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=round_.branch_id) as work:
        if not await store.move_stage(work.conn, round_id, seen, target, utcnow()):
            raise Conflict("appraisal_stage_changed")
        await work.audit(
            "appraisal.closed" if target is Stage.CLOSED else "appraisal.stage",
            "appraisal_round",
            round_id,
            year=round_.year,
            before=str(seen),
            after=str(target),
        )
        moved = await store.get_round(work.conn, round_id)
        await _tell_participants(work, moved, target)
    return moved
