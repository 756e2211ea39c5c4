"""Quarterly feedback to unit party organisations (每季度反馈) as pure builders: the
figures per cadre, the message text in the unit's language, and the XLSX an office
prints. Sending (through the outbox, key `feedback:{unit}:{quarter}`) is the caller's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

from domain import hours, posts
from domain.activity import as_hours
from domain.i18n import N_, Translator, translator
from domain.models import Person, UnitOrg
from domain.periods import Period
from domain.post_models import COUNTY_BY_CODE, Post, Rating
from domain.spreadsheets import append_styled, new_workbook, save
from storage import branches, cadres, units
from storage import hours as hours_store
from storage.db import Database

if TYPE_CHECKING:
    from openpyxl import Workbook


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

    @property
    def hours_counted(self) -> float:
        return self.hours_verified + self.attested_counted

    @property
    def counted_as(self) -> str:
        return "核实+自报" if self.counts_attested else "核实"

    @property
    def latest_assessment(self) -> str | None:
        return next((p.assessment for p in reversed(self.posts) if p.assessment), None)


class ActivityProvider(Protocol):
    """Where the figures of the other features come from, per person, for a period."""

    async def events_attended(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, int]: ...

    async def hours(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, tuple[float, float]]: ...

    async def attested_counted(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, float]:
        """Attested hours logged in branches whose summaries count them."""
        ...

    async def posts(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, tuple[PostHeld, ...]]: ...


class RegistrationOnly:
    """A provider with no activity at all: registration figures alone (tests, checks)."""

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
        return {}

    async def posts(
        self, db: Database, person_ids: Sequence[int], period: Period
    ) -> dict[int, tuple[PostHeld, ...]]:
        return {}


# Office documents of the county are in Chinese, so post and rating names are too.
RATINGS_ZH = {
    Rating.EXCELLENT: "优秀",
    Rating.COMPETENT: "称职",
    Rating.BASICALLY_COMPETENT: "基本称职",
    Rating.INCOMPETENT: "不称职",
}


@dataclass(frozen=True)
class Recorded:
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
    registration from this feature, the activity from `provider`."""
    provider = provider or activity_provider(tz)
    unit_names = {u.id: u.name for u in await units.all_units(db)}
    branch_names = {b.id: b.name for b in await branches.all_branches(db)}
    by_person: dict[int, list] = {}
    for registration in await cadres.confirmed_up_to(db, period.year):
        by_person.setdefault(registration.person_id, []).append(registration)
    leaves = await cadres.leaves(db)
    remarks = await cadres.remarks(db, period.label)
    found = []
    for person_id, versions in by_person.items():
        latest = versions[-1]
        this_year = [r for r in versions if r.year == period.year]
        lived_in = dict.fromkeys(r.branch_id for r in (this_year or [latest]))
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
                branch_ids=tuple(lived_in),
                position=latest.position,
                rank=latest.rank,
                registered=bool(this_year),
                registered_on=this_year[0].decided_at.astimezone(tz).date() if this_year else None,
                remark=remarks.get(person_id),
                on_leave_until=leave.until if leave else None,
                leave_note=leave.note if leave else None,
            )
        )
    for person in await cadres.cadre_people(db):
        if person.id not in by_person and person.branch_id is not None:
            found.append(_never_registered(person, branch_names[person.branch_id]))
    ids = [f.person_id for f in found]
    events = await provider.events_attended(db, ids, period)
    hours = await provider.hours(db, ids, period)
    counted = await provider.attested_counted(db, ids, period)
    counting = await hours_store.branches_counting_attested(db)
    posts = await provider.posts(db, ids, period)
    return [
        replace(
            f,
            events_attended=events.get(f.person_id, 0),
            hours_verified=hours.get(f.person_id, (0.0, 0.0))[0],
            hours_attested=hours.get(f.person_id, (0.0, 0.0))[1],
            attested_counted=counted.get(f.person_id, 0.0),
            counts_attested=f.person_id in counted or not counting.isdisjoint(f.branch_ids),
            posts=posts.get(f.person_id, ()),
        )
        for f in found
    ]


def _never_registered(person: Person, branch: str) -> CadreFigures:
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
    )


def of_unit(figures: Iterable[CadreFigures], unit_id: int) -> list[CadreFigures]:
    """A unit's summary holds its own cadres and nobody else."""
    return [f for f in figures if f.unit_id == unit_id]


RANK_LABELS = {
    "deputy_section": N_("Deputy section level"),
    "section": N_("Section level"),
    "deputy_division": N_("Deputy division level"),
    "division": N_("Division level"),
    "bureau": N_("Bureau level and above"),
}


def rank_label(t: Translator, rank: str) -> str:
    # Never gettext(""): that is the catalog's header.
    return t.gettext(RANK_LABELS[rank]) if rank in RANK_LABELS else rank


def period_label(t: Translator, period: Period) -> str:
    number = period.label[-1]
    if period.label[4] == "Q":
        return t.gettext("Q{n} {year}", n=number, year=period.year)
    if number == "1":
        return t.gettext("first half of {year}", year=period.year)
    return t.gettext("second half of {year}", year=period.year)


def _hours(value: float) -> str:
    return f"{value:g}"


def cadre_lines(t: Translator, figure: CadreFigures, year: int) -> list[str]:
    """The lines about one cadre, shared by the unit's message and the cadre's own view."""
    registered = (
        t.gettext(
            "Registered for {year}: yes ({date})", year=year, date=t.date(figure.registered_on)
        )
        if figure.registered and figure.registered_on
        else t.gettext("Registered for {year}: no", year=year)
    )
    if figure.counts_attested:
        activity = t.gettext(
            "Events attended: {events}; hours (verified + self-reported): {counted} h, of "
            "which {verified} h verified",
            events=figure.events_attended,
            counted=_hours(figure.hours_counted),
            verified=_hours(figure.hours_verified),
        )
    else:
        activity = t.gettext(
            "Events attended: {events}; hours: {verified} h verified, {attested} h "
            "self-reported (to be verified)",
            events=figure.events_attended,
            verified=_hours(figure.hours_verified),
            attested=_hours(figure.hours_attested),
        )
    lines = [registered, activity]
    if figure.posts:
        names = "、".join(p.name for p in figure.posts)
        lines.append(
            t.gettext(
                "Posts: {posts} (latest assessment: {assessment})",
                posts=names,
                assessment=figure.latest_assessment or "—",
            )
        )
    else:
        lines.append(t.gettext("Posts: none"))
    if figure.on_leave_until:
        lines.append(
            t.gettext("On leave until {date}", date=t.date(figure.on_leave_until))
            + (f" ({figure.leave_note})" if figure.leave_note else "")
        )
    if figure.remark:
        lines.append(t.gettext("Branch secretary's remark: {remark}", remark=figure.remark))
    return lines


def message_text(
    unit: UnitOrg, period: Period, figures: Sequence[CadreFigures], default_locale: str = "zh_Hans"
) -> str:
    """The message a unit receives, in the unit's language."""
    t = translator(unit.locale or default_locale)
    head = t.gettext(
        "{unit}: feedback on your cadres living in our communities, {period}",
        unit=unit.name,
        period=period_label(t, period),
    )
    if not figures:
        return head + "\n\n" + t.gettext("None of your cadres is registered with us.")
    parts = [head]
    for number, figure in enumerate(figures, start=1):
        rank = rank_label(t, figure.rank)
        title = f"{number}. {figure.name} ({figure.position}, {rank}; {'、'.join(figure.branches)})"
        parts.append(
            "\n".join([title, *("   " + line for line in cadre_lines(t, figure, period.year))])
        )
    parts.append(t.gettext("The details are in the attached spreadsheet."))
    return "\n\n".join(parts)


# ------------------------------------------------------------------------ the spreadsheet

# Office documents of the county are in Chinese whatever the unit's chat language.
HEADERS: list[tuple[str, int]] = [
    ("序号", 6),
    ("姓名", 10),
    ("工作单位", 22),
    ("职务", 16),
    ("职级", 12),
    ("居住社区党支部", 22),
    ("年度注册", 9),
    ("注册日期", 12),
    ("参加活动（次）", 10),
    ("核实时长（小时）", 10),
    ("自报时长（待核实，小时）", 10),
    ("所任岗位", 20),
    ("最近考核", 10),
    ("请假情况", 18),
    ("支部意见", 30),
    ("计入时长（小时）", 10),
    ("计入口径", 10),
]
_INVALID_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass
class Sheet:
    """A titled table: header row frozen, widths set, a totals row, ready to print."""

    title: str
    heading: str
    headers: list[tuple[str, int]]
    rows: list[list[object]] = field(default_factory=list)
    totals: list[object] | None = None


def _named_styles(book: Workbook) -> None:
    """Styles registered once per workbook: styling each cell with new objects made the
    county-wide feedback spend most of its time in openpyxl (benchmarks/reports.py)."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    if "fb-body" in book.named_styles:
        return
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Alignment(vertical="top", wrap_text=True)
    for name, font, extra in (
        ("fb-body", Font(), {}),
        ("fb-total", Font(bold=True), {}),
        (
            "fb-header",
            Font(bold=True),
            {
                "fill": PatternFill("solid", fgColor="DDDDDD"),
                "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
            },
        ),
    ):
        style = NamedStyle(name=name, font=font, border=border, alignment=body)
        for attribute, value in extra.items():
            setattr(style, attribute, value)
        book.add_named_style(style)


def write_sheet(book: Workbook, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    _named_styles(book)
    ws = book.create_sheet(sheet.title.translate(_INVALID_SHEET_CHARS)[:31])
    width = len(sheet.headers)
    ws.cell(row=1, column=1, value=sheet.heading).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for column, (title, chars) in enumerate(sheet.headers, start=1):
        ws.cell(row=2, column=column, value=title).style = "fb-header"
        ws.column_dimensions[get_column_letter(column)].width = chars + 2
    append_styled(ws, sheet.rows, "fb-body")
    if sheet.totals is not None:
        append_styled(ws, [sheet.totals], "fb-total")
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _row(number: int, f: CadreFigures, zh: Translator) -> list[object]:
    leave = ""
    if f.on_leave_until:
        leave = f"请假至 {f.on_leave_until.isoformat()}" + (
            f"（{f.leave_note}）" if f.leave_note else ""
        )
    return [
        number,
        f.name,
        f.unit_name,
        f.position,
        rank_label(zh, f.rank),
        "、".join(f.branches),
        "是" if f.registered else "否",
        f.registered_on.isoformat() if f.registered_on else "",
        f.events_attended,
        f.hours_verified,
        f.hours_attested,
        "、".join(p.name for p in f.posts),
        f.latest_assessment or "",
        leave,
        f.remark or "",
        f.hours_counted,
        f.counted_as,
    ]


def _totals(figures: Sequence[CadreFigures]) -> list[object]:
    return [
        "合计",
        f"{len(figures)} 人",
        "",
        "",
        "",
        "",
        sum(f.registered for f in figures),
        "",
        sum(f.events_attended for f in figures),
        sum(f.hours_verified for f in figures),
        sum(f.hours_attested for f in figures),
        sum(len(f.posts) for f in figures),
        "",
        sum(1 for f in figures if f.on_leave_until),
        "",
        sum(f.hours_counted for f in figures),
        "",
    ]


def cadre_sheet(title: str, heading: str, figures: Sequence[CadreFigures]) -> Sheet:
    zh = translator("zh_Hans")
    rows = [_row(n, f, zh) for n, f in enumerate(figures, start=1)]
    return Sheet(title, heading, HEADERS, rows, _totals(figures))


def by_branch(figures: Iterable[CadreFigures]) -> dict[str, list[CadreFigures]]:
    grouped: dict[str, list[CadreFigures]] = {}
    for figure in figures:
        for branch in figure.branches:
            grouped.setdefault(branch, []).append(figure)
    return dict(sorted(grouped.items()))


def unit_workbook(unit: UnitOrg, period: Period, figures: Sequence[CadreFigures]) -> bytes:
    """One row per cadre on the first sheet, then a sheet per branch they live in."""
    zh = translator("zh_Hans")
    heading = f"{unit.name} 党员干部八小时以外情况反馈表（{period_label(zh, period)}）"
    book = new_workbook()
    write_sheet(book, cadre_sheet("汇总", heading, figures))
    for branch, members in by_branch(figures).items():
        write_sheet(book, cadre_sheet(branch, f"{heading}　{branch}", members))
    return save(book)


def file_name(unit: UnitOrg, period: Period) -> str:
    return f"feedback-{period.label}-unit{unit.id}.xlsx"


@dataclass(frozen=True)
class UnitFeedback:
    """One unit's quarterly summary, ready to send or to write to disk."""

    unit: UnitOrg
    figures: list[CadreFigures]
    text: str
    xlsx: bytes
    file_name: str
    period: Period

    @property
    def outbox_key(self) -> str:
        """Sent once per unit and quarter: the outbox refuses a second item with this key."""
        return f"feedback:{self.unit.id}:{self.period.label}"


async def unit_feedback(
    db: Database,
    period: Period,
    tz: tzinfo,
    *,
    unit_id: int | None = None,
    provider: ActivityProvider | None = None,
    default_locale: str = "zh_Hans",
) -> list[UnitFeedback]:
    """The summaries of every unit (or one), each with only that unit's cadres."""
    everyone = await gather(db, period, tz, provider)
    found = []
    for unit in await units.all_units(db):
        if unit_id is not None and unit.id != unit_id:
            continue
        own = of_unit(everyone, unit.id)
        found.append(
            UnitFeedback(
                unit,
                own,
                message_text(unit, period, own, default_locale),
                unit_workbook(unit, period, own),
                file_name(unit, period),
                period,
            )
        )
    return found


async def destinations(db: Database, unit: UnitOrg) -> list[int]:
    """Where a unit's summary goes: its linked group, else its contacts; empty means it
    waits, shown to the secretary as undeliverable."""
    if unit.chat_id is not None:
        return [unit.chat_id]
    return [p.telegram_id for p in await units.contacts(db, unit.id) if p.telegram_id]
