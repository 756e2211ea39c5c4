"""The XLSX writer of the large printed tables (the quarterly feedback and the county
report, `domain/cadre_sheets.py`): each sheet a heading over a frozen header row, body rows
and a totals row, in three named styles, set up to print on A4 landscape.

openpyxl builds an object per cell and serialises it through et_xmlfile: ~25 µs of CPU per
cell, which made the county-wide feedback (168,000 cells) miss its 2 s by far
(benchmarks/README.md). This writes the same parts openpyxl wrote for these tables — the
same styles, widths, merged heading, panes and print titles, each value stored as openpyxl
stored it — as text, a few µs per cell. `tests/test_xlsx_writer.py` reads both files back
with openpyxl and compares every cell's value, type and style.

The formula guard is the one of `domain.spreadsheets` (`needs_quote`): a text a spreadsheet
program would run is stored as text with Excel's quote prefix.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

from domain.spreadsheets import needs_quote

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# XML 1.0 cannot hold these; openpyxl refused a cell holding one.
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
_MAX_TEXT = 32767  # characters in a cell, as Excel (and openpyxl) cut them

# Cell formats (cellXfs): the style of the heading, then each named style plain and with
# the quote prefix. The named styles are those `cadre_sheets` registered with openpyxl.
HEADING, HEADER, BODY, TOTAL = "heading", "header", "body", "total"
_XF = {HEADING: 1, HEADER: 3, BODY: 5, TOTAL: 7}  # +1: quoted
_BODY_ALIGN = '<alignment vertical="top" wrapText="1"/>'
_HEADER_ALIGN = '<alignment horizontal="center" vertical="center" wrapText="1"/>'
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="0"/>'
    '<fonts count="4"><font><name val="Calibri"/><family val="2"/><color theme="1"/>'
    '<sz val="11"/><scheme val="minor"/></font><font/><font><b val="1"/></font>'
    '<font><b val="1"/><sz val="14"/></font></fonts>'
    '<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/>'
    '</fill><fill><patternFill patternType="solid"><fgColor rgb="00DDDDDD"/></patternFill>'
    "</fill></fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border>'
    '<left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/>'
    "</border></borders>"
    '<cellStyleXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    f'<xf numFmtId="0" fontId="1" fillId="0" borderId="1" applyAlignment="1">{_BODY_ALIGN}</xf>'
    f'<xf numFmtId="0" fontId="2" fillId="0" borderId="1" applyAlignment="1">{_BODY_ALIGN}</xf>'
    f'<xf numFmtId="0" fontId="2" fillId="2" borderId="1" applyAlignment="1">{_HEADER_ALIGN}'
    "</xf></cellStyleXfs>"
    '<cellXfs count="9"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    + "".join(
        f'<xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}" '
        f'applyAlignment="1" quotePrefix="{quoted}" xfId="{named}">{align}</xf>'
        for font, fill, border, named, align in (
            (3, 0, 0, 0, '<alignment horizontal="center"/>'),
            (2, 2, 1, 3, _HEADER_ALIGN),
            (1, 0, 1, 1, _BODY_ALIGN),
            (2, 0, 1, 2, _BODY_ALIGN),
        )
        for quoted in (0, 1)
    )
    + '</cellXfs><cellStyles count="4"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '<cellStyle name="fb-body" xfId="1"/><cellStyle name="fb-total" xfId="2"/>'
    '<cellStyle name="fb-header" xfId="3"/></cellStyles>'
    '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(ref: str, value: object, style: str) -> str:
    """One `<c>` as openpyxl stores the value: text inline, numbers as "%.16g", booleans
    as 1/0, no value for None and the empty text (both read back as None)."""
    xf = _XF[style]
    if value is None:
        return f'<c r="{ref}" s="{xf}" t="n"/>'
    if value == "":
        return f'<c r="{ref}" s="{xf}" t="inlineStr"/>'
    if isinstance(value, str):
        if needs_quote(value):
            xf += 1
        text = value[:_MAX_TEXT]
        if _ILLEGAL.search(text):
            text = _ILLEGAL.sub("", text)
        space = ' xml:space="preserve"' if text.strip() and text != text.strip() else ""
        return f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{xf}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        number = "" if math.isnan(value) or math.isinf(value) else f"{float(value):.16g}"
        return f'<c r="{ref}" s="{xf}" t="n"><v>{number}</v></c>'
    raise TypeError(f"a printed table holds text, numbers and booleans, not {type(value)}")


class Book:
    """A workbook of printed tables, written as text when saved."""

    def __init__(self) -> None:
        self._sheets: list[tuple[str, str]] = []  # (title, worksheet XML)

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
        width = len(headers)
        letters = [_column(n) for n in range(1, width + 1)]
        lines = [
            f'<row r="1">{_cell("A1", heading, HEADING)}</row>',
            '<row r="2">'
            + "".join(_cell(f"{c}2", t, HEADER) for c, (t, _) in zip(letters, headers, strict=True))
            + "</row>",
        ]
        number = 2
        blocks: list[tuple[Iterable[Sequence[object]], str]] = [(rows, BODY)]
        if totals is not None:
            blocks.append(([totals], TOTAL))
        for block, style in blocks:
            for row in block:
                number += 1
                while len(letters) < len(row):
                    letters.append(_column(len(letters) + 1))
                cells = "".join(
                    _cell(f"{c}{number}", v, style) for c, v in zip(letters, row, strict=False)
                )
                lines.append(f'<row r="{number}">{cells}</row>')
        cols = "".join(
            f'<col min="{n}" max="{n}" width="{chars + 2}" customWidth="1"/>'
            for n, (_, chars) in enumerate(headers, start=1)
        )
        last = _column(width)
        xml = (
            f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetPr><outlinePr summaryBelow="1" '
            'summaryRight="1"/><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:{last}{number}"/><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
            f'<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/><cols>{cols}</cols>'
            f"<sheetData>{''.join(lines)}</sheetData>"
            f'<mergeCells count="1"><mergeCell ref="A1:{last}1"/></mergeCells>'
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
            'footer="0.5"/><pageSetup orientation="landscape" paperSize="9" fitToHeight="0" '
            'fitToWidth="1"/></worksheet>'
        )
        self._sheets.append((self._unique(title), xml))

    def _unique(self, title: str) -> str:
        """openpyxl's rule: a title taken (in any case) gets the next number."""
        taken = {t.lower() for t, _ in self._sheets}
        if title.lower() not in taken:
            return title
        count = 1
        while f"{title}{count}".lower() in taken:
            count += 1
        return f"{title}{count}"

    def file(self) -> bytes:
        """The XLSX file, every text a spreadsheet program would run stored as text."""
        # The theme openpyxl writes into every workbook (the fonts' colour refers to it).
        from openpyxl.writer.theme import theme_xml

        sheets = self._sheets
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            f'ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        content_types = (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            f'ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
            f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_CT}.theme+xml"/>'
            f"{overrides}</Types>"
        )
        root_rels = (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        )
        entries = "".join(
            f'<sheet name="{_attribute(title)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, (title, _) in enumerate(sheets, start=1)
        )
        titles = "".join(
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
            f"{_escape(_quoted(title))}!$2:$2</definedName>"
            for n, (title, _) in enumerate(sheets)
        )
        workbook = (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/>'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{entries}</sheets><definedNames>{titles}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )
        rels = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" '
            f'Target="/xl/worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        n = len(sheets)
        workbook_rels = (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}'
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{_REL}/theme" Target="theme/theme1.xml"/>'
            "</Relationships>"
        )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", content_types)
            archive.writestr("_rels/.rels", root_rels)
            archive.writestr("xl/workbook.xml", workbook)
            archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
            archive.writestr("xl/styles.xml", _STYLES)
            archive.writestr("xl/theme/theme1.xml", theme_xml)
            for number, (_, xml) in enumerate(sheets, start=1):
                archive.writestr(f"xl/worksheets/sheet{number}.xml", xml)
        return out.getvalue()


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"
