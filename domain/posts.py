"""Responsibility posts (设岗定责): who may do what, and every change with its audit entry.

Each branch gets the county's ten posts on first use. The branch's current cycle is its
latest year; it starts at the survey when the branch first uses posts, and moving forward
from assessment opens the next year's survey. `today` is the caller's date in the bot's
time zone, so tests pass a fixed one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from domain import hours, notices, outbox
from domain.access import Actor, require
from domain.activity import ActivityKind
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.i18n import N_
from domain.models import Person, PersonStatus, Role
from domain.post_models import (
    COUNTY_POSTS,
    DEFAULT_CAPACITY,
    HOLDING,
    Action,
    Assessment,
    Availability,
    Claim,
    ClaimStatus,
    Cycle,
    DutyRecord,
    Post,
    Rating,
    Stage,
    check_capacity,
    check_claim,
    check_member_limit,
    check_stage,
    check_waiting,
    next_stage,
    previous_stage,
)
from domain.validation import clean_text
from storage import audit, people
from storage import posts as store
from storage.db import Database, iso, parse_iso, utcnow

BRANCH_CHAT = "branch"
# Outbox templates, rendered by handlers/posts_admin.py.
NOTICE_TEMPLATE = "posts.notice"
PUBLICATION_TEMPLATE = "posts.publication"

# What members are told when a stage begins.
STAGE_NEWS = {
    Stage.SURVEY: N_(
        "The survey for the {year} responsibility posts has begun. Send /posts to answer it."
    ),
    Stage.APPLY: N_(
        "Applications for the {year} responsibility posts are open. Send /posts to claim a post."
    ),
    Stage.PERFORM: N_("The {year} post holders are now on duty. Record what you do with /posts."),
    Stage.ASSESS: N_(
        "The {year} responsibility posts are being assessed. You will be told your result."
    ),
}
# What the member is told of the secretary's decision: (status before, after) → message.
OUTCOME_NEWS = {
    (ClaimStatus.PENDING, ClaimStatus.APPROVED): N_(
        "Your claim of {post} is approved. Thank you for taking it on!"
    ),
    (ClaimStatus.LEAVING, ClaimStatus.WITHDRAWN): N_(
        "The secretary agreed: you no longer hold {post}."
    ),
    (ClaimStatus.LEAVING, ClaimStatus.APPROVED): N_(
        "The secretary asks you to stay on {post} for now; please talk with them."
    ),
    (ClaimStatus.PENDING, ClaimStatus.REJECTED): N_(
        "Your claim of {post} was not approved. Reason: {reason}"
    ),
}
TEXT_MAX = 1000
NAME_MAX = 30


def member(actor: Actor) -> Person:
    """An active member with a branch; posts are a member's business only."""
    if not actor.member:
        raise NotAllowed("post_members_only")
    return actor.person


async def cycle_of(db: Database, branch_id: int, today: date) -> Cycle:
    """The branch's current cycle, seeding its posts and first cycle when needed."""
    cycle = await store.latest_cycle(db, branch_id)
    if cycle is not None and await store.is_seeded(db, branch_id):
        return cycle
    async with db.transaction() as conn:
        if not await store.is_seeded(conn, branch_id):
            added = await store.seed(
                conn, branch_id, [p.code for p in COUNTY_POSTS], DEFAULT_CAPACITY, utcnow()
            )
            await audit.record(
                conn,
                action="posts.seeded",
                subject_type="branch",
                subject_id=branch_id,
                branch_id=branch_id,
                added=added,
            )
        if await store.latest_cycle(conn, branch_id) is None:
            await store.create_cycle(conn, branch_id, today.year, Stage.SURVEY, utcnow())
        cycle = await store.latest_cycle(conn, branch_id)
    assert cycle is not None
    return cycle


async def _post_of_branch(conn, post_id: int, branch_id: int, *, active: bool = True) -> Post:
    post = await store.get_post(conn, post_id)
    # Another branch's post reads exactly like a missing one: its existence is not shown.
    if post is None or post.branch_id != branch_id:
        raise NotFound("post_unknown")
    if active and post.retired:
        raise Conflict("post_retired")
    return post


def _text(value: str, *, limit: int = TEXT_MAX, code: str = "post_text_empty") -> str:
    text = clean_text(value or "")
    if not text:
        raise InvalidInput(code)
    if len(text) > limit:
        raise InvalidInput("post_text_too_long", max=limit)
    return text


# ------------------------------------------------------------------------- reading


async def _tell(
    conn, person: Person | None, key: str, text: str, post: Post, **params: object
) -> None:
    """A member learns something about `post` (rendered with the post's name in their
    language; see NOTICE_TEMPLATE)."""
    if person is not None:
        await notices.to_person(
            conn,
            person.telegram_id,
            key,
            template=NOTICE_TEMPLATE,
            params={"text": text, "post": post.id, **params},
            branch_id=post.branch_id,
        )


@dataclass(frozen=True)
class Holder:
    claim: Claim
    person: Person


@dataclass(frozen=True)
class PostView:
    post: Post
    holders: list[Holder]
    pending: list[Holder]
    waiting: list[Holder]

    @property
    def taken(self) -> int:
        return len(self.holders) + len(self.pending)


@dataclass(frozen=True)
class Board:
    cycle: Cycle
    limit: int
    posts: list[PostView]
    mine: list[Claim] = field(default_factory=list)

    def view(self, post_id: int) -> PostView | None:
        return next((v for v in self.posts if v.post.id == post_id), None)


async def _people(db: Database, ids: Iterable[int]) -> dict[int, Person]:
    found = {}
    for person_id in set(ids):
        person = await people.get(db, person_id)
        if person is not None:
            found[person_id] = person
    return found


async def board(
    db: Database,
    branch_id: int,
    today: date,
    person_id: int | None = None,
    *,
    retired: bool = False,
) -> Board:
    """The posts with their holders this year; `retired` adds retired posts, whose holders
    still belong to the year's record (assessment)."""
    cycle = await cycle_of(db, branch_id, today)
    claims = await store.branch_claims(db, branch_id, cycle.year, (*HOLDING, ClaimStatus.WAITING))
    who = await _people(db, (c.person_id for c in claims))
    views = []
    for post in await store.branch_posts(db, branch_id, retired=retired):
        # Who left the branch is in the year's record (person_posts), not on its board.
        mine = [
            Holder(c, who[c.person_id])
            for c in claims
            if c.post_id == post.id and who[c.person_id].status is not PersonStatus.LEFT
        ]
        views.append(
            PostView(
                post,
                holders=[
                    h for h in mine if h.claim.status in (ClaimStatus.APPROVED, ClaimStatus.LEAVING)
                ],
                pending=[h for h in mine if h.claim.status is ClaimStatus.PENDING],
                waiting=[h for h in mine if h.claim.status is ClaimStatus.WAITING],
            )
        )
    own = [c for c in claims if c.person_id == person_id] if person_id else []
    return Board(cycle, await store.member_limit(db, branch_id), views, own)


async def member_board(db: Database, actor: Actor, today: date) -> Board:
    me = member(actor)
    assert me.branch_id is not None
    return await board(db, me.branch_id, today, me.id)


async def secretary_board(db: Database, actor: Actor, branch_id: int, today: date) -> Board:
    """The board a secretary administers; the secretary may be no member of the branch."""
    require(actor, Role.SECRETARY, branch_id)
    return await board(db, branch_id, today)


async def all_posts(db: Database, actor: Actor, branch_id: int, today: date) -> list[Post]:
    """Every post of the branch, retired ones too (the secretary's list)."""
    require(actor, Role.SECRETARY, branch_id)
    await cycle_of(db, branch_id, today)
    return await store.branch_posts(db, branch_id, retired=True)


# ------------------------------------------------------------------------- the stage


@dataclass(frozen=True)
class StageMove:
    before: Cycle
    after: Cycle
    # Told when the stage moves forward: what they can do now has changed.
    members: list[Person] = field(default_factory=list)


async def _secretary_cycle(db: Database, actor: Actor, branch_id: int, today: date):
    secretary = require(actor, Role.SECRETARY, branch_id)
    return secretary, await cycle_of(db, branch_id, today)


@effect
async def advance(
    db: Database, actor: Actor, branch_id: int, seen: Stage, today: date
) -> StageMove:
    """Forward one stage; from assessment, into the next year's survey. `seen` is the stage
    the secretary confirmed, so a stale or repeated confirmation changes nothing."""
    secretary, cycle = await _secretary_cycle(db, actor, branch_id, today)
    if cycle.stage is not seen:
        raise Conflict("post_stage_changed")
    target = next_stage(cycle.stage)
    async with db.transaction() as conn:
        now = utcnow()
        if target is None:
            after = Cycle(branch_id, cycle.year + 1, Stage.SURVEY)
            if await store.latest_cycle(conn, branch_id) != cycle:
                raise Conflict("post_stage_changed")
            await store.create_cycle(conn, branch_id, after.year, after.stage, now)
        else:
            after = Cycle(branch_id, cycle.year, target)
            if not await store.move_cycle(conn, cycle, target, now):
                raise Conflict("post_stage_changed")
        await audit.record(
            conn,
            action="posts.stage_forward",
            subject_type="branch",
            subject_id=branch_id,
            actor_id=secretary.id,
            branch_id=branch_id,
            year=cycle.year,
            before=str(cycle.stage),
            after=f"{after.year}:{after.stage}",
        )
        members = await store.active_members(db, branch_id)
        for person in members:
            if person.id != secretary.id:
                await notices.to_person(
                    conn,
                    person.telegram_id,
                    f"post-stage:{branch_id}:{after.year}:{after.stage}:{now.isoformat()}:{person.id}",
                    text=STAGE_NEWS[after.stage],
                    params={"year": after.year},
                    branch_id=branch_id,
                )
    return StageMove(cycle, after, members)


@effect
async def go_back(
    db: Database, actor: Actor, branch_id: int, seen: Stage, reason: str, today: date
) -> StageMove:
    """Back one stage within the year, with a reason for the record."""
    secretary, cycle = await _secretary_cycle(db, actor, branch_id, today)
    if cycle.stage is not seen:
        raise Conflict("post_stage_changed")
    target = previous_stage(cycle.stage)
    if target is None:
        raise Conflict("post_stage_first")
    reason = _text(reason, limit=200, code="post_reason_empty")
    async with db.transaction() as conn:
        if not await store.move_cycle(conn, cycle, target, utcnow()):
            raise Conflict("post_stage_changed")
        await audit.record(
            conn,
            action="posts.stage_back",
            subject_type="branch",
            subject_id=branch_id,
            actor_id=secretary.id,
            branch_id=branch_id,
            year=cycle.year,
            before=str(cycle.stage),
            after=str(target),
            reason=reason,
        )
    return StageMove(cycle, Cycle(branch_id, cycle.year, target))


# ------------------------------------------------------------------------- survey


@dataclass(frozen=True)
class SurveySummary:
    cycle: Cycle
    respondents: int
    willing: dict[int, int]
    availability: dict[str, int]
    skills: list[tuple[Person, str]]


@effect
async def answer_survey(
    db: Database,
    actor: Actor,
    post_ids: list[int],
    availability: Availability,
    skills: str,
    today: date,
) -> None:
    me = member(actor)
    assert me.branch_id is not None
    cycle = await cycle_of(db, me.branch_id, today)
    check_stage(cycle.stage, Action.SURVEY)
    skills = clean_text(skills or "")[:200]
    async with db.transaction() as conn:
        if (await store.latest_cycle(conn, me.branch_id)) != cycle:
            raise Conflict("post_stage_changed")
        for post_id in set(post_ids):
            await _post_of_branch(conn, post_id, me.branch_id)
        await store.save_survey(
            conn, cycle, me.id, sorted(set(post_ids)), availability, skills, utcnow()
        )
        await audit.record(
            conn,
            action="posts.survey_answered",
            subject_type="person",
            subject_id=me.id,
            actor_id=me.id,
            branch_id=me.branch_id,
            year=cycle.year,
            posts=sorted(set(post_ids)),
            availability=str(availability),
        )


async def survey_summary(db: Database, actor: Actor, branch_id: int, today: date) -> SurveySummary:
    _secretary, cycle = await _secretary_cycle(db, actor, branch_id, today)
    respondents, willing, by_time = await store.survey_counts(db, cycle)
    raw = await store.survey_skills(db, cycle)
    who = await _people(db, (p for p, _ in raw))
    skills = [(who[p], text) for p, text in raw if p in who]
    return SurveySummary(cycle, respondents, willing, by_time, skills)


# ------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    post: Post
    person: Person
    secretaries: list[Person] = field(default_factory=list)
    # Waiting members who got a freed place: they are told, the secretary decides.
    promoted: list[Holder] = field(default_factory=list)


async def _claim_checks(conn, me: Person, post_id: int, cycle: Cycle):
    post = await _post_of_branch(conn, post_id, me.branch_id)
    params = dict(
        open_claims=len(await store.open_claims_of(conn, me.id, cycle.year)),
        limit=await store.member_limit(conn, me.branch_id),
        taken=await store.places_taken(conn, post.id, cycle.year),
        capacity=post.capacity,
        twice=await store.open_claim(conn, post.id, me.id, cycle.year) is not None,
    )
    return post, params


@effect
async def _open_claim(
    db: Database, actor: Actor, post_id: int, today: date, *, waiting: bool
) -> ClaimResult:
    me = member(actor)
    assert me.branch_id is not None
    cycle = await cycle_of(db, me.branch_id, today)
    check_stage(cycle.stage, Action.CLAIM)
    # Counting the places and taking one happen in one write transaction, so two members
    # pressing for the last place at once are served one after the other.
    async with db.transaction() as conn:
        if (await store.latest_cycle(conn, me.branch_id)) != cycle:
            raise Conflict("post_stage_changed")
        post, params = await _claim_checks(conn, me, post_id, cycle)
        (check_waiting if waiting else check_claim)(**params)
        status = ClaimStatus.WAITING if waiting else ClaimStatus.PENDING
        claim_id = await store.insert_claim(conn, post.id, me.id, cycle.year, status, utcnow())
        await audit.record(
            conn,
            action="posts.waiting" if waiting else "posts.claimed",
            subject_type="post_claim",
            subject_id=claim_id,
            actor_id=me.id,
            branch_id=me.branch_id,
            post=post.id,
            year=cycle.year,
        )
        claim = await store.get_claim(conn, claim_id)
        if not waiting:
            await notices.to_secretaries(
                conn,
                db,
                me.branch_id,
                f"post-claim:{claim_id}",
                template=NOTICE_TEMPLATE,
                params={
                    "text": N_("{name} claims the post {post}."),
                    "post": post.id,
                    "name": me.display_name,
                    "keyboard": "claim",
                    "claim": claim_id,
                },
            )
    assert claim is not None
    return ClaimResult(claim, post, me, await people.secretaries(db, me.branch_id))


async def claim(db: Database, actor: Actor, post_id: int, today: date) -> ClaimResult:
    return await _open_claim(db, actor, post_id, today, waiting=False)


async def join_waiting_list(db: Database, actor: Actor, post_id: int, today: date) -> ClaimResult:
    return await _open_claim(db, actor, post_id, today, waiting=True)


async def _promote(conn, post: Post, year: int, now: datetime) -> list[Claim]:
    """Freed places go to the waiting list in order of arrival."""
    free = post.capacity - await store.places_taken(conn, post.id, year)
    promoted = []
    for waiting in (await store.claims_of_post(conn, post.id, year, (ClaimStatus.WAITING,)))[
        : max(free, 0)
    ]:
        if await store.set_claim_status(conn, waiting, ClaimStatus.PENDING, now):
            promoted.append(waiting)
            await _tell(
                conn,
                await people.get_for_update(conn, waiting.person_id),
                f"post-promoted:{waiting.id}:{now.isoformat()}",
                N_(
                    "A place on {post} is free and it is yours if the secretary approves: "
                    "you were first on the waiting list."
                ),
                post,
            )
            await audit.record(
                conn,
                action="posts.promoted",
                subject_type="post_claim",
                subject_id=waiting.id,
                branch_id=post.branch_id,
                post=post.id,
            )
    return promoted


async def free_places_of(conn, person: Person, now: datetime) -> None:
    """Called when `person` has left the branch: their claims of this year stay in its record
    but hold no place any more, so each post's waiting list moves up."""
    assert person.branch_id is not None
    cycle = await store.latest_cycle(conn, person.branch_id)
    if cycle is None:
        return
    claims = await store.open_claims_of(
        conn, person.id, cycle.year, (ClaimStatus.APPROVED, ClaimStatus.WITHDRAWN)
    )
    for post_id in dict.fromkeys(c.post_id for c in claims):
        post = await store.get_post(conn, post_id)
        assert post is not None
        await _promote(conn, post, cycle.year, now)


async def _holders(db: Database, claims: list[Claim]) -> list[Holder]:
    who = await _people(db, (c.person_id for c in claims))
    return [Holder(c, who[c.person_id]) for c in claims]


async def _load_claim(conn, claim_id: int) -> Claim:
    found = await store.get_claim(conn, claim_id)
    if found is None:
        raise NotFound("post_claim_unknown")
    return found


async def _claim_and_post(db: Database, claim_id: int) -> tuple[Claim, Post]:
    found = await _load_claim(db, claim_id)
    post = await store.get_post(db, found.post_id)
    assert post is not None
    return found, post


async def _reload(conn, claim_id: int) -> tuple[Claim, Person]:
    claim = await store.get_claim(conn, claim_id)
    assert claim is not None
    person = await people.get_for_update(conn, claim.person_id)
    assert person is not None
    return claim, person


@effect
async def _settle(
    db: Database,
    actor: Actor,
    claim_id: int,
    today: date,
    *,
    expected: ClaimStatus,
    target: ClaimStatus,
    action: str,
    reason: str | None = None,
) -> ClaimResult:
    """The secretary moves a claim on from `expected`, once; a place that frees up goes
    to the waiting list."""
    found, post = await _claim_and_post(db, claim_id)
    secretary = require(actor, Role.SECRETARY, post.branch_id)
    cycle = await cycle_of(db, post.branch_id, today)
    if found.status is not expected or found.year != cycle.year:
        raise Conflict("already_decided")
    check_stage(cycle.stage, Action.DECIDE)
    async with db.transaction() as conn:
        now = utcnow()
        if not await store.set_claim_status(
            conn, found, target, now, decided_by=secretary.id, reason=reason
        ):
            raise Conflict("already_decided")
        frees = target in (ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN)
        promoted = await _promote(conn, post, found.year, now) if frees else []
        await audit.record(
            conn,
            action=action,
            subject_type="post_claim",
            subject_id=found.id,
            actor_id=secretary.id,
            branch_id=post.branch_id,
            reason=reason,
        )
        claim, person = await _reload(conn, found.id)
        await _tell(
            conn,
            person,
            f"post-decided:{found.id}:{expected}-{target}:{now.isoformat()}",
            OUTCOME_NEWS[expected, target],
            post,
            reason=reason or "",
        )
    return ClaimResult(claim, post, person, promoted=await _holders(db, promoted))


async def decide_claim(
    db: Database,
    actor: Actor,
    claim_id: int,
    *,
    approve: bool,
    reason: str | None,
    today: date,
) -> ClaimResult:
    """The secretary approves a pending claim, or rejects it with a reason."""
    if not approve:
        reason = _text(reason or "", limit=200, code="post_reason_empty")
    return await _settle(
        db,
        actor,
        claim_id,
        today,
        expected=ClaimStatus.PENDING,
        target=ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED,
        action="posts.claim_approved" if approve else "posts.claim_rejected",
        reason=reason,
    )


@effect
async def withdraw(db: Database, actor: Actor, claim_id: int, today: date) -> ClaimResult:
    """A member takes back a pending claim or leaves the waiting list at once; an approved
    holder only asks, and the secretary consents (`decide_leave`)."""
    me = member(actor)
    assert me.branch_id is not None
    cycle = await cycle_of(db, me.branch_id, today)
    async with db.transaction() as conn:
        found = await _load_claim(conn, claim_id)
        if found.person_id != me.id:
            raise NotFound("post_claim_unknown")
        if found.year != cycle.year:
            raise Conflict("post_wrong_stage", stage=str(cycle.stage))
        if found.status is not ClaimStatus.WAITING:
            check_stage(cycle.stage, Action.WITHDRAW)
        post = await store.get_post(conn, found.post_id)
        assert post is not None
        now = utcnow()
        if found.status in (ClaimStatus.PENDING, ClaimStatus.WAITING):
            target = ClaimStatus.WITHDRAWN
        elif found.status is ClaimStatus.APPROVED:
            target = ClaimStatus.LEAVING
        else:
            raise Conflict("post_withdraw_done")
        if not await store.set_claim_status(conn, found, target, now, decided_by=None):
            raise Conflict("conflict")
        promoted = (
            await _promote(conn, post, found.year, now)
            if found.status is ClaimStatus.PENDING
            else []
        )
        await audit.record(
            conn,
            action="posts.withdrawn" if target is ClaimStatus.WITHDRAWN else "posts.leave_asked",
            subject_type="post_claim",
            subject_id=found.id,
            actor_id=me.id,
            branch_id=me.branch_id,
        )
        claim, person = await _reload(conn, found.id)
        if target is ClaimStatus.LEAVING:
            await notices.to_secretaries(
                conn,
                db,
                me.branch_id,
                f"post-leave:{found.id}:{now.isoformat()}",
                template=NOTICE_TEMPLATE,
                params={
                    "text": N_("{name} asks to withdraw from {post}."),
                    "post": post.id,
                    "name": me.display_name,
                    "keyboard": "leave",
                    "claim": found.id,
                },
            )
    return ClaimResult(
        claim,
        post,
        person,
        secretaries=await people.secretaries(db, me.branch_id),
        promoted=await _holders(db, promoted),
    )


async def decide_leave(
    db: Database, actor: Actor, claim_id: int, *, agree: bool, today: date
) -> ClaimResult:
    """The secretary lets a holder go, or keeps them on the post."""
    return await _settle(
        db,
        actor,
        claim_id,
        today,
        expected=ClaimStatus.LEAVING,
        target=ClaimStatus.WITHDRAWN if agree else ClaimStatus.APPROVED,
        action="posts.leave_agreed" if agree else "posts.leave_refused",
    )


async def pending(db: Database, actor: Actor, branch_id: int, today: date) -> list[Holder]:
    """Claims and leave requests waiting for the secretary, oldest post first."""
    _secretary, cycle = await _secretary_cycle(db, actor, branch_id, today)
    claims = await store.branch_claims(
        db, branch_id, cycle.year, (ClaimStatus.PENDING, ClaimStatus.LEAVING)
    )
    return await _holders(db, claims)


# ------------------------------------------------------------------------- performing


async def _held_claim(conn, me: Person, post_id: int, cycle: Cycle) -> Post:
    post = await _post_of_branch(conn, post_id, me.branch_id, active=False)
    held = await store.open_claim(conn, post.id, me.id, cycle.year)
    if held is None or held.status not in (ClaimStatus.APPROVED, ClaimStatus.LEAVING):
        raise NotAllowed("post_not_holder")
    return post


def check_duty_date(done_on: date, today: date, year: int) -> date:
    if done_on > today:
        raise InvalidInput("post_date_future")
    if done_on.year < year:
        raise InvalidInput("post_date_before_year", year=year)
    return done_on


@effect
async def record_duty(
    db: Database,
    actor: Actor,
    post_id: int,
    *,
    done_on: date,
    text: str,
    photo_file_id: str | None,
    minutes: int | None,
    today: date,
) -> DutyRecord:
    me = member(actor)
    assert me.branch_id is not None
    cycle = await cycle_of(db, me.branch_id, today)
    check_stage(cycle.stage, Action.RECORD)
    check_duty_date(done_on, today, cycle.year)
    half_hours = None if minutes is None else hours.half_hours_of(minutes)
    record = DutyRecord(post_id, me.id, cycle.year, done_on, _text(text), photo_file_id, minutes)
    async with db.transaction() as conn:
        await _held_claim(conn, me, post_id, cycle)
        record_id = await store.insert_duty(conn, record, utcnow())
        if half_hours is not None:
            # The hours go to the activity ledger as attested post-duty hours, for the
            # secretary to verify like any other record; a day already full refuses both.
            draft = hours.Draft(
                kind=ActivityKind.POST_DUTY,
                day=done_on,
                half_hours=half_hours,
                description=record.text.replace("\n", " ")[: hours.DESCRIPTION_MAX],
                photo_file_id=photo_file_id,
            )
            entry = await hours.log_in(
                conn, db, me.id, me.branch_id, draft, today=today, post_id=post_id
            )
            await store.link_ledger_entry(conn, record_id, entry.id)
        await audit.record(
            conn,
            action="posts.duty_recorded",
            subject_type="duty_record",
            subject_id=record_id,
            actor_id=me.id,
            branch_id=me.branch_id,
            post=post_id,
            minutes=minutes,
        )
    return DutyRecord(**{**record.__dict__, "id": record_id})


@effect
async def note_request(db: Database, actor: Actor, post_id: int, text: str, today: date) -> int:
    """A resident's request noted against a post, by one of its holders or the secretary."""
    me = member(actor)
    assert me.branch_id is not None
    cycle = await cycle_of(db, me.branch_id, today)
    check_stage(cycle.stage, Action.NOTE_REQUEST)
    text = _text(text)
    async with db.transaction() as conn:
        if actor.has(Role.SECRETARY, me.branch_id):
            await _post_of_branch(conn, post_id, me.branch_id)
        else:
            await _held_claim(conn, me, post_id, cycle)
        request_id = await store.insert_request(conn, post_id, me.id, cycle.year, text, utcnow())
        await audit.record(
            conn,
            action="posts.request_noted",
            subject_type="resident_request",
            subject_id=request_id,
            actor_id=me.id,
            branch_id=me.branch_id,
            post=post_id,
        )
    return request_id


async def my_duties(db: Database, actor: Actor, today: date) -> list[DutyRecord]:
    me = member(actor)
    assert me.branch_id is not None
    cycle = await cycle_of(db, me.branch_id, today)
    return await store.duties_of(db, me.id, cycle.year)


@dataclass(frozen=True)
class ResidentRequest:
    post: Post
    noted_by: Person
    text: str
    noted_at: datetime


async def resident_requests(
    db: Database, actor: Actor, branch_id: int, today: date
) -> list[ResidentRequest]:
    """The year's residents' requests, for the secretary to follow up."""
    _secretary, cycle = await _secretary_cycle(db, actor, branch_id, today)
    found = await store.requests_in(db, branch_id, cycle.year)
    who = await _people(db, (r["noted_by"] for r in found))
    posts = {p.id: p for p in await store.branch_posts(db, branch_id, retired=True)}
    return [
        ResidentRequest(
            posts[r["post_id"]], who[r["noted_by"]], r["text"], parse_iso(r["created_at"])
        )
        for r in found
    ]


# ------------------------------------------------------------------------- assessment


@dataclass(frozen=True)
class HolderRecord:
    """What a holder did on a post this year: the secretary reads it before rating."""

    holder: Holder
    post: Post
    duties: list[DutyRecord]

    @property
    def minutes(self) -> int:
        return sum(d.minutes or 0 for d in self.duties)


async def holder_record(db: Database, actor: Actor, claim_id: int) -> HolderRecord:
    found, post = await _claim_and_post(db, claim_id)
    require(actor, Role.SECRETARY, post.branch_id)
    person = await people.get(db, found.person_id)
    assert person is not None
    duties = [
        d for d in await store.duties_of(db, found.person_id, found.year) if d.post_id == post.id
    ]
    return HolderRecord(Holder(found, person), post, duties)


@dataclass(frozen=True)
class Rated:
    holder: Holder
    post: Post
    assessment: Assessment | None


async def assessment_sheet(db: Database, actor: Actor, branch_id: int, today: date) -> list[Rated]:
    """Every holder of the year with their rating so far: the secretary's form."""
    _secretary, cycle = await _secretary_cycle(db, actor, branch_id, today)
    found = await board(db, branch_id, today, retired=True)
    done = await store.assessments_in(db, branch_id, cycle.year)
    return [
        Rated(h, view.post, done.get((view.post.id, h.person.id)))
        for view in found.posts
        for h in view.holders
    ]


@effect
async def assess(
    db: Database,
    actor: Actor,
    claim_id: int,
    rating: Rating,
    comment: str,
    today: date,
) -> Rated:
    found, post = await _claim_and_post(db, claim_id)
    secretary = require(actor, Role.SECRETARY, post.branch_id)
    cycle = await cycle_of(db, post.branch_id, today)
    check_stage(cycle.stage, Action.ASSESS)
    if found.year != cycle.year or found.status not in (ClaimStatus.APPROVED, ClaimStatus.LEAVING):
        raise Conflict("post_not_holder_of_year")
    comment = clean_text(comment or "")[:TEXT_MAX]
    async with db.transaction() as conn:
        await store.save_assessment(conn, found, rating, comment, secretary.id, utcnow())
        await audit.record(
            conn,
            action="posts.assessed",
            subject_type="post_claim",
            subject_id=found.id,
            actor_id=secretary.id,
            branch_id=post.branch_id,
            rating=str(rating),
        )
        person = await people.get_for_update(conn, found.person_id)
        await _tell(
            conn,
            person,
            f"post-assessed:{found.id}:{utcnow().isoformat()}",
            N_("Your assessment on {post}: {rating}."),
            post,
            rating=str(rating),
            comment=comment,
        )
    assert person is not None
    done = await store.assessments_in(db, post.branch_id, cycle.year)
    return Rated(Holder(found, person), post, done.get((post.id, person.id)))


@dataclass(frozen=True)
class PostRecord:
    """One post a person held in a year, with its assessment if made."""

    year: int
    post: Post
    assessment: Assessment | None
    duty_count: int
    duty_minutes: int


async def person_posts(db: Database, person_id: int, start: date, end: date) -> list[PostRecord]:
    """The posts a person held in the cycles of `start`..`end` and their latest
    assessments: what the quarterly feedback to a cadre's unit reports. No role check:
    the caller decides who may read it."""
    return (await people_posts(db, [person_id], start, end)).get(person_id, [])


async def people_posts(
    db: Database, person_ids: Sequence[int], start: date, end: date
) -> dict[int, list[PostRecord]]:
    """`person_posts` for many people in a few statements, whoever has held a post."""
    years = range(start.year, end.year + 1)
    held = await store.held_claims_of(db, person_ids, years)
    rated = {
        (a.person_id, a.post_id, a.year): a
        for a in await store.assessments_of(db, person_ids, years)
    }
    duties: dict[tuple[int, int, int], list[DutyRecord]] = {}
    for record in await store.duties_done(db, person_ids, years, start, end):
        duties.setdefault((record.person_id, record.post_id, record.year), []).append(record)
    posts = await store.posts_by_id(db, (claim.post_id for claim in held))
    found: dict[int, list[PostRecord]] = {}
    for claim in held:
        key = (claim.person_id, claim.post_id, claim.year)
        mine = duties.get(key, [])
        found.setdefault(claim.person_id, []).append(
            PostRecord(
                claim.year,
                posts[claim.post_id],
                rated.get(key),
                len(mine),
                sum(r.minutes or 0 for r in mine),
            )
        )
    return found


async def my_results(db: Database, actor: Actor, today: date) -> list[PostRecord]:
    me = member(actor)
    return await person_posts(db, me.id, date(today.year - 1, 1, 1), today)


# ------------------------------------------------------------------------- editing posts


@effect
async def _edit(
    db: Database, actor: Actor, post_id: int, action: str, **fields
) -> tuple[Post, list[Holder]]:
    async with db.transaction() as conn:
        post = await store.get_post(conn, post_id)
        if post is None:
            raise NotFound("post_unknown")
        secretary = require(actor, Role.SECRETARY, post.branch_id)
        if post.retired:
            raise Conflict("post_retired")
        cycle = await store.latest_cycle(conn, post.branch_id)
        if "capacity" in fields:
            holding = await store.places_taken(conn, post.id, cycle.year) if cycle else 0
            fields["capacity"] = check_capacity(fields["capacity"], holding)
        await store.update_post(conn, post.id, **fields)
        promoted = []
        if "capacity" in fields and cycle is not None:
            fresh = await store.get_post(conn, post.id)
            promoted = await _promote(conn, fresh, cycle.year, utcnow())
        await audit.record(
            conn,
            action=action,
            subject_type="post",
            subject_id=post.id,
            actor_id=secretary.id,
            branch_id=post.branch_id,
            **{k: v for k, v in fields.items() if k != "retired_at"},
        )
        updated = await store.get_post(conn, post.id)
    assert updated is not None
    return updated, await _holders(db, promoted)


async def edit_duties(db: Database, actor: Actor, post_id: int, text: str) -> Post:
    post, _none = await _edit(db, actor, post_id, "posts.duties_edited", duties=_text(text))
    return post


async def set_capacity(
    db: Database, actor: Actor, post_id: int, capacity: int
) -> tuple[Post, list[Holder]]:
    """More places go to the waiting list first: those promoted are returned to be told."""
    return await _edit(db, actor, post_id, "posts.capacity_set", capacity=capacity)


async def retire(db: Database, actor: Actor, post_id: int) -> Post:
    """Closed to new claims; its holders and records stay in the history."""
    post, _none = await _edit(db, actor, post_id, "posts.retired", retired_at=iso(utcnow()))
    return post


async def member_limit(db: Database, branch_id: int) -> int:
    return await store.member_limit(db, branch_id)


@effect
async def set_member_limit(
    db: Database, actor: Actor, branch_id: int, limit: int, today: date
) -> int:
    """How many posts one member may hold; claims already made are kept when it drops."""
    secretary = require(actor, Role.SECRETARY, branch_id)
    await cycle_of(db, branch_id, today)
    limit = check_member_limit(limit)
    async with db.transaction() as conn:
        await store.set_member_limit(conn, branch_id, limit)
        await audit.record(
            conn,
            action="posts.limit_set",
            subject_type="branch",
            subject_id=branch_id,
            actor_id=secretary.id,
            branch_id=branch_id,
            limit=limit,
        )
    return limit


@effect
async def add_post(db: Database, actor: Actor, branch_id: int, name: str, today: date) -> Post:
    secretary = require(actor, Role.SECRETARY, branch_id)
    await cycle_of(db, branch_id, today)
    name = _text(name, limit=NAME_MAX, code="post_name_empty")
    async with db.transaction() as conn:
        existing = await store.branch_posts(conn, branch_id)
        if any(p.name == name for p in existing):
            raise Conflict("post_name_taken")
        post_id = await store.add_post(conn, branch_id, name, DEFAULT_CAPACITY, utcnow())
        await audit.record(
            conn,
            action="posts.added",
            subject_type="post",
            subject_id=post_id,
            actor_id=secretary.id,
            branch_id=branch_id,
            name=name,
        )
        post = await store.get_post(conn, post_id)
    assert post is not None
    return post


# ------------------------------------------------------------------------- the group chat


@effect
async def link_branch_chat(
    db: Database, actor: Actor, branch_id: int, chat_id: int, title: str | None
) -> int:
    """A secretary links the group chat they are writing in to their branch."""
    secretary = require(actor, Role.SECRETARY, branch_id)
    async with db.transaction() as conn:
        await store.link_chat(conn, BRANCH_CHAT, branch_id, chat_id, title, secretary.id, utcnow())
        await audit.record(
            conn,
            action="chat.linked",
            subject_type="chat",
            subject_id=chat_id,
            actor_id=secretary.id,
            branch_id=branch_id,
            owner=BRANCH_CHAT,
        )
    return branch_id


@effect
async def publication(db: Database, actor: Actor, branch_id: int, today: date):
    """The group chat and the holders to publish there (names and posts only)."""
    secretary = require(actor, Role.SECRETARY, branch_id)
    chat_id = await store.linked_chat(db, BRANCH_CHAT, branch_id)
    if chat_id is None:
        raise Conflict("post_no_group")
    found = await board(db, branch_id, today)
    async with db.transaction() as conn:
        await audit.record(
            conn,
            action="posts.published",
            subject_type="chat",
            subject_id=chat_id,
            actor_id=secretary.id,
            branch_id=branch_id,
            year=found.cycle.year,
        )
        # The group reads the bot's default language: no one's choice is looked up for it.
        await outbox.enqueue(
            conn,
            key=f"post-publication:{branch_id}:{utcnow().isoformat()}",
            chat_id=chat_id,
            template=PUBLICATION_TEMPLATE,
            params={
                "year": found.cycle.year,
                "holders": [
                    [view.post.id, "、".join(h.person.display_name for h in view.holders)]
                    for view in found.posts
                    if view.holders
                ],
            },
            branch_id=branch_id,
        )
    return chat_id, found
