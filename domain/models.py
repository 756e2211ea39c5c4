"""The nouns of the domain, as plain dataclasses and string enums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.i18n import N_, LabelledEnum


class Category(StrEnum):
    """Member categories the county tracks (see DOMAIN.md)."""

    RESIDENT = "resident"
    MOBILE = "mobile"
    UNEMPLOYED = "unemployed"
    CADRE = "cadre"
    ACTIVIST = "activist"


class PersonStatus(LabelledEnum):
    PENDING = "pending", N_("waiting for approval")
    ACTIVE = "active", N_("member")
    REJECTED = "rejected", N_("rejected")
    LEFT = "left", N_("left")


class Role(StrEnum):
    MEMBER = "member"
    SECRETARY = "secretary"
    CADRE = "cadre"
    UNIT = "unit"
    COUNTY = "county"
    # Contacts of the organisations around a branch (issue 19): the district working
    # committee (held per district, in district_roles), party-building instructors,
    # resident units and county patrons (held per branch, in roles).
    DISTRICT = "district"
    INSTRUCTOR = "instructor"
    RESIDENT_UNIT = "resident_unit"
    PATRON = "patron"


# What an invitation can make someone: every role but secretary, which only the operator
# gives (`partybot secretary`), never a link. Derived from Role, so the two lists cannot drift.
InviteRole = StrEnum(
    "InviteRole", [(role.name, role.value) for role in Role if role is not Role.SECRETARY]
)


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Branch:
    id: int
    name: str
    code: str
    district_id: int | None
    timezone: str | None


@dataclass(frozen=True)
class Person:
    id: int
    telegram_id: int | None
    branch_id: int | None
    name: str | None
    phone: str | None
    category: Category | None
    status: PersonStatus

    @property
    def display_name(self) -> str:
        return self.name or (f"#{self.telegram_id}" if self.telegram_id else f"#{self.id}")


@dataclass(frozen=True)
class Invite:
    id: int
    code: str
    branch_id: int | None  # None for the district role's invitation: it has district_id
    role: InviteRole
    uses_left: int
    expires_at: datetime | None
    # The unit organisation a unit contact's invitation is for.
    unit_id: int | None = None
    # A personal invitation binds the account to this pre-created person (roster import).
    person_id: int | None = None
    district_id: int | None = None


@dataclass(frozen=True)
class JoinRequest:
    id: int
    person_id: int
    branch_id: int | None  # None for the district role: the request is to district_id
    role: InviteRole
    status: RequestStatus
    created_at: datetime
    reason: str | None
    unit_id: int | None = None
    district_id: int | None = None


class RegistrationStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


@dataclass(frozen=True)
class UnitOrg:
    """A unit party organisation (单位党组织): the employer's side of dual management."""

    id: int
    name: str
    parent_id: int | None
    locale: str | None
    chat_id: int | None


@dataclass(frozen=True)
class CadreRegistration:
    """One version of a cadre's annual registration (年度注册)."""

    id: int
    person_id: int
    branch_id: int
    year: int
    version: int
    unit_id: int | None
    unit_name: str | None
    name: str
    position: str
    rank: str
    address: str
    phone: str
    status: RegistrationStatus
    submitted_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class Leave:
    """A cadre's "on leave until …": reminders pause, summaries say so."""

    until: date
    note: str | None
