"""Notifications to people, written to the outbox in the caller's transaction.

Other features call `enqueue` inside their own `db.transaction()`, next to the change that
causes the notification, so the two are committed together or not at all. The bot's
sender (bot/sender.py) delivers the row later, within Telegram's limits and the branch's
working time, and renders it then in the recipient's language:

* `text` is an English msgid, marked with `N_()`, translated at send time and formatted
  with `params` (plain JSON values); button labels likewise;
* `template` names a renderer that a handler module registered with
  `bot.sender.renderer(name)`, for messages built from several parts.

The idempotency `key` says what the message is about, e.g. `cadre-register:{person}:2026`:
a key already in the outbox is not queued again, so a job or a retried update may enqueue
freely.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from domain.notification import Attachment, Kind, Message
from storage import outbox
from storage.db import utcnow
from storage.outbox import queued_for, queued_in_task

KEY_MAX = 200
CALLBACK_DATA_MAX_BYTES = 64

__all__ = ["Attachment", "Kind", "Message", "enqueue", "queued_for", "queued_in_task"]


async def enqueue(
    conn: aiosqlite.Connection,
    *,
    key: str,
    chat_id: int,
    text: str | None = None,
    template: str | None = None,
    params: dict[str, Any] | None = None,
    buttons: list[list[tuple[str, str]]] | None = None,
    kind: Kind = Kind.NORMAL,
    branch_id: int | None = None,
    not_before: datetime | None = None,
    attachment: Attachment | None = None,
) -> bool:
    """Queue a message in the caller's transaction; False when `key` was queued before.

    `buttons` are rows of (label msgid, callback data). `branch_id` selects the working
    time (time zone, hours, calendar) that `kind` is judged by; without it the bot's
    defaults apply.
    """
    if (text is None) == (template is None):
        raise ValueError("give either text (a msgid) or a template")
    if not key or len(key) > KEY_MAX:
        raise ValueError(f"an outbox key has 1 to {KEY_MAX} characters")
    for row in buttons or []:
        for _label, data in row:
            if not 1 <= len(data.encode()) <= CALLBACK_DATA_MAX_BYTES:
                raise ValueError(f"callback data {data!r} is not 1-64 bytes")
    return await outbox.insert(
        conn,
        key=key,
        chat_id=chat_id,
        branch_id=branch_id,
        kind=str(Kind(kind)),
        template=template,
        text=text,
        params=json.dumps(params or {}, ensure_ascii=False, sort_keys=True),
        buttons=json.dumps(buttons, ensure_ascii=False) if buttons else None,
        attachment=attachment,
        not_before=not_before or utcnow(),
    )
