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
                # A run of columns of one width is one range (XlsxWriter), or one per column.
                sorted(
                    (n, d.width)
                    for d in ws.column_dimensions.values()
                    if d.width
                    for n in range(d.min, d.max + 1)
                ),
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


# What Excel shows where the two writers encode the same thing differently:
_DEFAULT_FONT = ("Calibri", 11.0)  # the workbook's default font, in both writers' files


def shown(seen: list[tuple]) -> list[tuple]:
    """`cells()` with what differs only in encoding made one, and the named style left
    out (see `named_styles`):
    - fitToWidth: openpyxl wrote 1, XlsxWriter leaves out 1, Excel's default;
    - fonts: openpyxl's named styles left the font's name and size unset (Excel takes the
      default font's, Calibri 11), XlsxWriter writes them;
    - fill colour: openpyxl wrote the grey as 00DDDDDD, XlsxWriter as FFDDDDDD; Excel
      ignores the alpha byte of a cell's fill;
    - an empty cell (value None): openpyxl typed the empty text's cell as an inline
      string, XlsxWriter writes a blank; both are an empty cell."""
    out: list[tuple] = []
    for item in seen:
        if len(item) != 9:
            title, merged, panes, titles, setup, fit, widths = item
            orientation, paper, to_width, to_height = setup
            setup = (orientation, paper, 1 if to_width is None else to_width, to_height)
            out.append((title, merged, panes, titles, setup, fit, widths))
            continue
        ref, value, kind, font, fill, border, align, quote, _ = item
        bold, size, name = font
        font = (bold, size or _DEFAULT_FONT[1], name or _DEFAULT_FONT[0])
        pattern, rgb = fill
        fill = (pattern, rgb[-6:] if isinstance(rgb, str) else rgb)
        out.append((ref, value, None if value is None else kind, font, fill, border, align, quote))
    return out


def named_styles(seen: list[tuple]) -> set[str]:
    """The named styles the cells are in (`cells()`'s last field)."""
    return {item[8] for item in seen if len(item) == 9}
