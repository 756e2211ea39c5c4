"""What the secretary's console features share: sending a file and the wording of their
refusals (the branch a secretary acts for: handlers.branch_choice)."""

from __future__ import annotations

from telegram import Update

from domain.i18n import N_
from handlers.common import add_errors

add_errors(
    {
        "file_type": N_("Please send an Excel file (.xlsx) or a CSV file (.csv)."),
        "file_too_large": N_("That file is too large (at most {max_mb} MB)."),
        "file_unreadable": N_(
            "I could not read that file. Please save it again as .xlsx from Excel or WPS."
        ),
        "file_encoding": N_(
            "I could not read the text of that CSV file. Please save it as UTF-8 or as .xlsx."
        ),
        "file_empty": N_("That file has no rows to import."),
        "too_many_rows": N_(
            "That file has more than {max} rows. Please split it into smaller files."
        ),
        "too_many_cells": N_(
            "That file has more than {max} filled cells. Please keep only the template's "
            "columns, or split it into smaller files."
        ),
        "columns_missing": N_(
            "These columns are missing: {columns}. Please start from the template."
        ),
        "cell_formula": N_("Formulas are not accepted; please paste the value."),
        "cell_empty": N_("This field is required."),
        "duplicate_in_file": N_("Same as row {row}."),
        "category_unknown": N_(
            "Unknown category; use 居民党员, 流动党员, 下岗职工党员, 党员干部 or 入党积极分子."
        ),
        "roster_date_invalid": N_("Not a date; write it like 2001-07-01."),
        "roster_date_out_of_range": N_("This date is not possible."),
        "telegram_id_invalid": N_("A Telegram id is a positive number."),
        "telegram_id_elsewhere": N_("This Telegram account belongs to someone in another branch."),
        "branch_unknown": N_("That branch no longer exists."),
        "export_unknown": N_("There is no such export. Send /export to see the choices."),
        "person_unknown": N_("That person is not in the records."),
        "depart_self": N_("To record your own departure, send /leave."),
        "already_left": N_("This person's departure has already been recorded."),
        "period_invalid": N_("Please give the period as two dates, the earlier first."),
    }
)

XLSX = ".xlsx"


async def send_file(update: Update, content: bytes, filename: str, caption: str) -> None:
    await update.effective_message.reply_document(
        document=content, filename=filename, caption=caption[:1024]
    )
