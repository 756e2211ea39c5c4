"""The printed tables (XLSX) of the quarterly feedback and the half-yearly county report:
a titled sheet an office prints as it is, and the one row per cadre both documents hold.
Office documents of the county are in Chinese whatever the reader's chat language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from domain.appraisal.models import GRADES_ZH
from domain.cadre_figures import CadreFigures
from domain.cadres import rank_label
from domain.i18n import Translator, translator
from domain.xlsx_writer import Book

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
    ("民主评议", 14),
]
_INVALID_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass
class Sheet:
    """A titled table: header row frozen, widths set, a totals row, ready to print
    (written by `domain.xlsx_writer`, which holds its styles)."""

    title: str
    heading: str
    headers: list[tuple[str, int]]
    rows: list[list[object]] = field(default_factory=list)
    totals: list[object] | None = None


def new_book() -> Book:
    return Book()


def write_sheet(book: Book, sheet: Sheet) -> None:
    book.add_table(
        sheet.title.translate(_INVALID_SHEET_CHARS)[:31],
        sheet.heading,
        sheet.headers,
        sheet.rows,
        sheet.totals,
    )


def _leave(t: Translator, f: CadreFigures) -> str:
    if not f.on_leave_until:
        return ""
    until = t.date(f.on_leave_until)
    if f.leave_note:
        return t.gettext("On leave until {date} ({note})", date=until, note=f.leave_note)
    return t.gettext("On leave until {date}", date=until)


def _cells(f: CadreFigures, t: Translator) -> list[object]:
    """A cadre's row but its number."""
    return [
        f.name,
        f.unit_name,
        f.position,
        rank_label(t, f.rank),
        "、".join(f.branches),
        t.gettext("yes") if f.registered else t.gettext("no"),
        # A printed table holds text (domain/xlsx_writer.py): the day as the reader writes it.
        t.date(f.registered_on) if f.registered_on else "",
        f.events_attended,
        f.hours_verified,
        f.hours_attested,
        "、".join(p.name for p in f.posts),
        f.latest_assessment or "",
        _leave(t, f),
        f.remark or "",
        f.hours_counted,
        f.counted_as,
        f"{f.appraisal_year}年度 {GRADES_ZH[f.appraisal]}" if f.appraisal else "",
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
        "",
    ]


def cadre_sheet(
    title: str,
    heading: str,
    figures: Sequence[CadreFigures],
    t: Translator | None = None,
    rows_of: dict[int, list[object]] | None = None,
) -> Sheet:
    """`t`: the reader's language, Chinese for the county's offices unless said otherwise.
    `rows_of`: the rows (but their numbers) already made for these figures in `t`, by
    person, filled here: a workbook shows each cadre on the summary and again on their
    branches' sheets."""
    t = t or translator("zh_Hans")
    made = {} if rows_of is None else rows_of
    rows: list[list[object]] = []
    for number, f in enumerate(figures, start=1):
        cells = made.get(f.person_id)
        if cells is None:
            cells = made[f.person_id] = _cells(f, t)
        rows.append([number, *cells])
    return Sheet(title, heading, HEADERS, rows, _totals(figures))


def by_branch(figures: Iterable[CadreFigures]) -> dict[str, list[CadreFigures]]:
    grouped: dict[str, list[CadreFigures]] = {}
    for figure in figures:
        for branch in figure.branches:
            grouped.setdefault(branch, []).append(figure)
    return dict(sorted(grouped.items()))
