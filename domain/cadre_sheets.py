"""The printed tables (XLSX) of the quarterly feedback and the half-yearly county report:
a titled sheet an office prints as it is, and the one row per cadre both documents hold.
Office documents of the county are in Chinese whatever the reader's chat language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from domain.appraisal.models import GRADES_ZH
from domain.cadre_figures import CadreFigures
from domain.cadres import rank_label
from domain.i18n import Translator, translator
from domain.spreadsheets import append_styled

if TYPE_CHECKING:
    from openpyxl import Workbook

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


def _leave(t: Translator, f: CadreFigures) -> str:
    if not f.on_leave_until:
        return ""
    until = t.date(f.on_leave_until)
    if f.leave_note:
        return t.gettext("On leave until {date} ({note})", date=until, note=f.leave_note)
    return t.gettext("On leave until {date}", date=until)


def _row(number: int, f: CadreFigures, t: Translator) -> list[object]:
    return [
        number,
        f.name,
        f.unit_name,
        f.position,
        rank_label(t, f.rank),
        "、".join(f.branches),
        t.gettext("yes") if f.registered else t.gettext("no"),
        f.registered_on or "",
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
    title: str, heading: str, figures: Sequence[CadreFigures], t: Translator | None = None
) -> Sheet:
    """`t`: the reader's language, Chinese for the county's offices unless said otherwise."""
    t = t or translator("zh_Hans")
    rows = [_row(n, f, t) for n, f in enumerate(figures, start=1)]
    return Sheet(title, heading, HEADERS, rows, _totals(figures))


def by_branch(figures: Iterable[CadreFigures]) -> dict[str, list[CadreFigures]]:
    grouped: dict[str, list[CadreFigures]] = {}
    for figure in figures:
        for branch in figure.branches:
            grouped.setdefault(branch, []).append(figure)
    return dict(sorted(grouped.items()))
