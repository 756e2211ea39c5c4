"""What every `partybot` command shares: exit codes, the one-line wording of a domain
error, the database a command runs against, and the bot's link for invitations."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot import backups
from bot.config import ConfigError, Settings
from domain.errors import DomainError, NotFound
from domain.models import Invite
from storage import branches
from storage.db import Database

EXIT_USAGE = 2
EXIT_FAILED = 1

log = logging.getLogger("partybot")

Action = Callable[[Settings, Database, argparse.Namespace], Coroutine[Any, Any, int]]
# (command, action) -> what runs it; action None for a command without sub-commands.
Commands = dict[tuple[str, str | None], Action]
# A group's commands, each already added to `partybot` with its help line (bot/cli/__init__.py):
# the group's `add_commands` adds their arguments and actions.
Parsers = dict[str, argparse.ArgumentParser]


def describe(exc: DomainError) -> str:
    texts = {
        "branch_unknown": "no branch with id {branch}",
        "branch_exists": "a branch named {name!r} already exists in that district",
        "branch_name_empty": "the branch name is empty",
        "telegram_id_invalid": "a Telegram id is a positive number",
        "not_secretary": "telegram id {telegram_id} is not a secretary of branch {branch}",
        "last_secretary": "that is the last secretary of branch {branch}; use `partybot"
        " secretary replace --branch {branch} --from OLD --to NEW` to hand the role over",
        "same_account": "--from and --to are the same account",
        "invite_uses": "--uses must be at least 1",
        "invite_expiry": "--expires must be at least 1 day",
        "invite_unit_missing": "--role unit needs --unit ID",
        "invite_district_missing": "--role district needs --district ID (and no --branch)",
        "invite_branch_missing": "this role needs --branch ID (and no --district)",
        "district_unknown": "no district with id {district}",
        "district_exists": "a district named {name!r} already exists",
        "district_name_invalid": "a district name is 1 to {max} characters",
        "request_unknown": "no join request with that id",
        "already_decided": "that request is decided already",
        "unit_unknown": "no unit organisation with id {unit}",
        "unit_exists": "a unit organisation named {name!r} already exists",
        "invite_resident_unit_missing": "--role resident_unit needs --resident-unit ID",
        "resident_unit_unknown": "no resident unit with that id in that branch",
        "unit_name_too_short": "the unit name is too short",
        "unit_name_too_long": "the unit name is longer than {max} characters",
        "quarter_invalid": "{value!r} is not a quarter like 2026Q3",
        "half_invalid": "{value!r} is not a half-year like 2026H2",
        "font_missing": "no usable font with Chinese glyphs (tried {tried}); set BOT_FONT"
        " to one, or reinstall partybot (it brings one)",
        "validity_months": "--validity-months must be 1 to 6 (national practice: at most 6)",
        "period_days": "--report-days and --contact-days must be 1 to 366",
        "job_unknown": "no job named {job!r}; see `partybot job list`",
        "job_off": "{job} is switched off for branch {branch}: nothing ran (`partybot job set`)",
        "outbox_not_failed": "message {id} is not dead or unreachable",
        "calendar_date": "{value!r} is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD",
        "calendar_range": "{value!r} is not a range of at most a month, first day first",
        "calendar_twice": "{day} is given twice",
        "calendar_outside": "{day} is not in the year entered",
        "calendar_columns": "the file needs the columns date, kind and name (a header row)",
        "calendar_kind": "row {row}: kind {value!r} is neither holiday nor workday",
        "calendar_empty": "nothing to enter: give --holiday and --workday days",
        "file_too_large": "the file is larger than {max_mb} MB",
        "file_empty": "the file has no rows",
        "file_type": "the file is neither .csv nor .xlsx",
        "file_unreadable": "the file cannot be read as CSV or XLSX",
        "file_encoding": "the CSV file is neither UTF-8 nor GBK",
        "too_many_rows": "the file has more than {max} rows",
    }
    return texts.get(exc.code, exc.code).format(**exc.params)


async def with_db(settings: Settings, action: Action, args: argparse.Namespace) -> int:
    await backups.upgrade(settings, log.info)
    async with Database(settings.database) as db:
        return await action(settings, db, args)


async def require_branch(db: Database, branch_id: int) -> None:
    """NotFound("branch_unknown") unless the branch exists: the commands' first check."""
    if await branches.get(db, branch_id) is None:
        raise NotFound("branch_unknown", branch=branch_id)


def read(path: Path) -> bytes | None:
    """The file's bytes; None after one line on stderr when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        print(f"partybot: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return None


async def bot_username(settings: Settings) -> str | None:
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if settings.telegram_bot_token is None:
        return None
    from telegram import Bot
    from telegram.error import TelegramError

    try:
        async with Bot(settings.token(), base_url=settings.telegram_base_url) as bot:
            return bot.username
    except (TelegramError, ConfigError) as exc:
        log.warning("could not ask Telegram for the bot's name: %s", exc)
        return None


async def print_invite(settings: Settings, invite: Invite) -> None:
    username = await bot_username(settings)
    print(
        f"https://t.me/{username}?start={invite.code}"
        if username
        else "(link: set TELEGRAM_BOT_USERNAME or TELEGRAM_BOT_TOKEN to print the link)"
    )
    print(invite.code)
