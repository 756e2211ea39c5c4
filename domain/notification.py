"""What a queued notification is made of (shared by domain/outbox.py and storage)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """When a message may be delivered, in the branch's local time."""

    NORMAL = "normal"  # any time except quiet hours
    AFTER_HOURS = "after_hours"  # outside the working day and quiet hours (八小时以外)
    OFFICE_HOURS = "office_hours"  # within working hours on working days (unit offices)
    URGENT = "urgent"  # at once, day or night; also what someone is waiting for right now


@dataclass(frozen=True)
class Attachment:
    """A file sent with the message, which becomes its caption (at most 1024 characters)."""

    filename: str
    content: bytes | None = None
    path: str | None = None
    photo: bool = False

    def __post_init__(self) -> None:
        if (self.content is None) == (self.path is None):
            raise ValueError("an attachment has either content or a path")


# A message's parameter asking the sender for Telegram's allow_paid_broadcast.
PAID = "allow_paid_broadcast"


@dataclass(frozen=True)
class Message:
    """A queued notification as the sender reads it back."""

    id: int
    key: str
    chat_id: int
    branch_id: int | None
    kind: Kind
    template: str | None
    text: str | None
    params: dict[str, Any]
    buttons: list[list[tuple[str, str]]]
    attachment: Attachment | None
    attempts: int
    next_attempt_at: datetime
    status: str = "pending"
    last_error: str | None = field(default=None, compare=False)
    # The recipient's (chosen, reported) languages, read with the message to render it.
    languages: tuple[str | None, str | None] = (None, None)

    @property
    def paid(self) -> bool:
        return bool(self.params.get(PAID))
