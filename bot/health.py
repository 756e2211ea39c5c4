"""What `partybot health` (the container's HEALTHCHECK) reads: the running bot's last signs
of life, written beside the database with the heartbeat every 30 s.

A fresh heartbeat file only says the event loop turns. The bot is healthy when, within
`HEALTH_MAX_SILENCE` (default 2 minutes), the Bot API answered a poll (or, by webhook,
delivered an update or answered `getWebhookInfo` without a delivery error), the outbox
sender finished a pass and did not keep failing, and the scheduler ticked (on the instance
holding the leader lease; a standby has neither to show).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from telegram.request import HTTPXRequest

from bot import tls


@dataclass
class Liveness:
    started: float = field(default_factory=time.time)
    webhook: bool = False
    updates: float | None = None  # a poll answered, or by webhook: a delivery, a fine info
    webhook_error: str | None = None  # what Telegram says when it cannot reach the webhook
    scheduler: float | None = None  # the scheduler's last tick began
    sender: float | None = None  # the outbox sender's last pass ended
    sender_failing_since: float | None = None  # sends fail (network) with no success since
    # Another instance holds the leader lease and runs the sender and the scheduler.
    standby: bool = False
    leading_since: float | None = None  # when it took the lease: its sender and scheduler's start

    def heard_from_telegram(self) -> None:
        self.updates = time.time()

    def write(self, path: Path) -> None:
        staged = path.with_name(path.name + ".part")
        staged.write_text(json.dumps(asdict(self)), encoding="utf-8")
        staged.replace(path)


class PollingRequest(HTTPXRequest):
    """The connection `getUpdates` uses (python-telegram-bot's default for it: one
    connection), noting each answer: a long poll that returns, updates or none, is the Bot
    API reachable.

    It also keeps the last answer's updates as Telegram sent them (`as_received`), so the
    durable inbox stores that JSON instead of serialising each parsed update again
    (`Update.to_dict()`: ~9 % of the bot's CPU per update under cProfile, issue 21).
    python-telegram-bot parses copies (`TelegramObject._parse_data`): the dicts stay as
    received."""

    def __init__(self, liveness: Liveness) -> None:
        super().__init__(connection_pool_size=1, httpx_kwargs=tls.httpx_kwargs())
        self.liveness = liveness
        self._received: dict[int, dict] = {}

    async def post(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().post(*args, **kwargs)
        # Every update of one answer is queued before the next poll: only the last is kept.
        self._received = {
            item["update_id"]: item
            for item in (result if isinstance(result, list) else ())
            if isinstance(item, dict) and isinstance(item.get("update_id"), int)
        }
        return result

    def as_received(self, update_id: int) -> dict | None:
        """The update `update_id` of the last answer as Telegram sent it, once; None when
        it did not come by this poll (a webhook delivery, a replay)."""
        return self._received.pop(update_id, None)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code == 200:
            self.liveness.heard_from_telegram()
        return code, payload


def problems(text: str, now: float, limit: float) -> list[str]:
    """What is wrong according to a heartbeat file's content; empty when healthy. A part
    that has not shown life yet is given `limit` from the start."""
    data = json.loads(text) if text.strip() else {}
    started = data.get("started", now)
    found = []

    def silent(key: str, since: float = started) -> float | None:
        age = now - (data.get(key) or since)
        return age if age > limit else None

    if (age := silent("updates")) is not None:
        if data.get("webhook"):
            why = data.get("webhook_error") or "no delivery and no answer to getWebhookInfo"
            found.append(f"Bot API unreachable: webhook silent for {age:.0f}s ({why})")
        else:
            found.append(f"Bot API unreachable: no poll answered for {age:.0f}s")
    if data.get("standby"):
        return found
    leading = data.get("leading_since") or started
    failing = data.get("sender_failing_since")
    if failing is not None and now - failing > limit:
        found.append(f"sender failing: no notification sent for {now - failing:.0f}s")
    elif (age := silent("sender", leading)) is not None:
        found.append(f"sender stalled: no pass for {age:.0f}s")
    if (age := silent("scheduler", leading)) is not None:
        found.append(f"scheduler stalled: no tick for {age:.0f}s")
    return found
