"""Telegram's sending limits as the bot keeps them: the overall budget per second that
replies and the outbox share (`SharedBudget`), and the sender's spacing per chat and per
group (`Throttle`). Replies never wait; bot/sender.py takes what they leave."""

from __future__ import annotations

import asyncio
import contextvars
import math
import time
from collections import defaultdict, deque

GROUP_WINDOW_SECONDS = 60.0


class SharedBudget:
    """Telegram's overall limit over a sliding window, shared by replies and the sender.

    A send occupies the window from the moment it is booked until a window after its
    answer came: Telegram counted it somewhere in between, so the count here is never
    below Telegram's. The sender may send while the window, with this send and a headroom
    for replies, stays within the limit; the headroom is as many replies as the last window
    had, at least one (a reply nobody saw coming must not be refused)."""

    def __init__(self, per_second: float) -> None:
        # The fake Bot API and Telegram count whole messages: 0.5/s is one per two seconds.
        self.capacity = max(1, math.floor(per_second))
        self.window = max(1.0, 1.0 / per_second)
        self._done: dict[bool, deque[float]] = {True: deque(), False: deque()}
        self._in_flight = {True: 0, False: 0}

    def begin(self, *, reply: bool) -> None:
        self._in_flight[reply] += 1

    def end(self, now: float, *, reply: bool) -> None:
        self._in_flight[reply] -= 1
        self._done[reply].append(now)

    def _used(self, now: float, reply: bool) -> int:
        done = self._done[reply]
        while done and done[0] <= now - self.window:
            done.popleft()
        return len(done) + self._in_flight[reply]

    def sender_wait(self, now: float) -> float:
        """Seconds until the sender may book its next send (0: now)."""
        replies = self._used(now, True)
        headroom = min(max(1, replies), self.capacity - 1)
        if replies + self._used(now, False) + 1 + headroom <= self.capacity:
            return 0.0
        oldest = [d[0] for d in self._done.values() if d]
        # Only sends in flight fill the window: one of them ends soon.
        return min(oldest) + self.window - now if oldest else 0.01


class Booking:
    """One send of the sender's in the shared budget, ended once its answer came (or it
    never went)."""

    __slots__ = ("budget", "ended")

    def __init__(self, budget: SharedBudget) -> None:
        self.budget = budget
        self.ended = False
        budget.begin(reply=False)

    def end(self) -> None:
        if not self.ended:
            self.ended = True
            self.budget.end(time.monotonic(), reply=False)


# Set in the sender's delivery tasks: their requests are booked already, and the bot's
# request class ends the booking the moment the answer arrives.
FROM_OUTBOX: contextvars.ContextVar[Booking | None] = contextvars.ContextVar(
    "from_outbox", default=None
)


class Throttle:
    """Telegram's broadcast limits as seen from the sender, on the monotonic clock."""

    def __init__(
        self,
        per_second: float,
        per_chat_seconds: float = 1.0,
        per_group: int = 20,
        budget: SharedBudget | None = None,
        paid_per_second: float | None = None,
    ):
        # The free limit, shared with replies, and Telegram's separate one for messages
        # sent with allow_paid_broadcast (which replies never use).
        self.budgets = {False: budget or SharedBudget(per_second)}
        # Spread over the second rather than all at its start: fewer sends in flight at once.
        self.intervals = {False: 1.0 / per_second}
        if paid_per_second is not None:
            self.budgets[True] = SharedBudget(paid_per_second)
            self.intervals[True] = 1.0 / paid_per_second
        self._next = dict.fromkeys(self.budgets, 0.0)
        self.per_chat_seconds = per_chat_seconds
        self.per_group = per_group
        self._paused_until = 0.0
        self._chat_free: dict[int, float] = {}
        self._groups: defaultdict[int, deque[float]] = defaultdict(deque)

    def chat_wait(self, chat_id: int, now: float) -> float:
        """Seconds until `chat_id` may get its next message."""
        wait = self._chat_free.get(chat_id, 0.0) - now
        sent = self._groups.get(chat_id)
        if sent:
            while sent and sent[0] <= now - GROUP_WINDOW_SECONDS:
                sent.popleft()
            if len(sent) >= self.per_group:
                wait = max(wait, sent[0] + GROUP_WINDOW_SECONDS - now)
        return max(wait, 0.0)

    @property
    def paid(self) -> bool:
        return True in self.budgets

    async def slot(self, chat_id: int, *, paid: bool = False) -> Booking:
        """Wait for the overall budget (the paid one for a paid message), then book the
        send and the chat's spacing."""
        budget = self.budgets[paid]
        while True:
            now = time.monotonic()
            wait = max(self._next[paid], self._paused_until) - now
            if wait <= 0:
                wait = budget.sender_wait(now)
                if wait <= 0:
                    break
            await asyncio.sleep(wait)
        start = now
        booking = Booking(budget)
        self._next[paid] = start + self.intervals[paid]
        self._chat_free[chat_id] = start + self.per_chat_seconds
        if chat_id < 0:
            self._groups[chat_id].append(start)
        if len(self._chat_free) > 10_000:
            self._chat_free = {c: t for c, t in self._chat_free.items() if t > start}
        return booking

    def reserve_chat(self, chat_id: int) -> None:
        """A message to `chat_id` is on its way to `slot`: the chat gets no other meanwhile."""
        self._chat_free[chat_id] = math.inf

    def done(self, chat_id: int) -> None:
        """Count the chat's spacing from the answer too: Telegram counts a message when it
        arrives, which may be later than the request started."""
        free = time.monotonic() + self.per_chat_seconds
        booked = self._chat_free.get(chat_id, 0.0)
        self._chat_free[chat_id] = free if booked == math.inf else max(booked, free)

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
