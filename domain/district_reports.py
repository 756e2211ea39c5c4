"""The quarterly district summary (区党工委): on the first working day after a quarter, each
district contact gets the figures of the district's branches (a message, and an XLSX with
one sheet per branch) in their own language; each patron (包扶) of a branch gets that
branch's part. Queued once: the outbox keys name the quarter and the recipient."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import aiosqlite

from domain import district_figures, i18n, languages, reminders
from domain.district_figures import BranchFigures
from domain.i18n import N_, Translator, translator
from domain.models import Role
from domain.notification import Attachment, Kind
from domain.outbox import enqueue
from domain.periods import Period
from domain.quarterly_feedback import period_label
from domain.spreadsheets import Sheet, column_widths
from domain.xlsx_writer import Book
from storage import districts, people
from storage.db import Database

TEMPLATE = "district.summary"  # text rendered in the recipient's language when queued
TEXT_LIMIT = 3800  # Telegram takes 4096 characters a message
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")

DISTRICT_HEADING = N_("Quarterly summary of {district}, {period}")
PATRON_HEADING = N_("Quarterly summary of {branch}, {period}")
FILE_CAPTION = N_("The figures of each branch, one sheet per branch.")
CUT_SHORT = N_("… and {n} more branches: see the spreadsheet.")


def summary_text(t: Translator, heading: str, figures: list[BranchFigures]) -> str:
    parts = [heading]
    for number, branch in enumerate(figures):
        lines = [branch.branch.name] + [f"• {line.text(t)}" for line in branch.lines]
        part = "\n".join(lines)
        if sum(len(p) + 2 for p in parts) + len(part) > TEXT_LIMIT:
            parts.append(t.gettext(CUT_SHORT, n=len(figures) - number))
            break
        parts.append(part)
    return "\n\n".join(parts)


def _sheet_title(name: str, taken: set[str]) -> str:
    title = _SHEET_UNSAFE.sub(" ", name)[:31] or "-"
    number = 2
    while title in taken:
        suffix = f" ({number})"
        title, number = title[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title)
    return title


def sheets(t: Translator, figures: list[BranchFigures]) -> list[Sheet]:
    """A sheet per branch: each figure and who it is about."""
    taken: set[str] = set()
    headers = [t.gettext("Figure"), t.pgettext("district sheet", "Who")]
    return [
        Sheet(
            _sheet_title(branch.branch.name, taken),
            headers,
            [[line.text(t), t.join(list(line.names))] for line in branch.lines],
        )
        for branch in figures
    ]


def workbook(t: Translator, figures: list[BranchFigures]) -> bytes:
    """The sheets as `spreadsheets.write_workbook` would write them, through XlsxWriter
    (`domain.xlsx_writer`): a district of 1,000 branches is 1,000 sheets, and openpyxl's
    cost per sheet was most of the summary's."""
    book = Book()
    for sheet in sheets(t, figures):
        book.add_sheet(sheet.title, sheet.headers, sheet.rows, column_widths(sheet))
    return book.file()


@dataclass(frozen=True)
class Summary:
    """One recipient's summary: `heading` a message taking {period} and `params`."""

    person_id: int
    telegram_id: int
    key: str
    heading: str
    params: dict[str, str]
    figures: list[BranchFigures]
    file_name: str


async def _queue(
    conn: aiosqlite.Connection, db: Database, summary: Summary, quarter: Period, now: datetime
) -> int:
    """The message, then the file: two outbox entries, each queued once by its key."""
    t = translator(i18n.resolve(*await languages.of(db, summary.telegram_id)))
    heading = t.gettext(summary.heading, period=period_label(t, quarter), **summary.params)
    queued = 0
    for part, text, attachment in (
        ("text", summary_text(t, heading, summary.figures), None),
        (
            "xlsx",
            t.gettext(FILE_CAPTION),
            Attachment(summary.file_name, content=workbook(t, summary.figures)),
        ),
    ):
        queued += await enqueue(
            conn,
            key=f"{summary.key}:{part}",
            chat_id=summary.telegram_id,
            template=TEMPLATE,
            params={"text": text},
            kind=Kind.OFFICE_HOURS,
            attachment=attachment,
            not_before=now,
        )
    return queued


async def summaries_of(
    db: Database, district_id: int, name: str, quarter: Period, now: datetime, tz: ZoneInfo
) -> list[Summary]:
    """What the district's contacts and its branches' patrons receive for `quarter`."""
    contacts = [p for p in await districts.contacts(db, district_id) if p.telegram_id]
    branch_list = await districts.branches_of_district(db, district_id)
    patrons = {b.id: await people.holders(db, b.id, Role.PATRON) for b in branch_list}
    if not branch_list or not (contacts or any(patrons.values())):
        return []
    figures = await district_figures.figures_of(db, branch_list, quarter, now, tz)
    found = [
        Summary(
            p.id,
            p.telegram_id,
            f"district-summary:{quarter.label}:{district_id}:{p.id}",
            DISTRICT_HEADING,
            {"district": name},
            figures,
            f"district-{district_id}-{quarter.label}.xlsx",
        )
        for p in contacts
    ]
    for branch in figures:
        for patron in patrons[branch.branch.id]:
            found.append(
                Summary(
                    patron.id,
                    patron.telegram_id,
                    f"patron-summary:{quarter.label}:{branch.branch.id}:{patron.id}",
                    PATRON_HEADING,
                    {"branch": branch.branch.name},
                    [branch],
                    f"branch-{branch.branch.id}-{quarter.label}.xlsx",
                )
            )
    return found


async def send_quarter(db: Database, quarter: Period, now: datetime, tz: ZoneInfo) -> int:
    """Every district's summaries of `quarter`, each queued once."""
    queued = 0
    for district_id, name in await districts.all_districts(db):
        summaries = await summaries_of(db, district_id, name, quarter, now, tz)
        async with db.transaction() as conn:
            for summary in summaries:
                queued += await _queue(conn, db, summary, quarter, now)
    return queued


# Job: the district contacts' and the patrons' summaries of the quarter just ended.
quarterly_summaries = reminders.quarterly(send_quarter)
