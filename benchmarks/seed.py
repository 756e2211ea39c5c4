"""A county-size data set for the reports and start-up benchmarks.

    .venv/bin/python -m benchmarks.seed OUT.db [--scale 1.0] [--year 2026]

At scale 1: 200 branches, 50,000 members, 5,000 of them cadres registered with 100 units,
1,000,000 activity-hour records over the year, remarks and leaves for some cadres.
`--scale 0.01` makes a hundredth of everything (at least one branch and unit). The schema
comes from the migrations (the file is opened with `storage.db.Database` first); the rows
are written with plain sqlite3 `executemany`, a table per transaction, and deterministic
(same scale, same data).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

from domain.cadres import RANKS
from storage.db import Database

BRANCHES, MEMBERS, CADRES, UNITS, HOURS = 200, 50_000, 5_000, 100, 1_000_000
CREATED = "2025-12-01T00:00:00.000Z"
KINDS = ("lesson", "film", "volunteer", "post_duty", "co_building", "other")
STATUSES = ("verified",) * 7 + ("pending", "pending", "rejected")


def counts(scale: float) -> dict[str, int]:
    at_least_one = ("branches", "units")
    found = {
        "branches": BRANCHES,
        "members": MEMBERS,
        "cadres": CADRES,
        "units": UNITS,
        "hours": HOURS,
    }
    return {k: max(int(v * scale), 1 if k in at_least_one else 0) for k, v in found.items()}


def _insert(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable) -> None:
    marks = ", ".join("?" * len(columns))
    with conn:  # one transaction per table
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def fill(path: Path, scale: float, year: int) -> dict[str, int]:
    n = counts(scale)
    rng = random.Random(9)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")  # a benchmark set: rebuilt, never recovered
    _insert(conn, "districts", ("id", "name", "created_at"), [(1, "城关区", CREATED)])
    _insert(
        conn,
        "branches",
        ("id", "district_id", "name", "code", "created_at"),
        ((b, 1, f"第{b}社区党支部", f"B{b:04d}", CREATED) for b in range(1, n["branches"] + 1)),
    )
    _insert(
        conn,
        "unit_orgs",
        ("id", "name", "created_at"),
        ((u, f"县直单位{u}", CREATED) for u in range(1, n["units"] + 1)),
    )
    members = n["members"]
    cadre_every = max(members // max(n["cadres"], 1), 1)

    def branch_of(person: int) -> int:
        return (person - 1) % n["branches"] + 1

    def is_cadre(person: int) -> bool:
        return (
            n["cadres"] > 0 and person % cadre_every == 0 and person // cadre_every <= n["cadres"]
        )

    _insert(
        conn,
        "people",
        (
            "id",
            "telegram_id",
            "branch_id",
            "name",
            "phone",
            "category",
            "status",
            "created_at",
            "updated_at",
        ),
        (
            (
                p,
                10_000_000 + p,
                branch_of(p),
                f"党员{p}",
                f"138{p:08d}",
                "cadre" if is_cadre(p) else ("resident", "mobile", "unemployed")[p % 3],
                "active",
                CREATED,
                CREATED,
            )
            for p in range(1, members + 1)
        ),
    )
    # The first member of each branch is its secretary; every member holds the member (or
    # cadre) role that makes them one (domain/access.py).
    _insert(
        conn,
        "roles",
        ("person_id", "branch_id", "role", "granted_at"),
        ((b, b, "secretary", CREATED) for b in range(1, min(n["branches"], members) + 1)),
    )
    _insert(
        conn,
        "roles",
        ("person_id", "branch_id", "role", "granted_at"),
        (
            (p, branch_of(p), "cadre" if is_cadre(p) else "member", CREATED)
            for p in range(1, members + 1)
        ),
    )
    cadres = [p for p in range(1, members + 1) if is_cadre(p)]
    decided = f"{year}-02-01T02:00:00.000Z"
    _insert(
        conn,
        "cadre_registrations",
        (
            "person_id",
            "branch_id",
            "year",
            "version",
            "unit_id",
            "name",
            "position",
            "rank",
            "address",
            "phone",
            "status",
            "submitted_at",
            "decided_at",
            "decided_by",
        ),
        (
            (
                p,
                branch_of(p),
                year,
                1,
                i % n["units"] + 1,
                f"党员{p}",
                "科员",
                RANKS[i % len(RANKS)],
                f"幸福路{i}号",
                f"138{p:08d}",
                "confirmed",
                decided,
                decided,
                branch_of(p),
            )
            for i, p in enumerate(cadres)
            if i % 20  # every 20th cadre has not registered this year
        ),
    )
    _insert(
        conn,
        "cadre_remarks",
        ("person_id", "quarter", "remark", "created_at"),
        (
            (p, f"{year}Q{q}", "积极参加社区活动", decided)
            for p in cadres[::7]
            for q in (1, 2, 3, 4)
        ),
    )
    _insert(
        conn,
        "cadre_settings",
        ("person_id", "leave_until", "leave_note", "updated_at"),
        ((p, f"{year}-12-31", "外派学习", decided) for p in cadres[::50]),
    )
    first = date(year, 1, 1)
    _insert(
        conn,
        "hour_records",
        (
            "person_id",
            "branch_id",
            "kind",
            "day",
            "half_hours",
            "description",
            "status",
            "source",
            "created_at",
            "updated_at",
        ),
        (
            (
                p,
                branch_of(p),
                KINDS[r % len(KINDS)],
                (first + timedelta(days=r % 365)).isoformat(),
                r % 8 + 1,
                "社区志愿服务",
                STATUSES[r % len(STATUSES)],
                "self",
                CREATED,
                CREATED,
            )
            for r in range(n["hours"])
            for p in (rng.randrange(members) + 1 if members else 0,)
        ),
    )
    conn.close()
    return n


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--year", type=int, default=date.today().year)
    args = parser.parse_args(argv)
    if args.out.exists():
        parser.error(f"{args.out} exists; seed into a new file")
    async with Database(args.out):
        pass  # the schema, by the migrations
    started = time.perf_counter()
    made = fill(args.out, args.scale, args.year)
    print(f"{args.out}: {made} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    asyncio.run(main())
