"""Spreadsheet exports of a branch, as a registry: one `Export` per sheet kind.

A feature adds its sheet with a few lines:

    register(Export("posts", N_("Posts and holders"), (N_("Post"), N_("Holder")), post_rows))

where `post_rows(db, branch_id, period)` returns the rows. Cells are plain values; enum
members (categories, statuses) and aware datetimes are rendered by the caller in the
reader's language and time zone.
"""

from __future__ import annotations

import calendar
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from domain.access import Actor, require
from domain.errors import InvalidInput, NotFound
from domain.i18n import N_
from domain.models import Category, Person, PersonStatus, Role
from domain.roster import parse_date
from storage import console
from storage.db import Database, iso, parse_iso


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def utc_bounds(self, tz: tzinfo) -> tuple[str, str]:
        start = datetime.combine(self.start, time(), tz)
        end = datetime.combine(self.end + timedelta(days=1), time(), tz)
        return iso(start), iso(end)


Rows = Callable[[Database, int, Period | None, tzinfo], Awaitable[list[Sequence[Any]]]]


@dataclass(frozen=True)
class Export:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: Rows
    dated: bool = False


log = logging.getLogger(__name__)

EXPORTS: dict[str, Export] = {}

# Quick choices of a period, offered as buttons for dated exports.
PERIOD_CHOICES = {"d7": N_("last 7 days"), "d30": N_("last 30 days"), "year": N_("this year")}


def register(export: Export) -> Export:
    EXPORTS[export.key] = export
    return export


def period_choice(choice: str, today: date) -> Period:
    if choice == "year":
        return Period(date(today.year, 1, 1), today)
    days = {"d7": 7, "d30": 30}.get(choice)
    if days is None:
        raise InvalidInput("period_invalid")
    return Period(today - timedelta(days=days - 1), today)


def period_typed(start: str, end: str, today: date) -> Period:
    """From two dates as people type them; a year-month means the whole month."""
    first, last = parse_date(start, today), parse_date(end, today)
    begin = date.fromisoformat(first if len(first) > 7 else f"{first}-01")
    if len(last) > 7:
        finish = date.fromisoformat(last)
    else:
        year, month = map(int, last.split("-"))
        finish = date(year, month, calendar.monthrange(year, month)[1])
    if finish < begin:
        raise InvalidInput("period_invalid")
    return Period(begin, finish)


@dataclass(frozen=True)
class Built:
    export: Export
    rows: list[Sequence[Any]]
    period: Period | None


def check(actor: Actor, branch_id: int, key: str, period: Period | None) -> tuple[Person, Export]:
    """The secretary and the export, or why it cannot be made: before any work is shown."""
    secretary = require(actor, Role.SECRETARY, branch_id)
    export = EXPORTS.get(key)
    if export is None:
        raise NotFound("export_unknown")
    if export.dated and period is None:
        raise InvalidInput("period_invalid")
    return secretary, export


async def build(
    db: Database,
    actor: Actor,
    branch_id: int,
    key: str,
    period: Period | None,
    tz: tzinfo,
) -> Built:
    secretary, export = check(actor, branch_id, key, period)
    rows = await export.rows(db, branch_id, period if export.dated else None, tz)
    # Logged, not audited: the audit log records changes, and an export changes nothing
    # (a secretary's export must leave the database as it was).
    log.info(
        "export %s of branch %s by person %s: %d rows", key, branch_id, secretary.id, len(rows)
    )
    return Built(export, rows, period if export.dated else None)


class AuditAction(str):
    """An audit entry's action code; the sheet shows its name where it has one."""


async def _member_rows(db: Database, branch_id: int, period: Period | None, tz: tzinfo) -> list:
    return [
        [
            r["id"],
            r["name"],
            r["phone"],
            Category(r["category"]) if r["category"] else None,
            r["joined_on"],
            PersonStatus(r["status"]),
            r["telegram_id"] is not None,
            parse_iso(r["created_at"]),
        ]
        for r in await console.members(db, branch_id)
    ]


async def _audit_rows(db: Database, branch_id: int, period: Period | None, tz: tzinfo) -> list:
    assert period is not None
    start, end = period.utc_bounds(tz)
    return [
        [
            parse_iso(e["at"]),
            e["actor_name"] or (f"#{e['actor_id']}" if e["actor_id"] else None),
            AuditAction(e["action"]),
            e["subject_type"],
            e["subject_id"],
            json.dumps(e["details"], ensure_ascii=False, sort_keys=True),
        ]
        for e in await console.audit_between(db, branch_id, start, end)
    ]


register(
    Export(
        "members",
        N_("Members"),
        (
            N_("ID"),
            N_("Name"),
            N_("Phone"),
            N_("Category"),
            N_("Joined the party"),
            N_("Status"),
            N_("Uses the bot"),
            N_("Registered"),
        ),
        _member_rows,
    )
)
register(
    Export(
        "audit",
        N_("Audit log"),
        (N_("Time"), N_("Who"), N_("Action"), N_("Subject"), N_("Subject id"), N_("Details")),
        _audit_rows,
        dated=True,
    )
)


async def audit_page(
    db: Database, actor: Actor, branch_id: int, page: int, size: int
) -> list[dict]:
    """A page of the branch's audit log, newest first, with one entry of the next page
    when there is one."""
    require(actor, Role.SECRETARY, branch_id)
    return await console.audit_page(db, branch_id, page * size, size + 1)
