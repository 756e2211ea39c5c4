"""STAND-IN for s19-district's reads (dropped when the foundation lands)."""

from __future__ import annotations

from domain.models import Branch
from storage import districts
from storage.db import Database


async def district_of_branch(db: Database, branch_id: int) -> int | None:
    return await districts.district_of_branch(db, branch_id)


async def branches_of_district(db: Database, district_id: int) -> list[Branch]:
    return await districts.branches_of_district(db, district_id)
