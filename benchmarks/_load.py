"""Shared by the benchmarks: simulated people driving a bot process through a FakeBotAPI.

A *flow* is what one person does, a list of steps; each step is one update. How many Bot
API calls a step causes in the person's chat is learnt once from a lone walker
(calibration), so under load a step is done when that many calls have arrived, and its
bot-side latency runs from the update's first delivery to the last of those calls.
"""

from __future__ import annotations

import asyncio
import json
import platform
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.fake_bot_api import FakeBotAPI

JSON = dict[str, Any]


@dataclass(frozen=True)
class Step:
    kind: str  # "text", "contact" or "press"
    value: Any = None  # the text, or the button (index or label) in the newest keyboard


Flow = Callable[[int], Sequence[Step]]  # person number -> steps


class Traffic:
    """Counts the bot's calls per person's chat and wakes the walkers waiting for them."""

    def __init__(self, server: FakeBotAPI) -> None:
        self.server = server
        self.calls: defaultdict[int, int] = defaultdict(int)
        self.last_call: dict[int, float] = {}
        self.query_chat: dict[str, int] = {}
        self.waiters: dict[int, tuple[int, asyncio.Future[None]]] = {}
        server.observers.append(self._observe)

    def _observe(self, method: str, params: JSON, result: Any) -> None:
        chat = params.get("chat_id")
        if chat is None:
            chat = self.query_chat.get(str(params.get("callback_query_id")))
        if chat is None:
            return
        chat = int(chat)
        self.calls[chat] += 1
        self.last_call[chat] = time.perf_counter()
        waiter = self.waiters.get(chat)
        if waiter and self.calls[chat] >= waiter[0] and not waiter[1].done():
            waiter[1].set_result(None)

    async def until(self, chat: int, count: int, timeout: float) -> None:
        if self.calls[chat] >= count:
            return
        future = asyncio.get_running_loop().create_future()
        self.waiters[chat] = (count, future)
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            self.waiters.pop(chat, None)

    def push(self, user: JSON, step: Step, n: int) -> JSON:
        server = self.server
        if step.kind == "text":
            return server.push_text(user, step.value)
        if step.kind == "contact":
            return server.push_contact(user, f"1390{n:07d}", contact_user_id="self")
        if step.kind == "press":
            message, data = self._button(user["id"], step.value)
            update = server.push_callback(user, message, data)
            self.query_chat[update["callback_query"]["id"]] = user["id"]
            return update
        raise ValueError(step.kind)

    def _button(self, chat: int, which: int | str) -> tuple[int, str]:
        messages = self.server.chat_messages(chat)
        for message in reversed(messages):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                buttons = [b for row in rows for b in row]
                if isinstance(which, str):
                    found = [b for b in buttons if b["text"] == which]
                    if not found:
                        raise LookupError(f"no button {which!r} in chat {chat}")
                    return message["message_id"], found[0]["callback_data"]
                return message["message_id"], buttons[which]["callback_data"]
        # A bot without buttons (the echo bot) gets the same kind of update all the same.
        return (messages[-1]["message_id"] if messages else 1), "x"


QUIET_SECONDS = 0.8


@dataclass
class Walk:
    latencies: list[float] = field(default_factory=list)
    updates: int = 0


async def walk(
    traffic: Traffic, user: JSON, steps: Sequence[Step], expected: Sequence[int], n: int, walk: Walk
) -> None:
    chat = user["id"]
    for step, calls in zip(steps, expected, strict=True):
        target = traffic.calls[chat] + calls
        update = traffic.push(user, step, n)
        await traffic.until(chat, target, timeout=120)
        delivered = traffic.server.first_delivered[update["update_id"]]
        walk.latencies.append(traffic.last_call[chat] - delivered)
        walk.updates += 1


async def calibrate(traffic: Traffic, user: JSON, steps: Sequence[Step], n: int) -> list[int]:
    """Calls per step for one person alone, waiting for the bot to fall silent each time."""
    chat = user["id"]
    counts = []
    for step in steps:
        before = traffic.calls[chat]
        traffic.push(user, step, n)
        await traffic.until(chat, before + 1, timeout=30)
        while True:
            seen = traffic.calls[chat]
            # On a loaded machine a press's answer and its next message can be 0.3 s
            # apart; the next step then looked for its button on the message before.
            await asyncio.sleep(QUIET_SECONDS)
            if traffic.calls[chat] == seen:
                break
        counts.append(traffic.calls[chat] - before)
    return counts


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def report(name: str, figures: JSON, rows: Sequence[tuple[str, Any]]) -> None:
    """One JSON line for tools, then a table for people."""
    print(json.dumps({"benchmark": name, "machine": machine(), **figures}, ensure_ascii=False))
    width = max(len(label) for label, _ in rows)
    print(f"\n{name} — {machine()}")
    for label, value in rows:
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value}"
        print(f"  {label.ljust(width)}  {shown}")
