"""Announcements from the secretary to an audience of the branch, through the outbox.

Each recipient's message has the key `broadcast:{id}:{person}`, so a retried update never
sends twice; the outbox's statuses of those keys are the broadcast's progress. The photo or
file is stored once, in the broadcast's row (inside the database, so in its backups), and
dropped when every message is settled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain import outbox, working_time
from domain.access import Actor, require
from domain.effects import effect
from domain.errors import InvalidInput, NotFound
from domain.models import Role
from domain.notification import PAID, Kind
from domain.post_models import Post
from storage import broadcasts as store
from storage import posts as post_store

TEMPLATE = "broadcast"
TEXT_MAX = 4000
CAPTION_MAX = 1000  # Telegram's caption limit is 1024
CHOICES_MAX = 20


class Audience(StrEnum):
    ALL = "all"
    CADRES = "cadres"
    POST = "post"  # the holders of one post
    EVENT = "event"  # those who attended one event


TARGETED = (Audience.POST, Audience.EVENT)

# Telegram's price of a message sent with allow_paid_broadcast (0.1 Star), and the size
# from which a broadcast is paid when the operator allows it: one that the free limit would
# take more than a minute to deliver.
STARS_PER_PAID_MESSAGE = Decimal("0.1")
PAID_ABOVE_SECONDS = 60


@dataclass(frozen=True)
class PaidPace:
    """What paying for a broadcast costs and saves."""

    stars: Decimal
    seconds: int  # at the paid limit
    free_seconds: int  # at the free limit


def paid_pace(recipients: int, pace: tuple[float, float] | None) -> PaidPace | None:
    """The estimate when the broadcast would be paid; `pace`: (free, paid) messages per
    second, None when the operator does not allow paid broadcasts."""
    if pace is None:
        return None
    free, paid = pace
    if recipients <= free * PAID_ABOVE_SECONDS:
        return None
    return PaidPace(
        STARS_PER_PAID_MESSAGE * recipients,
        math.ceil(recipients / paid),
        math.ceil(recipients / free),
    )


@dataclass(frozen=True)
class Draft:
    """`file_path`: where the handler keeps the draft's file until it is sent or dropped."""

    text: str
    audience: Audience
    target_id: int | None = None
    file_name: str | None = None
    file_path: str | None = None
    photo: bool = False


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    unreachable: int
    failed: int

    @property
    def done(self) -> int:
        return self.sent + self.unreachable + self.failed

    @property
    def finished(self) -> bool:
        return self.done >= self.total


def check_text(text: str, *, with_file: bool) -> str:
    text = text.strip()
    limit = CAPTION_MAX if with_file else TEXT_MAX
    if not text and not with_file:
        raise InvalidInput("broadcast_empty")
    if len(text) > limit:
        raise InvalidInput("broadcast_too_long", max=limit)
    return text


async def post_choices(db, actor: Actor, branch_id: int) -> list[Post]:
    """The posts whose holders a broadcast may go to (the handler names them: a county
    post's name is in the catalogs)."""
    require(actor, Role.SECRETARY, branch_id)
    return (await post_store.branch_posts(db, branch_id))[:CHOICES_MAX]


async def event_choices(db, actor: Actor, branch_id: int) -> list[tuple[int, str]]:
    """The recent events whose attendees a broadcast may go to: (id, title)."""
    require(actor, Role.SECRETARY, branch_id)
    found = await store.recent_events(db, branch_id, CHOICES_MAX)
    return [(r["id"], r["title"]) for r in found]


async def _choice_ids(db, actor: Actor, branch_id: int, audience: Audience) -> set[int]:
    if audience is Audience.POST:
        return {p.id for p in await post_choices(db, actor, branch_id)}
    return {i for i, _ in await event_choices(db, actor, branch_id)}


async def recipients(
    db, actor: Actor, branch_id: int, draft: Draft, today: date
) -> list[tuple[int, int]]:
    """(person, chat) of everyone the draft would reach; the target must be the branch's."""
    require(actor, Role.SECRETARY, branch_id)
    if draft.audience in TARGETED and draft.target_id not in await _choice_ids(
        db, actor, branch_id, draft.audience
    ):
        raise NotFound("not_found")
    return await store.recipients(db, branch_id, str(draft.audience), draft.target_id, today.year)


@effect
async def send(
    db,
    actor: Actor,
    branch_id: int,
    draft: Draft,
    today: date,
    content: bytes | None = None,
    pace: tuple[float, float] | None = None,
) -> tuple[int, int]:
    """Queue the broadcast for its audience; (broadcast id, number of recipients).
    `content` is the draft's file; `pace` as for `paid_pace`: a large broadcast is then
    paid."""
    secretary = require(actor, Role.SECRETARY, branch_id)
    text = check_text(draft.text, with_file=content is not None)
    found = await recipients(db, actor, branch_id, draft, today)
    if not found:
        raise InvalidInput("broadcast_nobody")
    async with db.transaction() as conn:
        broadcast_id = await store.record(
            conn,
            secretary.id,
            branch_id,
            audience=str(draft.audience),
            target=draft.target_id,
            recipients=len(found),
            file=draft.file_name,
        )
        paid = paid_pace(len(found), pace) is not None
        name = (draft.file_name or "file") if content is not None else None
        await store.create(conn, broadcast_id, branch_id, name, content, draft.photo)
        for person_id, chat_id in found:
            await outbox.enqueue(
                conn,
                key=f"{store.key_prefix(broadcast_id)}{person_id}",
                chat_id=chat_id,
                template=TEMPLATE,
                params={
                    "text": text,
                    "broadcast": broadcast_id,
                    "file": content is not None,
                    **({PAID: True} if paid else {}),
                },
                branch_id=branch_id,
            )
    return broadcast_id, len(found)


async def attachment(db, broadcast_id: int) -> outbox.Attachment:
    """The broadcast's file, for each recipient's message as it is sent."""
    found = await store.file_of(db, broadcast_id)
    if found is None:
        raise KeyError(f"broadcast {broadcast_id} has no file (any more)")
    return outbox.Attachment(
        found["file_name"], content=found["file_content"], photo=bool(found["file_as_photo"])
    )


async def show_progress(db, broadcast_id: int, chat_id: int, message_id: int) -> None:
    """Where the progress is shown, kept so that it is still edited after a restart."""
    await store.show_progress(db, broadcast_id, chat_id, message_id)


async def progress_message(db, broadcast_id: int) -> tuple[int, int] | None:
    found = await store.get(db, broadcast_id)
    if found is None or found["progress_message_id"] is None:
        return None
    return found["progress_chat_id"], found["progress_message_id"]


async def waiting(
    db, broadcast_id: int, now: datetime, defaults: working_time.Defaults
) -> working_time.Wait | None:
    """Until when and why the broadcast's messages wait under the branch's rules now."""
    found = await store.get(db, broadcast_id)
    if found is None:
        return None
    return (await working_time.for_branch(db, found["branch_id"], defaults)).wait(Kind.NORMAL, now)


async def unfinished(db) -> list[int]:
    return await store.unfinished(db)


async def settle(db, broadcast_id: int) -> Progress:
    """The broadcast's progress; once every message is settled, its file is dropped."""
    found = await progress(db, broadcast_id)
    if found.finished:
        await store.finish(db, broadcast_id)
    return found


async def progress(db, broadcast_id: int) -> Progress:
    counts = await store.delivery(db, broadcast_id)
    return Progress(
        sum(counts.values()),
        counts.get("sent", 0),
        counts.get("unreachable", 0),
        counts.get("dead", 0),
    )
