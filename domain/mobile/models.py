"""The nouns of mobile-member work (流动党员管理)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Direction(StrEnum):
    OUTFLOW = "outflow"  # 外出
    INFLOW = "inflow"  # 流入


class RegStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    RETURNING = "returning"  # the member says they are back; the certificate is due
    CLOSED = "closed"


OPEN_STATUSES = (RegStatus.PENDING, RegStatus.ACTIVE, RegStatus.RETURNING)


class ListKind(StrEnum):
    PENDING = "pending"
    OUTFLOW = "outflow"
    INFLOW = "inflow"
    REPORT_OVERDUE = "report"
    CONTACT_OVERDUE = "contact"
    EXPIRING = "expiring"


@dataclass(frozen=True)
class MobileSettings:
    """Per branch. Six months is the national maximum of a certificate's validity."""

    validity_months: int = 6
    report_days: int = 30
    contact_days: int = 90


@dataclass(frozen=True)
class Registration:
    id: int
    person_id: int
    person_name: str
    person_telegram_id: int | None
    branch_id: int
    direction: Direction
    status: RegStatus
    created_at: datetime
    decided_at: datetime | None
    reason: str | None
    last_report_at: datetime | None
    last_contact_at: datetime | None
    version: int
    details: dict[str, str]


@dataclass(frozen=True)
class Certificate:
    id: int
    registration_id: int
    branch_id: int
    number: str
    verify_code: str
    holder: str
    destination: str
    issued_on: date
    valid_until: date
    revoked: bool
    revoked_reason: str | None

    def valid_on(self, day: date) -> bool:
        return not self.revoked and self.issued_on <= day <= self.valid_until


@dataclass(frozen=True)
class Version:
    version: int
    details: dict[str, str]
    report: dict[str, str] | None
    created_at: datetime


@dataclass(frozen=True)
class Change:
    """Reported changes of a registration's details, waiting for (or past) a decision."""

    id: int
    registration_id: int
    changes: dict[str, str]
    status: str
    reason: str | None


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    actor_name: str | None
    note: str | None
