"""What each cadre did in a period, as their unit and the county are told it (八小时以外):
the registration in force from the cadres feature, the activity (events attended, hours,
posts held) from the others, one line per person. Read only; the quarterly feedback, the
county report, /cadre and /cadres render it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from domain import hours, posts
from domain.activity import as_hours
from domain.appraisal.models import Grade
from domain.i18n import Translator, translator
from domain.models import Person
from domain.periods import Period
from domain.post_models import COUNTY_BY_CODE, Post, Rating
from storage import appraisal, branches, cadres, units
from storage import hours as hours_store
from storage.db import Database


@dataclass(frozen=True)
class PostHeld:
    name: str
    assessment: str | None = None


@dataclass(frozen=True)
class CadreFigures:
    """One cadre's line in a summary. A cadre who moved branch in the period appears once,
    with every branch listed and activity from all of them."""

    person_id: int
    name: str
    unit_id: int | None
    unit_name: str
    branches: tuple[str, ...]
    branch_ids: tuple[int, ...]
    position: str
    rank: str
    registered: bool
    registered_on: date | None
    events_attended: int = 0
    hours_verified: float = 0.0
    hours_attested: float = 0.0
    # Attested hours from branches whose summaries count them, and whether any branch the
    # cadre lives in does (then the counted figure is labelled as verified + attested).
    attested_counted: float = 0.0
    counts_attested: bool = False
    posts: tuple[PostHeld, ...] = ()
    remark: str | None = None
    on_leave_until: date | None = None
    leave_note: str | None = None
    # The final grade of the latest democratic appraisal up to the period's year (民主评议
    # is one of the uses of this feedback), and that round's year.
    appraisal: Grade | None = None
    appraisal_year: int | None = None

    @property
    def hours_counted(self) -> float:
        return self.hours_verified + self.attested_counted

    @property
    def counted_as(self) -> str:
        return "核实+自报" if self.counts_attested else "核实"

    @property
    def latest_assessment(self) -> str | None:
        return next((p.assessment for p in reversed(self.posts) if p.assessment), None)


class ActivityProvider:
    """Where the figures of the other features come from, per person, for a period. This
    base counts no activity at all: registration figures alone (tests, checks)."""

    async def events_attended(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, int]:
        return {}

    async def hours(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, tuple[float, float]]:
        return {}

    async def attested_counted(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, float]:
        """Attested hours logged in branches whose summaries count them."""
        return {}

    async def posts(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, tuple[PostHeld, ...]]:
        return {}


class RegistrationOnly(ActivityProvider):
    """A provider with no activity at all: registration figures alone (tests, checks)."""


# Office documents of the county are in Chinese, so post and rating names are too.
RATINGS_ZH = {
    Rating.EXCELLENT: "优秀",
    Rating.COMPETENT: "称职",
    Rating.BASICALLY_COMPETENT: "基本称职",
    Rating.INCOMPETENT: "不称职",
}


@dataclass(frozen=True)
class Recorded(ActivityProvider):
    """The figures the events, hours and posts features recorded, per person: a cadre
    who moved branch keeps one person record, so activity in both branches counts."""

    tz: tzinfo

    def _bounds(self, period: Period) -> tuple[datetime, datetime]:
        start = datetime.combine(period.start, time(0), tzinfo=self.tz)
        end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=self.tz)
        return start, end

    async def events_attended(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, int]:
        return await cadres.events_attended(db, person_ids, *self._bounds(period))

    async def hours(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, tuple[float, float]]:
        found = await hours.people_totals(db, person_ids, period.start, period.end)
        return {
            person_id: (float(totals.total_verified), float(totals.total_attested))
            for person_id, totals in found.items()
            if totals.verified or totals.attested
        }

    async def attested_counted(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, float]:
        found = await hours_store.attested_where_counted(
            db, list(person_ids), period.start, period.end
        )
        return {person_id: float(as_hours(n)) for person_id, n in found.items()}

    async def posts(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, tuple[PostHeld, ...]]:
        zh = translator("zh_Hans")
        found = await posts.people_posts(db, person_ids, period.start, period.end)
        return {
            person_id: tuple(
                PostHeld(
                    _post_name(zh, r.post),
                    RATINGS_ZH[r.assessment.rating] if r.assessment else None,
                )
                for r in held
            )
            for person_id, held in found.items()
        }


def _post_name(t: Translator, post: Post) -> str:
    if post.code in COUNTY_BY_CODE:
        return t.gettext(COUNTY_BY_CODE[post.code].name)
    return post.name or "—"


def activity_provider(tz: tzinfo) -> ActivityProvider:
    """Where the feedback, the county report and /cadre take their activity figures."""
    return Recorded(tz)


async def gather(
    db: Database, period: Period, tz: tzinfo, provider: ActivityProvider | None = None
) -> list[CadreFigures]:
    """Every cadre known by the end of `period` with the figures of that period: the
    registration from this feature, the activity from `provider`. Each cadre's figures are
    made once, with the activity read for all of them first."""
    provider = provider or activity_provider(tz)
    unit_names = {u.id: u.name for u in await units.all_units(db)}
    branch_names = {b.id: b.name for b in await branches.all_branches(db)}
    by_person: dict[int, list] = {}
    for registration in await cadres.confirmed_up_to(db, period.year):
        by_person.setdefault(registration.person_id, []).append(registration)
    never = [
        p
        for p in await cadres.cadre_people(db)
        if p.id not in by_person and p.branch_id is not None
    ]
    ids = [*by_person, *(p.id for p in never)]
    leaves = await cadres.leaves(db)
    remarks = await cadres.remarks(db, period.label)
    events = await provider.events_attended(db, ids, period)
    hours = await provider.hours(db, ids, period)
    counting = await hours_store.branches_counting_attested(db)
    # Only branches that count attested hours have any to count (most count none, and the
    # county-wide read costs as much as the hours' own when it finds nothing).
    counted = await provider.attested_counted(db, ids, period) if counting else {}
    posts = await provider.posts(db, ids, period)
    grades = await appraisal.final_grades(db, ids, period.year)

    def activity(person_id: int, branch_ids: Iterable[int]) -> dict:
        verified, attested = hours.get(person_id, (0.0, 0.0))
        grade = grades.get(person_id)
        return {
            "events_attended": events.get(person_id, 0),
            "hours_verified": verified,
            "hours_attested": attested,
            "attested_counted": counted.get(person_id, 0.0),
            "counts_attested": person_id in counted or not counting.isdisjoint(branch_ids),
            "posts": posts.get(person_id, ()),
            "appraisal": grade[1] if grade else None,
            "appraisal_year": grade[0] if grade else None,
        }

    found = []
    for person_id, versions in by_person.items():
        latest = versions[-1]
        this_year = [r for r in versions if r.year == period.year]
        lived_in = tuple(dict.fromkeys(r.branch_id for r in (this_year or [latest])))
        leave = leaves.get(person_id)
        if leave is not None and leave.until < period.start:
            leave = None
        found.append(
            CadreFigures(
                person_id=person_id,
                name=latest.name,
                unit_id=latest.unit_id,
                unit_name=unit_names.get(latest.unit_id, ""),
                branches=tuple(branch_names[b] for b in lived_in),
                branch_ids=lived_in,
                position=latest.position,
                rank=latest.rank,
                registered=bool(this_year),
                registered_on=this_year[0].decided_at.astimezone(tz).date() if this_year else None,
                remark=remarks.get(person_id),
                on_leave_until=leave.until if leave else None,
                leave_note=leave.note if leave else None,
                **activity(person_id, lived_in),
            )
        )
    for person in never:
        branch_id = person.branch_id
        found.append(
            _never_registered(person, branch_names[branch_id], activity(person.id, (branch_id,)))
        )
    return found


def _never_registered(person: Person, branch: str, activity: dict) -> CadreFigures:
    """A cadre who joined but never registered: counted for the county, whose report
    asks who has not registered; no unit is known to send them to."""
    assert person.branch_id is not None
    return CadreFigures(
        person_id=person.id,
        name=person.display_name,
        unit_id=None,
        unit_name="",
        branches=(branch,),
        branch_ids=(person.branch_id,),
        position="",
        rank="",
        registered=False,
        registered_on=None,
        **activity,
    )


def of_unit(figures: Iterable[CadreFigures], unit_id: int) -> list[CadreFigures]:
    """A unit's summary holds its own cadres and nobody else."""
    return [f for f in figures if f.unit_id == unit_id]


def by_unit(figures: Iterable[CadreFigures]) -> dict[int | None, list[CadreFigures]]:
    """Every unit's own cadres (`of_unit` of each), in one pass: a pass per unit grew with
    units x cadres."""
    grouped: dict[int | None, list[CadreFigures]] = {}
    for figure in figures:
        grouped.setdefault(figure.unit_id, []).append(figure)
    return grouped
