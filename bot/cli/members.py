"""`partybot invite create` and `import`: bring members in, by an invitation link or from
the branch's roster file (each new member gets an invitation code)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from bot.cli.shell import EXIT_FAILED, Commands, Parsers, bot_username, print_invite, read
from bot.config import Settings
from domain import onboarding, units
from domain.errors import DomainError, InvalidInput, NotFound
from domain.models import Invite, InviteRole
from domain.resident_units import registry as resident_units
from storage.db import Database


def add_commands(parsers: Parsers) -> Commands:
    invite = parsers["invite"].add_subparsers(dest="action")
    invite_create = invite.add_parser("create", help="create an invitation link")
    invite_create.add_argument("--branch", type=int)
    invite_create.add_argument("--district", type=int, help="district (role district)")
    invite_create.add_argument("--role", choices=[r.value for r in InviteRole], default="member")
    invite_create.add_argument("--uses", type=int, default=1)
    invite_create.add_argument("--expires", type=int, default=14, metavar="DAYS")
    invite_create.add_argument("--unit", type=int, help="unit organisation (role unit)")
    invite_create.add_argument(
        "--resident-unit", type=int, help="resident unit of the branch (role resident_unit)"
    )

    roster = parsers["import"]
    roster.add_argument("file", type=Path)
    roster.add_argument("--branch", type=int, required=True)
    return {("invite", "create"): _invite_create, ("import", None): _import}


async def _invite_create(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    role = InviteRole(args.role)
    if role is InviteRole.UNIT:
        if args.unit is None:
            raise InvalidInput("invite_unit_missing")
        if args.branch is None:
            raise InvalidInput("invite_branch_missing")
        invite = await units.invite_contact(db, None, args.unit, args.branch)
    elif role is InviteRole.RESIDENT_UNIT:
        invite = await _resident_invite(db, args)
    else:
        invite = await onboarding.create_invite(
            db,
            branch_id=args.branch,
            district_id=args.district,
            role=role,
            uses=args.uses,
            expires_in_days=args.expires,
        )
    await print_invite(settings, invite)
    return 0


async def _resident_invite(db: Database, args: argparse.Namespace) -> Invite:
    """The unit names its branch; a --branch other than the unit's is refused."""
    if args.resident_unit is None:
        raise InvalidInput("invite_resident_unit_missing")
    unit = await resident_units.get(db, args.resident_unit)
    if unit is None or unit.branch_id != args.branch:
        raise NotFound("resident_unit_unknown")
    return await resident_units.invite_contact(db, None, unit.id)


async def _import(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    import handlers.console  # noqa: F401  (registers the roster's wording)
    from domain import roster, spreadsheets
    from domain.i18n import translator
    from handlers.common import error_text

    content = read(args.file)
    if content is None:
        return EXIT_FAILED
    t = translator("en")
    try:
        table = spreadsheets.read_table(args.file.name, content)
    except DomainError as exc:
        print(f"partybot: {error_text(t, exc)}", file=sys.stderr)
        return EXIT_FAILED
    today = datetime.now(settings.tz).date()
    result = await roster.import_roster(db, None, args.branch, table, today=today)
    for error in result.errors:
        column = roster.COLUMN_HEADERS.get(error.column or "", "")
        reason = error_text(t, DomainError(error.code, **error.params))
        print(f"row {error.row} {column}: {reason}", file=sys.stderr)
    if not result.ok:
        print(f"partybot: {len(result.errors)} problem(s); nothing imported", file=sys.stderr)
        return EXIT_FAILED
    username = await bot_username(settings)
    for item in result.imported:
        if item.invite_code:
            link = f"https://t.me/{username}?start={item.invite_code}" if username else ""
            print(f"{item.name}\t{item.phone}\t{item.invite_code}\t{link}".rstrip())
    print(f"imported {result.created} new, {result.matched} already known")
    return 0
