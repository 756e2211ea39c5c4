"""The nouns of co-building with resident units and the pure rules about them. No storage,
no Telegram: unit-testable as is, and storage/resident_units.py builds these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import InvalidInput
from domain.i18n import N_, LabelledEnum
from domain.validation import free_text, one_line

UNIT_NAME_MAX = 60
CONTACT_NAME_MAX = 40
REQUEST_TEXT_MAX = 200
COMMITS_MAX = 1000
ANSWER_MAX = 500
OPINION_MAX = 1500
#: How far ahead a request may be dated, and how far back (a request recorded late).
REQUEST_DAYS_AHEAD = 366
REQUEST_DAYS_BACK = 31


class UnitKind(LabelledEnum):
    GOVERNMENT = "government", N_("Government office")  # 机关
    ENTERPRISE = "enterprise", N_("Enterprise")  # 企业
    SCHOOL = "school", N_("School")  # 学校
    HOSPITAL = "hospital", N_("Hospital or clinic")  # 医院
    SOCIAL = "social", N_("Social organisation")  # 社会组织
    OTHER = "other", N_("Other unit")


class Offer(LabelledEnum):
    """What a unit can offer the community (multi-choice)."""

    ROOMS = "rooms", N_("Rooms")
    VOLUNTEERS = "volunteers", N_("Volunteers")
    FUNDS = "funds", N_("Funds")
    EXPERTISE = "expertise", N_("Expertise")


class RequestKind(LabelledEnum):
    ROOM = "room", N_("A room")
    VOLUNTEERS = "volunteers", N_("Volunteers")
    FUNDS = "funds", N_("Funds")
    EXPERTISE = "expertise", N_("Expertise")
    OTHER = "other", N_("Something else")


class RequestStatus(LabelledEnum):
    PENDING = "pending", N_("waiting for the unit's answer")
    ACCEPTED = "accepted", N_("accepted")
    DECLINED = "declined", N_("declined")


@dataclass(frozen=True)
class ResidentUnit:
    id: int
    branch_id: int
    name: str
    kind: UnitKind
    contact_name: str | None
    contact_phone: str | None
    offers: tuple[Offer, ...]


@dataclass(frozen=True)
class Agreement:
    id: int
    resident_unit_id: int
    year: int
    branch_commits: str
    unit_commits: str
    recorded_at: datetime


@dataclass(frozen=True)
class CobuildRequest:
    id: int
    resident_unit_id: int
    branch_id: int
    kind: RequestKind
    text: str
    wanted_on: date
    status: RequestStatus
    answer: str | None
    created_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class Opinion:
    id: int
    resident_unit_id: int
    year: int
    text: str
    given_at: datetime


@dataclass(frozen=True)
class UnitYear:
    """One unit's co-building record of a year: what both sides see in /cobuild."""

    unit: ResidentUnit
    year: int
    agreement: Agreement | None
    requests: tuple[CobuildRequest, ...]
    opinion: Opinion | None


@dataclass(frozen=True)
class BranchActivity:
    """A branch's co-building of a period, one row of the county's sheet."""

    branch_id: int
    branch: str
    units: int
    units_with_contact: int
    agreements: int
    requests: int
    accepted: int
    declined: int
    opinions: int


def unit_name(value: str) -> str:
    return one_line(value, "resident_unit_name", 2, UNIT_NAME_MAX)


def contact_name(value: str) -> str:
    return one_line(value, "resident_contact_name", 2, CONTACT_NAME_MAX)


def request_text(value: str) -> str:
    return free_text(value, "cobuild_request_text", REQUEST_TEXT_MAX)


def commits(value: str) -> str:
    return free_text(value, "cobuild_commits", COMMITS_MAX)


def answer_text(value: str) -> str:
    return free_text(value, "cobuild_answer", ANSWER_MAX)


def opinion_text(value: str) -> str:
    return free_text(value, "cobuild_opinion", OPINION_MAX)


def wanted_on(day: date, today: date) -> date:
    """The day a request is for: not long past, not more than a year ahead."""
    if (today - day).days > REQUEST_DAYS_BACK:
        raise InvalidInput("cobuild_date_past")
    if (day - today).days > REQUEST_DAYS_AHEAD:
        raise InvalidInput("cobuild_date_far")
    return day


def offers_of(stored: str) -> tuple[Offer, ...]:
    """The stored comma-separated list, in the order of `Offer` (unknown values dropped)."""
    chosen = set(stored.split(",")) if stored else set()
    return tuple(o for o in Offer if o.value in chosen)


def stored_offers(chosen: Iterable[Offer | str]) -> str:
    wanted = {Offer(c) for c in chosen}
    return ",".join(o.value for o in Offer if o in wanted)


def toggled(chosen: Iterable[Offer | str], offer: Offer) -> tuple[Offer, ...]:
    """The choice with `offer` added, or taken away when it was there."""
    current = set(offers_of(stored_offers(chosen)))
    current ^= {offer}
    return tuple(o for o in Offer if o in current)


def tally(branch_id: int, branch: str, years: Iterable[UnitYear], contacts: int) -> BranchActivity:
    """The county's row from the branch's unit-years of the period."""
    years = list(years)
    requests = [r for y in years for r in y.requests]
    return BranchActivity(
        branch_id=branch_id,
        branch=branch,
        units=len({y.unit.id for y in years}),
        units_with_contact=contacts,
        agreements=sum(1 for y in years if y.agreement is not None),
        requests=len(requests),
        accepted=sum(1 for r in requests if r.status is RequestStatus.ACCEPTED),
        declined=sum(1 for r in requests if r.status is RequestStatus.DECLINED),
        opinions=sum(1 for y in years if y.opinion is not None),
    )
