"""`partybot outbox`: the notifications queue, its counts and failures, a failed message
sent again; and, for the commands that queue messages, when those will be delivered."""

from __future__ import annotations

import argparse
from datetime import datetime

from bot.cli.shell import Commands, Parsers
from bot.config import Settings
from domain import working_time as worktime_rules
from domain.errors import Conflict
from storage import outbox
from storage.db import Database, utcnow


def add_commands(parsers: Parsers) -> Commands:
    queue = parsers["outbox"]
    queue_actions = queue.add_subparsers(dest="action")
    queue_retry = queue_actions.add_parser("retry", help="send a failed message again")
    queue_retry.add_argument("id", type=int)
    return {("outbox", None): _outbox, ("outbox", "retry"): _outbox_retry}


async def _outbox(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    counts = await outbox.counts(db)
    print(" ".join(f"{status}={counts.get(status, 0)}" for status in outbox.STATUSES))
    for message in await outbox.failed(db):
        print(
            f"#{message.id}\t{message.status}\tchat={message.chat_id}\t{message.key}"
            f"\tattempts={message.attempts}\t{message.last_error or ''}"
        )
    return 0


async def _outbox_retry(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    if not await outbox.requeue(db, args.id):
        raise Conflict("outbox_not_failed", id=args.id)
    print(f"message {args.id} queued again")
    return 0


async def deliveries(settings: Settings, db: Database, since: datetime) -> list[str]:
    """When what a run queued will be delivered: held by a --now in the future, or by the
    branch's working time (quiet hours, the working day, office hours)."""
    found: dict[tuple[str, str], int] = {}
    policies: dict[int | None, worktime_rules.WorkTime] = {}
    current = utcnow()
    for message in await outbox.queued_since(db, since):
        if message.branch_id not in policies:
            policies[message.branch_id] = await worktime_rules.for_branch(
                db, message.branch_id, settings.worktime_defaults
            )
        policy = policies[message.branch_id]
        moment = max(message.next_attempt_at, current)
        wait = policy.wait(message.kind, moment)
        until = wait.until if wait else moment
        if until <= current:
            key = ("at once", "")
        else:
            why = str(wait.why).replace("_", " ") if wait else "as --now asked"
            key = ("from " + until.astimezone(policy.tz).isoformat(timespec="minutes"), why)
        found[key] = found.get(key, 0) + 1
    return [
        f"delivery: {n} {'message' if n == 1 else 'messages'} {when}" + (f" ({why})" if why else "")
        for (when, why), n in sorted(found.items())
    ]
