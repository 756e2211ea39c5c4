"""The county's table of the year's assessments, for the commendation meeting (总结表彰会):
one row per branch, assessed or not, in Chinese as the county's office documents are."""

from __future__ import annotations

from domain import districts
from domain.access import Actor
from domain.activity import as_hours
from domain.assessment.labels import CRITERION_LABELS, GRADE_LABELS
from domain.assessment.models import CRITERIA
from domain.errors import NotAllowed, NotFound
from domain.i18n import translator
from domain.models import Role
from domain.spreadsheets import Sheet, write_workbook
from storage import assessments as store
from storage import branches
from storage.db import Database

OFFICE_LOCALE = "zh_Hans"


async def county_table(
    db: Database, actor: Actor | None, year: int, district_id: int | None = None
) -> bytes:
    """For a county contact or the operator (actor None); one district's or every branch."""
    if actor is not None and not actor.has(Role.COUNTY):
        raise NotAllowed("not_county")
    everything = await branches.all_branches(db)
    if district_id is not None:
        if await districts.name_of(db, district_id) is None:
            raise NotFound("district_unknown", district=district_id)
        ids = {b.id for b in await districts.branches_of_district(db, district_id)}
        everything = [b for b in everything if b.id in ids]
    t = translator(OFFICE_LOCALE)
    found = {a.branch_id: a for a in await store.assessments(db, year, [b.id for b in everything])}
    names = await store.district_names(db)
    headers = [
        "区",
        "社区党支部",
        *(t.gettext(CRITERION_LABELS[c]) for c in CRITERIA),
        "评语",
        "党员数",
        "流动党员数",
        "核实活动时长（小时）",
        "在岗岗位数",
        "干部注册（已注册/应注册）",
        "责任状签订日期",
        "创建目标",
    ]
    rows = []
    for branch in sorted(everything, key=lambda b: (names.get(b.district_id, ""), b.name)):
        a = found.get(branch.id)
        targets = await store.targets_of(db, branch.id, year)
        grades = [t.gettext(GRADE_LABELS[a.grades[c]]) for c in CRITERIA] if a else ["未评定"] * 5
        f = a.figures if a else None
        rows.append(
            [
                names.get(branch.district_id, ""),
                branch.name,
                *grades,
                a.comment if a else "",
                f.members if f else None,
                f.mobile if f else None,
                float(as_hours(f.half_hours_verified)) if f else None,
                f.posts_held if f else None,
                f"{f.cadres_registered}/{f.cadres_due}" if f else "",
                targets.pledge_signed_on if targets and targets.pledge_signed_on else None,
                targets.targets if targets and targets.targets else "",
            ]
        )
    return write_workbook([Sheet(f"{year}年度五个好考评", headers, rows)])
