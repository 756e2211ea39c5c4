"""The XLSX writer of the large tables: the printed ones of the quarterly feedback and the
county report (`domain/cadre_sheets.py`), each sheet a heading over a frozen header row,
body rows and a totals row, set up to print on A4 landscape (`add_table`); and the plain
sheets of the quarterly district summary, one per branch, as `spreadsheets.write_workbook`
makes them (`add_sheet`).

openpyxl builds an object per cell and serialises it through et_xmlfile: ~25 µs of CPU per
cell, which made the county-wide feedback (168,000 cells) miss its 2 s by far
(benchmarks/README.md). XlsxWriter, a library made for writing such files, costs ~40 % of
openpyxl's time per cell (measured side by side: 15 against 38 µs on a loaded machine),
in memory (`in_memory`: its `constant_memory` mode, which fits the order these
sheets are written in, streams every sheet through a temporary file, which was 1.5× slower
here and puts the cadres' figures on disk). What a reader sees is what openpyxl
wrote before (values, types, fonts, fills, borders, alignment, widths, merged heading,
panes, print titles, page set-up); `tests/test_xlsx_writer.py` reads both files back with
openpyxl and compares every cell, and says where the encoding differs for the same look.

The formula guard is the one of `domain.spreadsheets` (`needs_quote`): a text a spreadsheet
program would run is stored as text with Excel's quote prefix. Every value goes through a
typed `write_*` call, never XlsxWriter's guessing `write()`, which would store "=…" as a
formula.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from domain.spreadsheets import needs_quote

# XML 1.0 cannot hold these; openpyxl refused a cell holding one (XlsxWriter would escape
# them as _x0001_, which a reader would see).
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
# What `_clean` changes: those, and the carriage return.
_SPECIAL = re.compile(r"[\000-\010\013\014\016-\037\r]")
# XlsxWriter adds Excel's padding (5 pixels of a 7-pixel digit in Calibri 11) to the width
# it is given, so that Excel shows that many characters; openpyxl stored the width as given.
# The widths stay what they were: the stored figure, and so what Excel shows.
_PADDING = 5 / 7
# Excel's rules for a sheet's name (openpyxl did not enforce them; XlsxWriter refuses a
# name that breaks them).
_MAX_TITLE = 31

_BORDERED = {"border": 1, "valign": "top", "text_wrap": True}
_STYLES: dict[str, dict[str, object]] = {
    "plain": {},
    "heading": {"bold": True, "font_size": 14, "align": "center"},
    "header": {
        **_BORDERED,
        "bold": True,
        "pattern": 1,
        "bg_color": "#DDDDDD",
        "align": "center",
        "valign": "vcenter",
    },
    "body": _BORDERED,
    "total": {**_BORDERED, "bold": True},
}


def _clean(value: str) -> str:
    """A text as openpyxl stored it: without what XML cannot hold, and a CR as a line feed
    (openpyxl stored a CR as it is, which XML, Excel's reader too, reads as a line feed;
    XlsxWriter would store it as "_x000D_")."""
    value = _ILLEGAL.sub("", value)
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _widths(ws, widths: Sequence[float]) -> None:
    """Each column's width as openpyxl stored it (see _PADDING); a run of equal widths is
    one range."""
    start = 0
    for column in range(1, len(widths) + 1):
        if column == len(widths) or widths[column] != widths[start]:
            ws.set_column(start, column - 1, widths[start] - _PADDING + 1e-9)
            start = column


class Book:
    """A workbook of printed tables, made into a file by `file()`, once, after the last
    table."""

    def __init__(self) -> None:
        # Imported here, not at start-up (as openpyxl: benchmarks/startup.py).
        import xlsxwriter

        self._out = io.BytesIO()
        self._book = xlsxwriter.Workbook(self._out, {"in_memory": True})
        # Each style plain and with the quote prefix (a text kept as text).
        self._formats = {
            (name, quoted): self._book.add_format({**style, "quote_prefix": quoted})
            for name, style in _STYLES.items()
            for quoted in (False, True)
        }
        self._titles: set[str] = set()

    def add_table(
        self,
        title: str,
        heading: str,
        headers: Sequence[tuple[str, int]],
        rows: Iterable[Sequence[object]],
        totals: Sequence[object] | None = None,
    ) -> None:
        """A sheet: `heading` merged over the columns, `headers` (title, width in
        characters) frozen and repeated on every printed page, the rows, the totals."""
        ws = self._book.add_worksheet(self._unique(title))
        width = len(headers)
        _widths(ws, [chars + 2 for _, chars in headers])
        ws.freeze_panes(2, 0)
        ws.repeat_rows(1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide, as many long as it takes
        if width > 1:
            ws.merge_range(0, 0, 0, width - 1, "", self._formats["heading", False])
        self._cell(ws, 0, 0, heading, "heading")
        for column, (text, _) in enumerate(headers):
            self._cell(ws, 1, column, text, "header")
        number = self._rows(ws, 2, rows, "body")
        if totals is not None:
            self._rows(ws, number, [totals], "total")

    def add_sheet(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float],
    ) -> None:
        """A plain sheet, as `spreadsheets.write_workbook` makes one: the header row frozen,
        each column `widths` wide (in characters), no styles."""
        ws = self._book.add_worksheet(self._unique(title))
        _widths(ws, widths)
        ws.freeze_panes(1, 0)
        self._rows(ws, 0, [headers, *rows], "plain")

    def _rows(self, ws, first: int, rows: Iterable[Sequence[object]], style: str) -> int:
        """`rows` from row `first` on, in `style`; the row after them."""
        number = first
        cell = self._cell
        for row in rows:
            for column, value in enumerate(row):
                cell(ws, number, column, value, style)
            number += 1
        return number

    def _cell(self, ws, row: int, column: int, value: object, style: str) -> None:
        """One value stored as openpyxl stored it: text as text (None and the empty text
        as a styled empty cell: both read back as None), numbers as numbers."""
        formats = self._formats
        if isinstance(value, str):
            if not value:
                ws.write_blank(row, column, None, formats[style, False])
                return
            quoted = needs_quote(value)
            if _SPECIAL.search(value):
                value = _clean(value)
            # Longer than Excel's 32,767 characters: cut, as openpyxl cut it.
            ws.write_string(row, column, value, formats[style, quoted])
        elif value is None:
            ws.write_blank(row, column, None, formats[style, False])
        elif isinstance(value, bool):
            ws.write_boolean(row, column, value, formats[style, False])
        elif isinstance(value, int | float | Decimal):
            if math.isfinite(value):
                ws.write_number(row, column, float(value), formats[style, False])
            else:
                ws.write_blank(row, column, None, formats[style, False])
        else:
            raise TypeError(f"a printed table holds text, numbers and booleans, not {type(value)}")

    def _unique(self, title: str) -> str:
        """openpyxl's rule: a title taken (in any case) gets the next number; within
        Excel's rules (31 characters, no apostrophe first or last)."""
        title = title.strip("'")[:_MAX_TITLE] or "Sheet"
        candidate, count = title, 0
        while candidate.lower() in self._titles:
            count += 1
            suffix = str(count)
            candidate = title[: _MAX_TITLE - len(suffix)].rstrip("'") + suffix
        self._titles.add(candidate.lower())
        return candidate

    def file(self) -> bytes:
        """The XLSX file, every text a spreadsheet program would run stored as text."""
        self._book.close()
        return self._out.getvalue()
