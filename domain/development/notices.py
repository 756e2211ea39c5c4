"""The public notice (公示) before a branch meeting: the secretary starts it, the bot posts
it to the branch's group and to every member, anyone in the branch may send an opinion
privately (it reaches the secretaries only, with the sender's name), and at the end the
secretary records the outcome.

What the notice shows is what the rule requires: the name, the stage, the period and the
branch's contact. Nothing else of the file goes to the group or to the members."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from domain import outbox
from domain.access import Actor
from domain.development.files import File, existing, is_secretary_of, load
from domain.development.rules import NOTICE_MIN_WORKING_DAYS, Stage, check_notice, end_after
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.models import Role
from domain.posts.common import BRANCH_CHAT
from domain.unit_of_work import unit_of_work
from domain.validation import within
from domain.working_time import Defaults, for_branch
from storage import development as store
from storage import posts
from storage.db import Database, utcnow

GROUP_TEMPLATE = "development.notice-group"
MEMBER_TEMPLATE = "development.notice-member"
OPINION_TEMPLATE = "development.opinion"
OUTCOME_TEMPLATE = "development.outcome"
OPINION_MAX = 1000
CONTACT_MAX = 100
# The deep link of the group's notice: /start dev-opinion-<notice id>.
LINK_PREFIX = "dev-opinion-"


@dataclass(frozen=True)
class NoticeInfo:
    id: int
    file_id: int
    branch_id: int
    person_id: int
    name: str
    stage: Stage
    starts_on: date
    ends_on: date
    contact: str
    outcome: str | None


async def info(db: Database, notice_id: int) -> NoticeInfo | None:
    row = await store.notice(db, notice_id)
    if row is None:
        return None
    return NoticeInfo(
        row["id"],
        row["file_id"],
        row["branch_id"],
        row["person_id"],
        row["name"] or f"#{row['person_id']}",
        Stage(row["stage"]),
        date.fromisoformat(row["starts_on"]),
        date.fromisoformat(row["ends_on"]),
        row["contact"],
        row["outcome"],
    )


async def working_day(db: Database, branch_id: int) -> Callable[[date], bool]:
    """The branch's working days: the official calendar (调休 included) and its own days.
    Only days are read, so the zone given here does not matter."""
    return (await for_branch(db, branch_id, Defaults("UTC"))).is_working_day


async def proposals(db: Database, branch_id: int, start: date) -> list[tuple[int, date]]:
    """Periods to offer: five, seven and ten working days from `start`."""
    is_working = await working_day(db, branch_id)
    return [(n, end_after(is_working, start, n)) for n in (NOTICE_MIN_WORKING_DAYS, 7, 10)]


def check_contact(text: str) -> str:
    value = " ".join((text or "").split())
    if len(value) < 3:
        raise InvalidInput("dev_contact_short")
    if len(value) > CONTACT_MAX:
        raise InvalidInput("dev_contact_long", max=CONTACT_MAX)
    return value


async def check_period(db: Database, actor: Actor, file_id: int, ends_on: date, today: date) -> int:
    """The working days of a notice from today to `ends_on`, or the refusal."""
    found = await existing(db, file_id)
    if not is_secretary_of(actor, found):
        raise NotAllowed("not_allowed")
    is_working = await working_day(db, found.branch_id)
    return check_notice(found.state, found.stage, today, ends_on, is_working, today)


@effect
async def start(
    db: Database,
    actor: Actor,
    file_id: int,
    ends_on: date,
    contact: str,
    today: date,
    bot_username: str,
) -> NoticeInfo:
    contact = check_contact(contact)
    async with unit_of_work(db, actor) as work:
        found = await existing(work.conn, file_id)
        work.require(Role.SECRETARY, found.branch_id)
        is_working = await working_day(db, found.branch_id)
        days = check_notice(found.state, found.stage, today, ends_on, is_working, today)
        notice_id = await store.create_notice(
            work.conn,
            file_id=file_id,
            branch_id=found.branch_id,
            stage=found.stage,
            starts_on=today,
            ends_on=ends_on,
            contact=contact,
            by=work.person.id,
            now=utcnow(),
        )
        await work.audit(
            "development.notice_started",
            "development_notice",
            notice_id,
            file=file_id,
            ends_on=ends_on.isoformat(),
            working_days=days,
        )
        await _post(work, found, notice_id, bot_username)
    started = await info(db, notice_id)
    assert started is not None
    return started


async def _post(work, found: File, notice_id: int, bot_username: str) -> None:
    """To the branch's group, if it has one, and to each member once (not the person)."""
    group = await posts.linked_chat(work.conn, BRANCH_CHAT, found.branch_id)
    if group is not None:
        # The group reads the bot's default language: no one's choice is looked up for it.
        await outbox.enqueue(
            work.conn,
            key=f"dev-notice-group:{notice_id}",
            chat_id=group,
            template=GROUP_TEMPLATE,
            params={"notice": notice_id, "bot": bot_username},
            branch_id=found.branch_id,
        )
    for member in await store.members_of(work.conn, found.branch_id):
        if member["id"] == found.person_id:
            continue
        await work.tell(
            member["telegram_id"],
            f"dev-notice:{notice_id}:{member['id']}",
            template=MEMBER_TEMPLATE,
            params={"notice": notice_id},
        )


def _may_give_opinion(actor: Actor, notice: NoticeInfo) -> bool:
    me = actor.person
    if me is None or not actor.active or me.id == notice.person_id:
        return False
    in_branch = actor.member and me.branch_id == notice.branch_id
    return in_branch or actor.has(Role.SECRETARY, notice.branch_id)


async def opinion_target(db: Database, actor: Actor, notice_id: int, today: date) -> NoticeInfo:
    """The running notice the actor may send an opinion on; the same refusal for a notice
    of another branch as for one that does not exist."""
    notice = await info(db, notice_id)
    if notice is None or not _may_give_opinion(actor, notice):
        raise NotFound("dev_notice_unknown")
    if notice.outcome is not None or not notice.starts_on <= today <= notice.ends_on:
        raise Conflict("dev_notice_over")
    return notice


def check_opinion(text: str) -> str:
    return within((text or "").strip(), 2, OPINION_MAX, "dev_opinion_short", "dev_opinion_long")


@effect
async def send_opinion(
    db: Database, actor: Actor, notice_id: int, text: str, today: date
) -> NoticeInfo:
    """Kept with the sender's name; queued to the branch's secretaries only. The audit
    entry says that an opinion came, not who sent it nor what it says."""
    text = check_opinion(text)
    notice = await opinion_target(db, actor, notice_id, today)
    async with unit_of_work(db, actor) as work:
        work.branch_id = notice.branch_id
        opinion_id = await store.add_opinion(work.conn, notice_id, actor.person.id, text, utcnow())
        await work.tell_secretaries(
            f"dev-opinion:{opinion_id}",
            skip=actor.person.id,
            template=OPINION_TEMPLATE,
            params={"opinion": opinion_id, "notice": notice_id},
        )
        await work.audit("development.opinion", "development_notice", notice_id)
    return notice


async def opinions(db: Database, actor: Actor, notice_id: int) -> list[dict]:
    """The opinions with their senders: for the branch's secretaries only."""
    notice = await info(db, notice_id)
    if notice is None or not actor.has(Role.SECRETARY, notice.branch_id):
        raise NotFound("dev_notice_unknown")
    return await store.opinions(db, notice_id)


async def opinion(db: Database, opinion_id: int) -> dict | None:
    """One opinion as its notification to a secretary shows it (text and sender)."""
    return await store.opinion(db, opinion_id)


@effect
async def close(db: Database, actor: Actor, notice_id: int, passed: bool, today: date) -> File:
    """The outcome, once the period is over: no objection (the branch meeting may follow)
    or an objection (the file waits; a new notice may be started later)."""
    notice = await info(db, notice_id)
    if notice is None:
        raise NotFound("dev_notice_unknown")
    async with unit_of_work(db, actor) as work:
        work.require(Role.SECRETARY, notice.branch_id)
        if notice.outcome is not None:
            raise Conflict("dev_notice_closed")
        if today <= notice.ends_on:
            raise InvalidInput("dev_notice_running", day=notice.ends_on.isoformat())
        outcome = "passed" if passed else "objection"
        if not await store.close_notice(
            work.conn, notice_id, outcome, None, work.person.id, utcnow()
        ):
            raise Conflict("dev_notice_closed")
        await work.audit(
            "development.notice_closed", "development_notice", notice_id, outcome=outcome
        )
        found = await load(work.conn, notice.file_id)
        assert found is not None
        await work.tell(
            found.telegram_id,
            f"dev-outcome:{notice_id}",
            template=OUTCOME_TEMPLATE,
            params={"notice": notice_id},
        )
    return found
