"""The year's figures of a branch the district sees beside its grades, from the features'
own reads (members, mobile members, verified hours, posts held, cadres registered)."""

from __future__ import annotations

from datetime import date

from domain.activity import HourStatus
from domain.assessment.models import YearFigures
from domain.mobile.models import ListKind
from domain.post_models import ClaimStatus
from storage import cadres, mobile
from storage import hours as hour_store
from storage.db import Database
from storage.posts import catalog, claims

# A post is filled by a holder the secretary approved (one leaving still holds it).
FILLED = (ClaimStatus.APPROVED, ClaimStatus.LEAVING)


async def year_figures(db: Database, branch_id: int, year: int) -> YearFigures:
    members = await catalog.active_members(db, branch_id)
    half_hours = sum(
        total
        for _pid, _name, _kind, status, total in await hour_store.branch_sums(
            db, branch_id, date(year, 1, 1), date(year, 12, 31)
        )
        if status is HourStatus.VERIFIED
    )
    registered = {r.person_id for r in await cadres.current(db, year, branch_id)}
    due = {p.id for p in await cadres.cadre_people(db, branch_id)}
    return YearFigures(
        members=len(members),
        mobile=await mobile.count(db, branch_id, ListKind.OUTFLOW, "")
        + await mobile.count(db, branch_id, ListKind.INFLOW, ""),
        half_hours_verified=half_hours,
        posts_held=len(await claims.branch_claims(db, branch_id, year, FILLED)),
        cadres_registered=len(registered),
        cadres_due=len(due | registered),
    )
