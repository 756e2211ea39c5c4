"""`partybot district …` and `partybot request …`: the districts (区党工委), and the join
requests the operator decides (a district's contacts when no county contact is in the chat,
or any request that waits)."""

from __future__ import annotations

import argparse

from bot.cli.shell import Commands, Parsers
from bot.config import Settings
from domain import districts, onboarding
from storage import join_requests, people
from storage.db import Database


def add_commands(parsers: Parsers) -> Commands:
    district = parsers["district"].add_subparsers(dest="action")
    district_add = district.add_parser("add", help="create a district; prints its id")
    district_add.add_argument("name")
    district.add_parser("list", help="every district with its branches")

    request = parsers["request"].add_subparsers(dest="action")
    request.add_parser("list", help="every pending join request")
    for action in ("approve", "reject"):
        decide = request.add_parser(action, help=f"{action} a pending join request")
        decide.add_argument("id", type=int)
        decide.add_argument("--reason")
    return {
        ("district", "add"): _district_add,
        ("district", "list"): _district_list,
        ("request", "list"): _request_list,
        ("request", "approve"): _request_decide,
        ("request", "reject"): _request_decide,
    }


async def _district_add(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    print(await districts.add_district(db, args.name))
    return 0


async def _district_list(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    for district_id, name in await districts.all_districts(db):
        branches = await districts.branches_of_district(db, district_id)
        listed = ", ".join(f"{b.id} {b.name}" for b in branches) or "no branches"
        print(f"{district_id}\t{name}\t{listed}")
    return 0


async def _request_list(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    for request in await join_requests.pending_everywhere(db):
        person = await people.get(db, request.person_id)
        place = await onboarding.place_of(db, request)
        if request.district_id is not None:
            where = f"district {request.district_id} {place.name}"
        else:
            where = f"branch {request.branch_id} {place.name}"
        name = person.display_name if person else "?"
        print(f"{request.id}\t{request.role}\t{where}\t{name}\t{request.created_at:%Y-%m-%d}")
    return 0


async def _request_decide(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    approve = args.action == "approve"
    decision = await onboarding.decide(db, None, args.id, approve=approve, reason=args.reason)
    outcome = "approved" if approve else "rejected"
    print(
        f"request {args.id} {outcome}: {decision.applicant.display_name} ({decision.request.role})"
    )
    return 0
