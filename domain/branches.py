"""The branches, as the handlers read them (a name to show, whether one exists)."""

from __future__ import annotations

from domain.models import Branch
from storage import branches
from storage.db import Database


async def get(db: Database, branch_id: int) -> Branch | None:
    return await branches.get(db, branch_id)
