"""Spreadsheets in and out of the chat, for the console tests."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from domain.spreadsheets import XLSX_MIME

HEADERS = ["姓名", "手机号", "类别", "入党日期"]


def xlsx(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sent_file(message: dict) -> tuple[str, bytes]:
    document = message["_files"]["document"]
    return document["filename"], document["content"]


def sheet_rows(content: bytes, sheet: int = 0) -> list[tuple]:
    book = load_workbook(io.BytesIO(content))
    return [tuple(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]


async def upload(person, filename: str, content: bytes, mime: str = XLSX_MIME) -> list[dict]:
    return await person.send_document(filename, content, mime)


def wide_xlsx(rows: int, extra_columns: int) -> bytes:
    """A roster of `rows` members with `extra_columns` filled cells more in each row, built
    as XML directly: openpyxl would take minutes to write a file this large."""
    header = "".join(f"<c t='inlineStr'><is><t>{h}</t></is></c>" for h in HEADERS[:3])
    extra = "<c><v>7</v></c>" * extra_columns
    lines = [f"<row>{header}{extra}</row>"]
    for i in range(rows):
        lines.append(
            f"<row><c t='inlineStr'><is><t>党员{chr(0x4E00 + i % 20000)}</t></is></c>"
            f"<c><v>138{i:08d}</v></c><c t='inlineStr'><is><t>居民党员</t></is></c>{extra}</row>"
        )
    last = get_column_letter(3 + extra_columns)
    sheet = (
        "<?xml version='1.0' encoding='UTF-8'?><worksheet xmlns="
        "'http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
        f"<dimension ref='A1:{last}{rows + 1}'/><sheetData>"
        + "".join(lines)
        + "</sheetData></worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(xlsx([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            target.writestr(item.filename, data)
    return out.getvalue()
