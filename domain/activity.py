"""The nouns of activity hours and events (kept apart from `hours`/`events` so that
storage can build them without importing the rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.i18n import N_, LabelledEnum


def as_hours(half_hours: int) -> Decimal:
    return Decimal(half_hours) / 2


@dataclass(frozen=True)
class Draft:
    """The hours of one record as a member confirmed them in /hours, or as an event (its
    attendance) or a post (its duty record) brought them."""

    kind: ActivityKind
    day: date
    half_hours: int
    description: str
    photo_file_id: str | None = None
    event_id: int | None = None
    post_id: int | None = None


class ActivityKind(LabelledEnum):
    """Kinds of activity, as hours are logged and events created."""

    LESSON = "lesson", N_("Party lesson")  # 党课
    FILM = "film", N_("Education film")  # 电教片
    VOLUNTEER = "volunteer", N_("Volunteer service")  # 志愿服务
    POST_DUTY = "post_duty", N_("Post duty")  # 岗位履职, linked to a post
    CO_BUILDING = "co_building", N_("Co-building with resident units")  # 共建活动
    OTHER = "other", N_("Other")


class HourStatus(StrEnum):
    PENDING = "pending"  # attested: self-reported, waiting for the secretary
    VERIFIED = "verified"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class HourSource(StrEnum):
    SELF = "self"
    EVENT = "event"


@dataclass(frozen=True)
class HourRecord:
    id: int
    person_id: int
    branch_id: int
    kind: ActivityKind
    day: date
    half_hours: int
    description: str
    photo_file_id: str | None
    status: HourStatus
    source: HourSource
    event_id: int | None
    post_id: int | None
    reason: str | None
    created_at: datetime

    @property
    def hours(self) -> Decimal:
        return as_hours(self.half_hours)


class Rsvp(StrEnum):
    GOING = "going"
    NOT_GOING = "not_going"


class CheckMethod(LabelledEnum):
    """How someone's attendance was recorded."""

    CODE = "code", N_("code")
    LOCATION = "location", N_("live location")
    SECRETARY = "secretary", N_("recorded by the secretary")


@dataclass(frozen=True)
class EventDraft:
    """An event as a secretary confirmed it in /newevent; an `Event` once it is stored."""

    branch_id: int
    title: str
    kind: ActivityKind
    starts_at: datetime
    ends_at: datetime
    place: str
    latitude: float | None = None
    longitude: float | None = None
    capacity: int | None = None
    open_to_cadres: bool = True
    open_to_inflow: bool = True


@dataclass(frozen=True, kw_only=True)
class Event(EventDraft):
    """A stored event: its id, and the secret its check-in codes are made from."""

    id: int
    secret: str

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Attendance:
    event_id: int
    person_id: int
    checked_in_at: datetime
    checked_out_at: datetime | None
    method_in: CheckMethod
    method_out: CheckMethod | None
