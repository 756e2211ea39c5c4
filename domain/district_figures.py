"""What a district (区党工委) sees of each of its branches: a quarter's figures at a glance.

The figures come from a list of small providers, one per feature (PROVIDERS): each reads
its own tables for one branch and returns lines. A feature adds its figures to /district,
the branch summaries and the quarterly XLSX by adding one provider there (the appraisal
and development progress of issue 18 come in that way).

Only what the district needs: counts, and names where it must act on them (cadres not
registered, members whose reports or contacts are overdue). Never a phone number or an
address; contacts of organisations are never counted as members."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import appraisal, cadre_figures, development
from domain.access import Actor
from domain.activity import as_hours
from domain.appraisal.models import STAGE_NAMES as APPRAISAL_STAGES
from domain.errors import NotAllowed, NotFound
from domain.i18n import N_, Translator
from domain.mobile.lists import cutoff_for
from domain.mobile.models import ListKind
from domain.models import Branch, Role
from domain.periods import Period
from domain.post_models import HOLDING, Stage
from storage import branches, districts, people
from storage import hours as hours_store
from storage import mobile as mobile_store
from storage import posts as posts_store
from storage.db import Database

# Names listed under one line at most; the rest are counted ("and 3 more").
NAMES_SHOWN = 10


@dataclass(frozen=True)
class Line:
    """One figure: `label` is a message with {placeholders} filled from `params`; `names`
    the people it is about, where the district needs them."""

    label: str
    params: dict[str, int | Decimal | str] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    # The params whose values are messages themselves (a stage's name), translated too.
    terms: tuple[str, ...] = ()

    def text(self, t: Translator) -> str:
        params = {
            k: t.number(v) if isinstance(v, int | Decimal) else v for k, v in self.params.items()
        }
        params.update({k: t.gettext(str(self.params[k])) for k in self.terms})
        return t.gettext(self.label, **params)


@dataclass(frozen=True)
class Scope:
    """What every provider reads from: the branch, the quarter, and the moment."""

    db: Database
    branch: Branch
    quarter: Period
    now: datetime
    today: date
    # The branch's cadres with this year's registration (the county's read once for all
    # branches, then grouped: a scan of the county's per branch grew with branches x cadres).
    cadres: list[cadre_figures.CadreFigures]

    @property
    def until(self) -> date:
        """The quarter's last day, or today while it runs."""
        return min(self.quarter.end, self.today)


Provider = Callable[[Scope], Awaitable[list[Line]]]


async def members(scope: Scope) -> list[Line]:
    count = await people.member_count(scope.db, scope.branch.id)
    return [Line(N_("Members: {n}"), {"n": count})]


async def mobile_overdue(scope: Scope) -> list[Line]:
    settings = await mobile_store.settings(scope.db, scope.branch.id)
    found = []
    for kind, label in (
        (ListKind.REPORT_OVERDUE, N_("Mobile members with an overdue report: {n}")),
        (ListKind.CONTACT_OVERDUE, N_("Mobile members out of contact too long: {n}")),
    ):
        cutoff = cutoff_for(kind, settings, scope.now, scope.today)
        count = await mobile_store.count(scope.db, scope.branch.id, kind, cutoff)
        listed = await mobile_store.page(
            scope.db, scope.branch.id, kind, cutoff, limit=NAMES_SHOWN, offset=0
        )
        found.append(Line(label, {"n": count}, tuple(r.person_name for r in listed)))
    return found


STAGE_NAMES: dict[Stage, str] = {
    Stage.SURVEY: N_("Survey"),
    Stage.APPLY: N_("Applying for posts"),
    Stage.PERFORM: N_("Performing duties"),
    Stage.ASSESS: N_("Assessment"),
}


async def posts_filled(scope: Scope) -> list[Line]:
    cycle = await posts_store.latest_cycle(scope.db, scope.branch.id)
    if cycle is None or cycle.year != scope.quarter.year:
        return [Line(N_("Responsibility posts: not started this year"))]
    posts = await posts_store.branch_posts(scope.db, scope.branch.id)
    claims = await posts_store.branch_claims(scope.db, scope.branch.id, cycle.year, HOLDING)
    places = sum(p.capacity for p in posts)
    taken = len({(c.post_id, c.person_id) for c in claims})
    return [
        Line(
            N_("Responsibility posts ({stage}): {taken} of {places} places filled"),
            {"stage": STAGE_NAMES[cycle.stage], "taken": taken, "places": places},
            terms=("stage",),
        )
    ]


async def cadres_registered(scope: Scope) -> list[Line]:
    mine = scope.cadres
    missing = sorted(c.name for c in mine if not c.registered)
    return [
        Line(
            N_("Cadres registered for {year}: {registered} of {due}"),
            {
                "year": str(scope.quarter.year),
                "registered": len(mine) - len(missing),
                "due": len(mine),
            },
            tuple(missing),
        )
    ]


async def hours_verified(scope: Scope) -> list[Line]:
    half_hours = await hours_store.verified_in_branch(
        scope.db, scope.branch.id, scope.quarter.start, scope.until
    )
    return [
        Line(N_("Activity hours verified this quarter: {hours}"), {"hours": as_hours(half_hours)})
    ]


async def appraisal_progress(scope: Scope) -> list[Line]:
    """Counts only: the appraisal's ratings are secret and its grades personal."""
    year = scope.quarter.year
    found = await appraisal.progress(scope.db, scope.branch.id, year)
    if found is None:
        # A year's round is often held early in the next.
        year -= 1
        found = await appraisal.progress(scope.db, scope.branch.id, year)
    if found is None:
        return [Line(N_("Democratic appraisal: no round this year"))]
    return [
        Line(
            N_(
                "Democratic appraisal {year} ({stage}): {submitted} of {participants} summaries,"
                " {rated} rated, {graded} graded"
            ),
            {
                "year": str(found.year),
                "stage": APPRAISAL_STAGES[found.stage],
                "participants": found.participants,
                "submitted": found.submitted,
                "rated": found.rated,
                "graded": found.graded,
            },
            terms=("stage",),
        )
    ]


async def development_progress(scope: Scope) -> list[Line]:
    """Counts per stage, never names: who applies for membership is for the branch."""
    found = await development.progress(scope.db, scope.branch.id, scope.today)
    stage = development.Stage
    return [
        Line(
            N_(
                "Member development: {applicants} applicants, {activists} activists,"
                " {candidates} candidates, {probationary} probationary; {overdue} overdue"
            ),
            {
                "applicants": found.per_stage[stage.APPLICANT],
                "activists": found.per_stage[stage.ACTIVIST],
                "candidates": found.per_stage[stage.CANDIDATE],
                "probationary": found.per_stage[stage.PROBATIONARY],
                "overdue": found.overdue,
            },
        )
    ]


PROVIDERS: list[Provider] = [
    members,
    mobile_overdue,
    posts_filled,
    cadres_registered,
    hours_verified,
    appraisal_progress,
    development_progress,
]


@dataclass(frozen=True)
class BranchFigures:
    branch: Branch
    lines: list[Line]


async def _cadres(db: Database, quarter: Period, tz: tzinfo) -> list[cadre_figures.CadreFigures]:
    return await cadre_figures.gather(db, quarter, tz, provider=cadre_figures.RegistrationOnly())


async def figures_of(
    db: Database, branch_list: list[Branch], quarter: Period, now: datetime, tz: tzinfo
) -> list[BranchFigures]:
    """Every provider's lines for each branch (no role check: the callers make it)."""
    by_branch: dict[int, list[cadre_figures.CadreFigures]] = {}
    for cadre in await _cadres(db, quarter, tz):
        for branch_id in dict.fromkeys(cadre.branch_ids):
            by_branch.setdefault(branch_id, []).append(cadre)
    found = []
    for branch in branch_list:
        # Each branch's own day (`partybot branch time`), the district's zone otherwise.
        today = now.astimezone(ZoneInfo(branch.timezone) if branch.timezone else tz).date()
        scope = Scope(db, branch, quarter, now, today, by_branch.get(branch.id, []))
        lines = [line for provider in PROVIDERS for line in await provider(scope)]
        found.append(BranchFigures(branch, lines))
    return found


@dataclass(frozen=True)
class Overview:
    district_id: int
    name: str
    quarter: Period
    branches: list[BranchFigures]


async def overview(
    db: Database, actor: Actor, district_id: int, quarter: Period, now: datetime, tz: tzinfo
) -> Overview:
    """/district: the district's branches, for a contact of that district only."""
    if not actor.has_district(district_id):
        raise NotAllowed("not_district")
    name = await districts.name_of(db, district_id) or ""
    branch_list = await districts.branches_of_district(db, district_id)
    return Overview(district_id, name, quarter, await figures_of(db, branch_list, quarter, now, tz))


async def branch_summary(
    db: Database, actor: Actor, branch_id: int, quarter: Period, now: datetime, tz: tzinfo
) -> BranchFigures:
    """One branch's read-only summary, for a contact of the branch's district only."""
    if not actor.has(Role.DISTRICT, branch_id):
        raise NotAllowed("not_district")
    branch = await branches.get(db, branch_id)
    if branch is None:
        raise NotFound("branch_unknown", branch=branch_id)
    [found] = await figures_of(db, [branch], quarter, now, tz)
    return found
