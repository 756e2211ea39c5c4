"""The nouns of the responsibility posts (设岗定责) and the pure rules about them: the
four-stage machine and the capacity rules. No storage, no Telegram: unit-testable as is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.errors import Conflict, InvalidInput
from domain.i18n import N_


class Stage(StrEnum):
    SURVEY = "survey"  # 调查摸底
    APPLY = "apply"  # 申报上岗
    PERFORM = "perform"  # 上岗履职
    ASSESS = "assess"  # 考核评岗


STAGES: tuple[Stage, ...] = tuple(Stage)


class Action(StrEnum):
    SURVEY = "survey"
    CLAIM = "claim"
    DECIDE = "decide"
    WITHDRAW = "withdraw"
    RECORD = "record"
    NOTE_REQUEST = "note_request"
    ASSESS = "assess"


# What each stage allows. Pending claims and withdrawals may still be settled while the
# holders perform; assessment freezes who holds what.
ALLOWED: dict[Stage, frozenset[Action]] = {
    Stage.SURVEY: frozenset({Action.SURVEY}),
    Stage.APPLY: frozenset({Action.CLAIM, Action.DECIDE, Action.WITHDRAW}),
    Stage.PERFORM: frozenset({Action.DECIDE, Action.WITHDRAW, Action.RECORD, Action.NOTE_REQUEST}),
    Stage.ASSESS: frozenset({Action.ASSESS}),
}


def allows(stage: Stage, action: Action) -> bool:
    return action in ALLOWED[stage]


def check_stage(stage: Stage, action: Action) -> None:
    if not allows(stage, action):
        raise Conflict("post_wrong_stage", stage=str(stage))


def next_stage(stage: Stage) -> Stage | None:
    """None after assessment: the year is complete and the next year's survey begins."""
    index = STAGES.index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def previous_stage(stage: Stage) -> Stage | None:
    index = STAGES.index(stage)
    return STAGES[index - 1] if index > 0 else None


class ClaimStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WAITING = "waiting"
    LEAVING = "leaving"  # approved holder asked to withdraw; keeps the place until consent
    WITHDRAWN = "withdrawn"


# A claim in these takes one of the post's places.
HOLDING: tuple[ClaimStatus, ...] = (ClaimStatus.PENDING, ClaimStatus.APPROVED, ClaimStatus.LEAVING)
# A claim in these blocks a second claim of the same post and counts against the limit.
OPEN: tuple[ClaimStatus, ...] = (*HOLDING, ClaimStatus.WAITING)

DEFAULT_CAPACITY = 2
DEFAULT_MEMBER_LIMIT = 3
MAX_CAPACITY = 50
MAX_MEMBER_LIMIT = 10


def check_claim(*, open_claims: int, limit: int, taken: int, capacity: int, twice: bool) -> None:
    """May a member claim a place now? Refusals in the order a member can act on them."""
    if twice:
        raise Conflict("post_claim_twice")
    if open_claims >= limit:
        raise Conflict("post_claim_limit", limit=limit)
    if taken >= capacity:
        raise Conflict("post_full")


def check_waiting(*, open_claims: int, limit: int, taken: int, capacity: int, twice: bool) -> None:
    """The waiting list is for a full post only; a free place is claimed directly."""
    if twice:
        raise Conflict("post_claim_twice")
    if open_claims >= limit:
        raise Conflict("post_claim_limit", limit=limit)
    if taken < capacity:
        raise Conflict("post_not_full")


def check_capacity(value: int, holding: int) -> int:
    if not 1 <= value <= MAX_CAPACITY:
        raise InvalidInput("post_capacity_range", max=MAX_CAPACITY)
    if value < holding:
        raise Conflict("post_capacity_below_holders", holding=holding)
    return value


def check_member_limit(value: int) -> int:
    if not 1 <= value <= MAX_MEMBER_LIMIT:
        raise InvalidInput("post_limit_range", max=MAX_MEMBER_LIMIT)
    return value


class Availability(StrEnum):
    EVENINGS = "evenings"
    WEEKENDS = "weekends"
    BOTH = "both"


class Rating(StrEnum):
    EXCELLENT = "excellent"  # 优秀
    COMPETENT = "competent"  # 称职
    BASICALLY_COMPETENT = "basically_competent"  # 基本称职
    INCOMPETENT = "incompetent"  # 不称职


@dataclass(frozen=True)
class CountyPost:
    code: str
    name: str
    duties: str


# The county's ten posts (policy 二(三)2), in the policy's order.
COUNTY_POSTS: tuple[CountyPost, ...] = (
    CountyPost(
        "publicity",
        N_("Policy publicity post"),
        N_(
            "Explain the Party's policies and the community's notices to residents; keep the notice board current."
        ),
    ),
    CountyPost(
        "oversight",
        N_("Party-affairs oversight post"),
        N_(
            "Watch that branch affairs and finances are made public and rules are kept; pass on members' and residents' opinions."
        ),
    ),
    CountyPost(
        "opinion",
        N_("Public opinion collection post"),
        N_(
            "Listen to residents, collect their opinions and requests, and report them to the branch promptly."
        ),
    ),
    CountyPost(
        "relief",
        N_("Poverty relief post"),
        N_(
            "Keep in touch with households in difficulty, help them with their needs and with applications for aid."
        ),
    ),
    CountyPost(
        "information",
        N_("Information relay post"),
        N_("Pass branch and community information to residents and their feedback back."),
    ),
    CountyPost(
        "services",
        N_("Convenience services post"),
        N_(
            "Help residents with everyday errands and services, especially the elderly and people living alone."
        ),
    ),
    CountyPost(
        "cleaning",
        N_("Environment cleaning post"),
        N_(
            "Take part in keeping the neighbourhood clean and green; encourage residents to sort waste."
        ),
    ),
    CountyPost(
        "facilities",
        N_("Facility maintenance post"),
        N_("Check public facilities regularly and report or arrange repairs."),
    ),
    CountyPost(
        "mediation",
        N_("Security and mediation post"),
        N_("Help with neighbourhood watch and fire safety; mediate disputes between neighbours."),
    ),
    CountyPost(
        "civility",
        N_("Civic virtue post"),
        N_(
            "Promote civic virtue and good family traditions; lead by example in community activities."
        ),
    ),
)
COUNTY_BY_CODE: dict[str, CountyPost] = {p.code: p for p in COUNTY_POSTS}


@dataclass(frozen=True)
class Post:
    id: int
    branch_id: int
    code: str | None
    name: str | None
    duties: str | None
    capacity: int
    retired: bool


@dataclass(frozen=True)
class Cycle:
    branch_id: int
    year: int
    stage: Stage


@dataclass(frozen=True)
class Claim:
    id: int
    post_id: int
    person_id: int
    year: int
    status: ClaimStatus
    reason: str | None


@dataclass(frozen=True)
class DutyRecord:
    post_id: int
    person_id: int
    year: int
    done_on: date
    text: str
    photo_file_id: str | None = None
    # Whole minutes, so the hours ledger can take them over without rounding.
    minutes: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class Assessment:
    post_id: int
    person_id: int
    year: int
    rating: Rating
    comment: str
    assessed_at: datetime | None
