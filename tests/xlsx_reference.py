"""The openpyxl writer the printed tables had before `domain.xlsx_writer`, as it was (kept for
`tests/test_xlsx_writer.py` and `benchmarks.reports --check`, which compare what both write,
cell for cell): a cadre_sheets.Sheet as openpyxl cells in named styles registered once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from domain.cadre_sheets import _INVALID_SHEET_CHARS, Sheet
from domain.spreadsheets import new_workbook, save

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet


def _named_styles(book: Workbook) -> None:
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


def append_styled(ws: Worksheet, rows: Iterable[Sequence[Any]], style: str) -> None:
    """Rows at the end of `ws`, every cell in the named style `style`, looked up once."""
    from openpyxl.cell import Cell
    from openpyxl.styles.cell_style import StyleArray

    probe = Cell(ws)
    probe.style = style
    template = probe._style
    for row in rows:
        ws.append([Cell(ws, value=v, style_array=StyleArray(template)) for v in row])


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


def workbook(sheets: list[Sheet]) -> bytes:
    book = new_workbook()
    for sheet in sheets:
        write_sheet(book, sheet)
    return save(book)


class OpenpyxlBook:
    """In place of `xlsx_writer.Book`: the same sheets through the old writer."""

    def __init__(self) -> None:
        self.sheets: list[Sheet] = []

    def file(self) -> bytes:
        return workbook(self.sheets)


@contextmanager
def old_writer() -> Iterator[None]:
    """The quarterly feedback and the county report written by openpyxl, as before."""
    from domain import county_report, quarterly_feedback

    def add(book: OpenpyxlBook, sheet: Sheet) -> None:
        book.sheets.append(sheet)

    saved = [(m, m.new_book, m.write_sheet) for m in (quarterly_feedback, county_report)]
    for module, _, _ in saved:
        module.new_book, module.write_sheet = OpenpyxlBook, add
    try:
        yield
    finally:
        for module, new_book, write in saved:
            module.new_book, module.write_sheet = new_book, write


def cells(xlsx: bytes) -> list[tuple]:
    """What a reader of the file sees, read back with openpyxl: per sheet its title, merged
    ranges, panes, print titles, page set-up and column widths, and every cell's value,
    type and style (font, fill, border, alignment, quote prefix, named style)."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx))
    seen: list[tuple] = []
    for ws in book.worksheets:
        setup = ws.page_setup
        seen.append(
            (
                ws.title,
                sorted(str(r) for r in ws.merged_cells.ranges),
                ws.freeze_panes,
                ws.print_title_rows,
                (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight),
                ws.sheet_properties.pageSetUpPr.fitToPage,
                sorted((k, d.width) for k, d in ws.column_dimensions.items() if d.width),
            )
        )
        for row in ws.iter_rows():
            for c in row:
                f, a, b = c.font, c.alignment, c.border
                seen.append(
                    (
                        c.coordinate,
                        c.value,
                        c.data_type,
                        (f.b, f.sz, f.name),
                        (c.fill.patternType, c.fill.fgColor.rgb),
                        tuple(
                            getattr(b, side).style for side in ("left", "right", "top", "bottom")
                        ),
                        (a.horizontal, a.vertical, a.wrap_text),
                        c.quotePrefix,
                        c.style,
                    )
                )
    return seen
