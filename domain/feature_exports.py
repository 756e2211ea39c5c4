"""The features' sheets in /export and their sections in /mydata, registered from here so
the feature modules stay as they are. Imported once (handlers/__init__.py) to register."""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import Any

from domain import hours, mydata
from domain.activity import ActivityKind, CheckMethod, as_hours
from domain.exports import Export, Period, register
from domain.i18n import N_
from domain.mobile.models import Direction, RegStatus
from domain.models import Person
from domain.post_models import ClaimStatus
from storage import feature_exports as store
from storage.db import Database, parse_iso


class MobileEventKind(str):
    """A step of a mobile registration's history; the sheet shows its name."""


async def _mobile_rows(db: Database, branch_id: int, period: Period | None, tz: tzinfo) -> list:
    return [
        [
            r["id"],
            r["name"],
            Direction(r["direction"]),
            RegStatus(r["status"]),
            parse_iso(r["created_at"]),
            parse_iso(r["at"]),
            MobileEventKind(r["kind"]) if r["kind"] else None,
            r["note"],
        ]
        for r in await store.mobile_history(db, branch_id)
    ]


async def _post_rows(db: Database, branch_id: int, period: Period | None, tz: tzinfo) -> list:
    return [
        [
            r["post"] or r["code"],
            r["capacity"],
            parse_iso(r["retired_at"]),
            r["year"],
            r["name"],
            ClaimStatus(r["status"]) if r["status"] else None,
            parse_iso(r["approved_at"]),
        ]
        for r in await store.post_holders(db, branch_id)
    ]


def _hours(half_hours: int) -> float:
    return float(as_hours(half_hours))


async def _hours_rows(db: Database, branch_id: int, period: Period | None, tz: tzinfo) -> list:
    """The counted hours follow the branch's choice, named in the last column."""
    assert period is not None
    found = await store.hours_per_member(
        db, branch_id, period.start.isoformat(), period.end.isoformat()
    )
    counting = await hours.counting_of(db, branch_id)
    return [
        [
            r["id"],
            r["name"],
            ActivityKind(r["kind"]),
            _hours(r["verified"]),
            _hours(r["pending"]),
            _hours(hours.counted(r["verified"], r["pending"], counting)),
            counting,
        ]
        for r in found
    ]


async def _event_rows(db: Database, branch_id: int, period: Period | None, tz: tzinfo) -> list:
    assert period is not None
    start, end = period.utc_bounds(tz)
    return [
        [
            r["id"],
            r["title"],
            parse_iso(r["starts_at"]),
            parse_iso(r["ends_at"]),
            r["place"],
            r["name"],
            parse_iso(r["checked_in_at"]),
            parse_iso(r["checked_out_at"]),
            CheckMethod(r["method_in"]) if r["method_in"] else None,
        ]
        for r in await store.attendance(db, branch_id, start, end)
    ]


register(
    Export(
        "mobile",
        N_("Mobile members and their history"),
        (
            N_("Registration"),
            N_("Name"),
            N_("Direction"),
            N_("Status"),
            N_("Registered at"),
            N_("When"),
            N_("What happened"),
            N_("Note"),
        ),
        _mobile_rows,
    )
)
register(
    Export(
        "posts",
        N_("Posts and holders"),
        (
            N_("Post"),
            N_("Places"),
            N_("Retired at"),
            N_("Year"),
            N_("Holder"),
            N_("Status"),
            N_("Approved at"),
        ),
        _post_rows,
    )
)
register(
    Export(
        "hours",
        N_("Hours per member"),
        (
            N_("Member"),
            N_("Name"),
            N_("Activity"),
            N_("Verified hours"),
            N_("Self-reported hours (to be verified)"),
            N_("Hours counted"),
            N_("Counted as"),
        ),
        _hours_rows,
        dated=True,
    )
)
register(
    Export(
        "events",
        N_("Events and attendance"),
        (
            N_("Event"),
            N_("Title"),
            N_("Starts"),
            N_("Ends"),
            N_("Place"),
            N_("Attendee"),
            N_("Checked in"),
            N_("Checked out"),
            N_("How"),
        ),
        _event_rows,
        dated=True,
    )
)


def _personal(section: str):
    async def rows(db: Database, telegram_id: int, person: Person | None) -> Any:
        if person is None:
            return None
        found = await store.personal(db, section, person.id)
        for row in found:
            for key in ("details", "report", "changes"):
                if isinstance(row.get(key), str):
                    row[key] = json.loads(row[key])
        return found

    return rows


for _section in store.PERSONAL:
    mydata.provider(_section)(_personal(_section))
