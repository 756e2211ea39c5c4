"""Spreadsheets in and out of the chat, for the console tests."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook

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
