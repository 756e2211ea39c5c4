"""A branch's periods for mobile members: a certificate's validity, how often a report is
due and how long a secretary may go without contact."""

from __future__ import annotations

from dataclasses import replace

from domain.errors import InvalidInput, NotFound
from domain.mobile.models import MobileSettings
from domain.unit_of_work import unit_of_work
from storage import branches
from storage import mobile as store
from storage.db import Database


def check_settings(chosen: MobileSettings) -> MobileSettings:
    if not 1 <= chosen.validity_months <= 6:
        raise InvalidInput("validity_months")
    if not 1 <= chosen.report_days <= 366 or not 1 <= chosen.contact_days <= 366:
        raise InvalidInput("period_days")
    return chosen


async def branch_settings(db: Database, branch_id: int) -> MobileSettings:
    if await branches.get(db, branch_id) is None:
        raise NotFound("branch_unknown", branch=branch_id)
    return await store.settings(db, branch_id)


async def change_settings(db: Database, branch_id: int, **changes: int) -> MobileSettings:
    """Operator (CLI) change of a branch's validity, report and contact periods."""
    chosen = check_settings(replace(await branch_settings(db, branch_id), **changes))
    async with unit_of_work(db, None, branch_id=branch_id) as work:
        await store.save_settings(work.conn, branch_id, chosen)
        await work.audit("mobile.settings", "branch", branch_id, **changes)
    return chosen
