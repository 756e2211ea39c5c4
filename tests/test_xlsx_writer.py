"""The printed tables (quarterly feedback, county report) and the district summary's sheets
are written by `domain.xlsx_writer` (XlsxWriter); what a reader sees is what openpyxl wrote
before, cell for cell: values, types, styles, merged heading, panes, print titles and widths.

Two files are compared as openpyxl reads them back (`xlsx_reference.cells`), with what
differs only in encoding made one (`xlsx_reference.shown` lists each: fitToWidth left at
Excel's default, the font's name and size written instead of taken from the default font,
the fill's alpha byte, an empty cell's type). One difference is not only encoding: the
old file's cells were in named styles (fb-header, fb-body, fb-total), which XlsxWriter
cannot write; every cell is in "Normal" with the same font, fill, border and alignment
set on the cell, so a cell looks the same but Excel's style gallery no longer lists the
three names. `assert_same` says so explicitly."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from domain import (
    cadre_figures,
    cadre_sheets,
    county_report,
    district_reports,
    periods,
    quarterly_feedback,
    spreadsheets,
)
from domain.district_figures import BranchFigures, Line
from domain.i18n import N_, translator
from domain.models import Branch, UnitOrg
from storage.db import Database
from tests import xlsx_reference
from tests.test_feedback_batch import seeded_county
from tests.test_formula_guard import HOSTILE, cadre

TZ = ZoneInfo("Asia/Shanghai")


def both(build):
    """The file `build()` makes, and the one the old openpyxl writer made."""
    new = build()
    with xlsx_reference.old_writer():
        old = build()
    return new, old


EDUCATION = UnitOrg(1, "县教育局党组", None, None, None)


def assert_same(figures, unit=EDUCATION):
    for build in (
        lambda: quarterly_feedback.unit_workbook(unit, periods.quarter(2026, 3), figures),
        lambda: county_report.workbook(periods.half(2026, 2), figures),
    ):
        assert_same_look(*both(build))


def assert_same_look(new: bytes, old: bytes) -> None:
    new_cells, old_cells = xlsx_reference.cells(new), xlsx_reference.cells(old)
    assert xlsx_reference.shown(new_cells) == xlsx_reference.shown(old_cells)
    assert xlsx_reference.named_styles(new_cells) == {"Normal"}
    assert xlsx_reference.named_styles(old_cells) == {"Normal", "fb-header", "fb-body", "fb-total"}


def test_awkward_texts_and_numbers_read_back_as_openpyxl_wrote_them():
    odd = [
        *HOSTILE,
        " 前后有空格 ",
        "a & b < c > d \"引号\" '单引号'",
        "两行\n文字",
        # Excel reads "_xHHHH_" as an escaped character: XlsxWriter escapes the literal
        # (_x005F_), so Excel shows it as typed; openpyxl had stored it as it is.
        "字面 _x000D_ _x0041_",
        "",
        "x" * 40_000,
    ]
    figures = [
        cadre(
            text, name=f"干部{n}", hours_verified=n / 3, hours_attested=1.5 if n % 2 else 10**17 + 1
        )
        for n, text in enumerate(odd)
    ]
    figures.append(cadre("科长", branches=("A支部", "a支部", "a支部1", "[名]:*?/\\" * 5)))
    figures.append(
        cadre("科长", registered=False, registered_on=None, on_leave_until=date(2026, 9, 1))
    )
    assert_same(figures)


def test_a_heading_that_reads_as_a_formula_is_text():
    assert_same([cadre("科长")], UnitOrg(1, "=单位", None, None, None))


def test_a_table_holds_nothing_but_text_numbers_and_booleans():
    book = cadre_sheets.new_book()
    with pytest.raises(TypeError):
        book.add_table("x", "标题", [("日期", 10)], [[date(2026, 1, 1)]])


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seeded_county(tmp_path_factory.mktemp("county"), 2026)


async def test_the_seeded_county_reads_back_the_same(seeded):
    async with Database(seeded) as db:
        quarter = await cadre_figures.gather(db, periods.quarter(2026, 3), TZ)
        half = await cadre_figures.gather(db, periods.half(2026, 2), TZ)
    by_unit: dict[int, list] = {}
    for figure in quarter:
        by_unit.setdefault(figure.unit_id, []).append(figure)
    assert len(by_unit) > 1 and len(half) >= 50
    for unit_id, figures in list(by_unit.items())[:3]:
        unit = UnitOrg(unit_id, figures[0].unit_name, None, None, None)
        new, old = both(
            lambda u=unit, f=figures: quarterly_feedback.unit_workbook(
                u, periods.quarter(2026, 3), f
            ),
        )
        assert_same_look(new, old)
    assert_same_look(*both(lambda: county_report.workbook(periods.half(2026, 2), half)))


def test_sheet_names_keep_to_excels_rules():
    """openpyxl let a numbered duplicate grow past Excel's 31 characters (a file Excel
    repairs); XlsxWriter refuses one, so the number replaces the last characters."""
    book = cadre_sheets.new_book()
    long = "支" * 31
    for title in (long, long, "'引号'", "A", "a"):
        book.add_table(title, "标题", [("姓名", 10)], [["张三"]])
    titles = [row[0] for row in xlsx_reference.cells(book.file()) if len(row) == 7]
    assert titles == [long, "支" * 30 + "1", "引号", "A", "a1"]


def test_the_district_summary_reads_back_as_openpyxl_wrote_it():
    """`district_reports.workbook` (XlsxWriter) against the same sheets through
    `spreadsheets.write_workbook` (openpyxl), which wrote it before: every value, style,
    width, pane and sheet name, for awkward names and texts."""
    odd = [*HOSTILE, "两行\r\n文字", "a & b < c", "x" * 200, "张三"]
    figures = [
        BranchFigures(
            Branch(n, name, f"b{n}", 1, None),
            [
                Line(N_("Members: {n}"), {"n": n * 1000}),
                Line(
                    N_("Cadres registered for {year}: {registered} of {due}"),
                    {"year": "2026", "registered": 1, "due": 2},
                    tuple(odd[n:]),
                ),
                Line(N_("Mobile members with an overdue report: {n}"), {"n": 0}),
            ],
        )
        for n, name in enumerate(
            ["东风社区党支部", "东风社区党支部", "a", "A", "[名]:*?/\\", "=支部"]
        )
    ]
    t = translator("zh_Hans")
    new = district_reports.workbook(t, figures)
    old = spreadsheets.write_workbook(district_reports.sheets(t, figures))
    assert xlsx_reference.shown(xlsx_reference.cells(new)) == xlsx_reference.shown(
        xlsx_reference.cells(old)
    )
    titles = [row[0] for row in xlsx_reference.cells(new) if len(row) == 7]
    assert titles == ["东风社区党支部", "东风社区党支部 (2)", "a", "A1", " 名" + " " * 6, "=支部"]
