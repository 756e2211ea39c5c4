"""The tables secretaries exchange with the bot: XLSX (and CSV) in, XLSX and CSV out.

Reading is defensive: a file is refused as a whole (wrong type, too big, unreadable, too
many rows) before any row is looked at, and formula cells are reported, never evaluated.

Writing has one exit per format, `save` for XLSX (with `xlsx_writer.Book.file` for the
large printed tables) and `write_csv` for CSV, and all write no formula (`needs_quote`):
a text that a spreadsheet program would run (OWASP "CSV injection": one
starting with "=", "+", "-", "@", tab or CR) is written as text. In XLSX the cell is a
string cell with Excel's quote prefix, so it shows as typed and stays text when edited;
CSV has no cell types, so the text gets a leading "'", as OWASP suggests.

Dates leave typed: an XLSX date cell is a date in Excel's built-in short date format (and a
date-time in its short date-and-time format), which the reader's spreadsheet shows in the
reader's own locale and sorts as dates; a CSV cell is ISO 8601 text (2026-12-02,
2026-12-02 14:30), for the programs that read it. docs/i18n.md has the whole rule.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.errors import InvalidInput

if TYPE_CHECKING:
    from openpyxl import Workbook

MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_ROWS = 2000
# Filled cells in a whole file: a full roster of MAX_ROWS rows uses a few dozen thousand.
MAX_CELLS = 100_000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run a cell that starts with "=" as a formula; text out stays text.
_FORMULA_START = "="
# What Excel, LibreOffice or Sheets may read as the start of a formula (see above).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel's built-in number formats 14 and 22 (openpyxl names them so): shown in the reader's
# locale, where openpyxl's own default, yyyy-mm-dd, is the same everywhere.
DATE_FORMAT = "mm-dd-yy"
DATETIME_FORMAT = "m/d/yy h:mm"


@dataclass(frozen=True)
class Cell:
    value: Any
    formula: bool = False

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


@dataclass(frozen=True)
class Table:
    headers: list[str]
    # (row number as the spreadsheet shows it, cells)
    rows: list[tuple[int, list[Cell]]]


def check_size(size: int | None) -> None:
    if size is not None and size > MAX_BYTES:
        raise InvalidInput("file_too_large", max_mb=MAX_BYTES // (1024 * 1024))


def read_table(filename: str, content: bytes) -> Table:
    """The first sheet of an XLSX file, or a CSV file in UTF-8 or GBK (as Excel saves it)."""
    check_size(len(content))
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "xlsx":
        lines = _xlsx_lines(content)
    elif suffix == "csv":
        lines = _csv_lines(content)
    else:
        raise InvalidInput("file_type")
    return _table(lines)


def _xlsx_lines(content: bytes) -> Iterable[list[Cell]]:
    _check_unpacked_size(content)
    try:
        from openpyxl import load_workbook  # see new_workbook

        # Read-only: rows are parsed as they are read, so memory follows the rows kept.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            rows = book.worksheets[0].iter_rows()
            return _limited(
                [Cell(c.value, getattr(c, "data_type", None) == "f") for c in row] for row in rows
            )
        finally:
            book.close()
    except InvalidInput:
        raise
    except Exception:
        # A damaged or hand-made file makes openpyxl (and the XML parser under it) raise
        # almost any exception type; to the secretary they all mean the same.
        raise InvalidInput("file_unreadable") from None


def _check_unpacked_size(content: bytes) -> None:
    """An XLSX is a zip: refuse one that would unpack to far more than a roster needs."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InvalidInput("file_unreadable") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InvalidInput("file_too_large", max_mb=MAX_BYTES // (1024 * 1024))


def _csv_lines(content: bytes) -> Iterable[list[Cell]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("file_encoding")
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        return _limited(
            [Cell(v, v.lstrip().startswith(_FORMULA_START)) for v in row] for row in rows
        )
    except csv.Error:
        raise InvalidInput("file_unreadable") from None


def _limited(rows: Iterable[list[Cell]]) -> list[list[Cell]]:
    """The rows, each without its empty cells at the end, as long as there are at most
    MAX_ROWS (header included) and MAX_CELLS filled cells: the file is refused the moment
    it has more, so a huge one costs neither the time nor the memory to read it all."""
    kept: list[list[Cell]] = []
    filled = 0
    for row in rows:
        if len(kept) > MAX_ROWS:
            raise InvalidInput("too_many_rows", max=MAX_ROWS)
        while row and row[-1].empty and not row[-1].formula:
            row.pop()
        filled += sum(1 for cell in row if not cell.empty)
        if filled > MAX_CELLS:
            raise InvalidInput("too_many_cells", max=MAX_CELLS)
        kept.append(row)
    return kept


def _table(lines: Iterable[list[Cell]]) -> Table:
    numbered = [(n, cells) for n, cells in enumerate(lines, start=1)]
    if not numbered:
        raise InvalidInput("file_empty")
    _, header_cells = numbered[0]
    headers = [_header(c.value) for c in header_cells]
    rows = [(n, cells) for n, cells in numbered[1:] if not all(c.empty for c in cells)]
    if not rows:
        raise InvalidInput("file_empty")
    return Table(headers, rows)


def _header(value: Any) -> str:
    # Templates mark required columns with "*"; people add spaces and full-width ones.
    return "" if value is None else str(value).replace("*", "").replace("\u3000", "").strip()


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[Sequence[Any]] = field(default_factory=list)


def new_workbook() -> Workbook:
    """An empty workbook, its default sheet removed."""
    # Imported here, not at start-up: openpyxl, PIL and qrcode together cost ~10 MiB and
    # 0.1 s before the first poll (benchmarks/startup.py).
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl.utils import get_column_letter

    book = new_workbook()
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append(sheet.headers)
        for row in sheet.rows:
            ws.append([_plain(v) for v in row])
        for index, width in enumerate(column_widths(sheet), start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
    return save(book)


def column_widths(sheet: Sheet) -> list[int]:
    """Each column wide enough for its header (Chinese takes two places) and its longest
    value, within 8 to 60 characters (`xlsx_writer.Book.add_sheet` uses them too)."""
    widths = []
    for i, header in enumerate(sheet.headers):
        longest = max([len(str(header)) * 2, *(len(str(r[i] or "")) for r in sheet.rows)])
        widths.append(min(max(longest + 2, 8), 60))
    return widths


def save(book: Workbook) -> bytes:
    """The file of a workbook: every XLSX the bot makes leaves through here, with every
    cell that would be a formula turned into the text it reads and every date shown in the
    reader's locale."""
    for ws in book.worksheets:
        # The cells that exist: iter_rows() would create every cell of the used range.
        for cell in ws._cells.values():
            if isinstance(cell.value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            elif cell.data_type == "f" or needs_quote(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """Every CSV the bot makes, in UTF-8 with a byte-order mark so that Excel opens Chinese
    text correctly, and no cell that a spreadsheet program would run."""
    out = io.StringIO()
    csv.writer(out).writerows([[_csv_text(v) for v in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def needs_quote(value: Any) -> bool:
    """A text that a spreadsheet program would run: it is written as text (see above)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def _csv_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    if needs_quote(value):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones; the caller converts to local time before this.
        return value.replace(tzinfo=None)
    if isinstance(value, date | datetime | int | float | Decimal | str) or value is None:
        return value
    return str(value)
