"""/import: the secretary gets the template, sends the filled file, gets a report back."""

from __future__ import annotations

import asyncio
from enum import StrEnum

from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from domain import roster, spreadsheets
from domain.errors import DomainError
from domain.i18n import N_, Translator
from domain.spreadsheets import Sheet, write_workbook
from handlers.branch_choice import branch_command, branch_for
from handlers.common import (
    branch_zone,
    error_text,
    tr,
    who,
)
from handlers.console import XLSX, send_file
from handlers.conversation import CANCEL_HINT, cancel_with
from handlers.flow_kit import conversation as flow_conversation
from handlers.flow_kit import expecting, start_link


class Step(StrEnum):
    """The step of /import. The value is persisted (ptb_conversations): keep it."""

    WAITING_FILE = "import.file"


DRAFT = "import"


async def start(update: Update, context: BotContext) -> Step | int:
    branch_id = await branch_for(update, context, "import")
    if branch_id is None:
        return ConversationHandler.END  # refused, or asked which branch (the press resumes)
    t = await tr(update, context)
    context.user_data[DRAFT] = {"branch": branch_id}
    await send_file(
        update,
        roster.template(),
        "党员名册模板.xlsx",
        t.gettext(
            "Fill in this template (one member per row) and send it back to me here as .xlsx or .csv. "
            "Rows are checked first; if any row has a problem, nothing is imported and you get a list of the problems. "
            "Members already known (same phone or Telegram id) are updated, not added twice."
        )
        + "\n"
        + t.gettext(CANCEL_HINT),
    )
    return Step.WAITING_FILE


async def got_file(update: Update, context: BotContext) -> Step | int:
    t = await tr(update, context)
    document = update.effective_message.document
    try:
        spreadsheets.check_size(document.file_size)
        content = bytes(await (await document.get_file()).download_as_bytearray())
        # In a thread: a large file takes seconds to parse, and everyone else's updates
        # must not wait for it.
        table = await asyncio.to_thread(spreadsheets.read_table, document.file_name or "", content)
        result = await roster.import_roster(
            context.db,
            await who(update, context),
            context.user_data[DRAFT]["branch"],
            table,
            today=update.effective_message.date.astimezone(
                await branch_zone(context, context.user_data[DRAFT]["branch"])
            ).date(),
        )
    except DomainError as exc:
        await update.effective_message.reply_text(
            error_text(t, exc) + "\n" + t.gettext("Nothing was imported.")
        )
        return Step.WAITING_FILE
    if not result.ok:
        await send_file(
            update,
            error_report(t, result.errors),
            t.gettext("Import problems") + XLSX,
            t.ngettext(
                "{n} problem found; nothing was imported. Please correct the file and send it again, or /cancel.",
                "{n} problems found; nothing was imported. Please correct the file and send it again, or /cancel.",
                len(result.errors),
            ),
        )
        return Step.WAITING_FILE
    context.user_data.pop(DRAFT, None)
    link = start_link(context, "")
    await send_file(
        update,
        invitation_report(t, result.imported, link),
        t.gettext("Import result") + XLSX,
        t.gettext(
            "Imported: {created} new, {matched} already known. Pass each new member their personal invitation link from this file.",
            created=result.created,
            matched=result.matched,
        ),
    )
    return ConversationHandler.END


def error_report(t: Translator, errors: list[roster.RowError]) -> bytes:
    rows = [
        [
            e.row,
            roster.COLUMN_HEADERS.get(e.column or "", ""),
            error_text(t, DomainError(e.code, **e.params)),
        ]
        for e in sorted(errors, key=lambda e: e.row)
    ]
    headers = [t.gettext("Row"), t.gettext("Column"), t.gettext("Problem")]
    return write_workbook([Sheet(t.gettext("Problems"), headers, rows)])


def invitation_report(t: Translator, imported: list[roster.Imported], link: str) -> bytes:
    rows = [
        [
            i.row,
            i.name,
            i.phone,
            t.gettext("already known") if i.matched else t.gettext("new"),
            link + i.invite_code if i.invite_code else "",
        ]
        for i in imported
    ]
    headers = [
        t.gettext("Row"),
        t.gettext("Name"),
        t.gettext("Phone"),
        t.gettext("Result"),
        t.gettext("Invitation link"),
    ]
    return write_workbook([Sheet(t.gettext("Imported"), headers, rows)])


not_a_file = expecting(N_("Please send the filled-in file as a document, or /cancel."))


def conversation() -> ConversationHandler:
    return flow_conversation(
        "import",
        branch_command("import", start),
        {
            Step.WAITING_FILE: [
                MessageHandler(filters.Document.ALL, got_file),
                MessageHandler(~filters.COMMAND, not_a_file),
            ]
        },
        stray=None,
        cancel=cancel_with(DRAFT, said=N_("Import cancelled. Nothing was imported.")),
    )
