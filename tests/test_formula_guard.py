"""No file the bot sends holds a formula, whatever text people typed into it."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from domain import county_report, quarterly_feedback, spreadsheets
from domain.cadre_figures import CadreFigures, PostHeld
from domain.models import UnitOrg
from domain.periods import half, quarter

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = [
    '=HYPERLINK("http://ev.il","点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def assert_no_formula(xlsx: bytes) -> list[str]:
    """Every text of the workbook; fails on a formula cell, as stored or as loaded."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), f"formula in {name}"
    texts = []
    for ws in load_workbook(io.BytesIO(xlsx)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def cadre(position: str, **fields) -> CadreFigures:
    values = {
        "person_id": 1,
        "name": "李明",
        "unit_id": 1,
        "unit_name": position,
        "branches": ("幸福社区党支部",),
        "branch_ids": (1,),
        "position": position,
        "rank": "section",
        "registered": True,
        "registered_on": date(2026, 1, 5),
        "posts": (PostHeld(position, position),),
        "remark": position,
        "leave_note": position,
    }
    return CadreFigures(**(values | fields))


@pytest.mark.parametrize("text", HOSTILE)
def test_the_quarterly_feedback_and_the_county_report_hold_text_only(text):
    figures = [cadre(text)]
    unit = UnitOrg(1, "县教育局党组", None, None, None)
    for book in (
        quarterly_feedback.unit_workbook(unit, quarter(2026, 3), figures),
        county_report.workbook(half(2026, 2), figures),
    ):
        texts = assert_no_formula(book)
        # XML reads a CR as a line feed; the rest of the text is kept as typed.
        assert any(text.strip() in value for value in texts), "the text itself is kept"


def test_the_sheets_of_exports_and_imports_hold_text_only():
    sheet = spreadsheets.Sheet("x", ["姓名", *HOSTILE], [[*HOSTILE, 3], [1, *HOSTILE]])
    texts = assert_no_formula(spreadsheets.write_workbook([sheet]))
    assert {text.replace("\r", "\n") for text in HOSTILE} <= set(texts)


def test_a_csv_holds_text_only():
    rows = [["姓名", "备注", "时长"], *[["李明", text, 2] for text in HOSTILE]]
    read = list(csv.reader(io.StringIO(spreadsheets.write_csv(rows).decode("utf-8-sig"))))
    assert [row[1] for row in read[1:]] == ["'" + text for text in HOSTILE]
    assert read[0] == ["姓名", "备注", "时长"] and read[1][2] == "2"


def test_every_file_the_bot_makes_leaves_through_the_one_writer():
    """A new producer that saved a workbook or wrote CSV itself would skip the guard."""
    # Images are saved with a format; a workbook's save takes none.
    writers = re.compile(r"\.save\((?![^)]*format=)|csv\.writer\(|\bWorkbook\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "domain", "handlers", "storage")
        for path in (ROOT / folder).rglob("*.py")
        # The two exits: spreadsheets.save, and xlsx_writer.Book.file for the printed
        # tables (XlsxWriter; its guard is tested above on both reports).
        if path not in (ROOT / "domain" / "spreadsheets.py", ROOT / "domain" / "xlsx_writer.py")
        and "testing" not in path.parts
        and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
