"""`partybot secretary`: who holds a branch's secretary role, given, taken and handed over
from the shell (the bot itself never makes a secretary)."""

from __future__ import annotations

import argparse

from bot.cli.shell import Commands, Parsers
from bot.config import Settings
from domain import admin
from storage.db import Database


def add_commands(parsers: Parsers) -> Commands:
    secretary = parsers["secretary"].add_subparsers(dest="action")
    secretary_add = secretary.add_parser("add", help="make a Telegram account a secretary")
    secretary_add.add_argument("--branch", type=int, required=True)
    secretary_add.add_argument("--telegram-id", type=int, required=True)
    secretary_add.add_argument("--name", required=True, help="as the roster and /audit show it")
    secretary_list = secretary.add_parser("list", help="every branch's secretaries")
    secretary_list.add_argument("--branch", type=int)
    secretary_remove = secretary.add_parser(
        "remove", help="take the role from an account (never the branch's last secretary)"
    )
    secretary_remove.add_argument("--branch", type=int, required=True)
    secretary_remove.add_argument("--telegram-id", type=int, required=True)
    secretary_replace = secretary.add_parser(
        "replace", help="hand the role to another account (a new phone, a new secretary)"
    )
    secretary_replace.add_argument("--branch", type=int, required=True)
    secretary_replace.add_argument("--from", dest="old", type=int, required=True, metavar="OLD")
    secretary_replace.add_argument("--to", dest="new", type=int, required=True, metavar="NEW")
    return {
        ("secretary", "add"): _secretary_add,
        ("secretary", "list"): _secretary_list,
        ("secretary", "remove"): _secretary_remove,
        ("secretary", "replace"): _secretary_replace,
    }


async def _secretary_add(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    person = await admin.add_secretary(db, args.branch, args.telegram_id, args.name)
    print(
        f"telegram id {args.telegram_id} is secretary of branch {args.branch} (person {person.id})"
    )
    return 0


async def _secretary_list(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    found = await admin.list_secretaries(db, args.branch)
    for s in found:
        print(f"{s.branch.id}\t{s.branch.name}\t{s.person.telegram_id}\t{s.person.name or ''}")
    if not found:
        print("no secretaries")
    return 0


async def _secretary_remove(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    await admin.remove_secretary(db, args.branch, args.telegram_id)
    print(f"telegram id {args.telegram_id} is no longer secretary of branch {args.branch}")
    return 0


async def _secretary_replace(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    await admin.replace_secretary(db, args.branch, args.old, args.new)
    print(
        f"telegram id {args.new} is secretary of branch {args.branch} in place of {args.old};"
        " what waits for a decision was sent to the new account"
    )
    return 0
