"""Telegram's sending limits as the bot keeps them: the overall budget per second that
replies and the outbox share (`SharedBudget`), and the sender's spacing per chat and per
group (`Throttle`). Replies go first (a reply waits only for a place a send already in the
window frees, never more than REPLY_WAIT_MAX); bot/sender.py takes what they leave."""

from __future__ import annotations

import asyncio
import contextvars
import math
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

GROUP_WINDOW_SECONDS = 60.0
# The round trips the spread is taken over: those answered in the last SPREAD_SECONDS, and
# at least the last SPREAD_KEEP however old (a quiet spell keeps what it last knew).
SPREAD_SECONDS = 2.0
SPREAD_KEEP = 8
# The sender leaves places for replies at the rate they went in the last RESERVE_SECONDS
# (rounded up: a reply in the last few seconds keeps one); nobody chatting, none.
RESERVE_SECONDS = 5.0
# A reply that finds the window full waits for the next place, and at most this long.
REPLY_WAIT_MAX = 1.0


class Spread:
    """Max - min of the recent round trips, kept in two monotonic queues (O(1) a sample)."""

    __slots__ = ("_count", "_high", "_low", "_times")

    def __init__(self) -> None:
        self._high: deque[tuple[int, float]] = deque()  # (sample number, rtt), falling
        self._low: deque[tuple[int, float]] = deque()  # rising
        self._times: deque[float] = deque()  # answer instants of the samples kept
        self._count = 0  # samples ever: the newest is number _count - 1

    def add(self, now: float, rtt: float) -> None:
        number = self._count
        self._count += 1
        while self._high and self._high[-1][1] <= rtt:
            self._high.pop()
        self._high.append((number, rtt))
        while self._low and self._low[-1][1] >= rtt:
            self._low.pop()
        self._low.append((number, rtt))
        self._times.append(now)
        times = self._times
        while len(times) > SPREAD_KEEP and times[0] <= now - SPREAD_SECONDS:
            times.popleft()
        first = self._count - len(times)  # the oldest sample still kept
        while self._high[0][0] < first:
            self._high.popleft()
        while self._low[0][0] < first:
            self._low.popleft()

    def value(self) -> float | None:
        """None until two round trips are known: nothing to take a spread of."""
        if len(self._times) < 2:
            return None
        return self._high[0][1] - self._low[0][1]


class SharedBudget:
    """Telegram's overall limit over a sliding window, shared by replies and the sender.

    Telegram counts a message when it arrives; the bot only knows when it sent it and when
    the answer came. A send is counted here from the moment it goes: while it is in flight,
    however long, and after its answer until a window and a *hold* past its start. The hold
    is the spread (max - min) of the recent round trips: an earlier send arrived at most
    that much later after its start than the next one will, as long as the one-way delay
    varies no more than the round trip does (docs/reliability.md). Before two round trips
    are known, the hold is a whole window.

    The sender may send while the window, with this send, the replies waiting for a place
    and a reserve for replies, stays within the limit; the reserve is the replies' recent
    rate (`reserve`), none when nobody chats. A reply goes at once while the window has a
    place, and else waits for the next one (`reply`): the sender spaces its sends, so with
    a broadcast filling the window one leaves it every 1/limit s (and the hold), and the
    sender takes no place while a reply waits."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.clock, self._sleep = clock, sleep
        # The fake Bot API and Telegram count whole messages: 0.5/s is one per two seconds.
        self.capacity = max(1, math.floor(per_second))
        self.window = max(1.0, 1.0 / per_second)
        # Sends by their start, oldest first; those past the window still in flight are
        # counted in _late until their answer.
        self._sent: dict[bool, deque[Booking]] = {True: deque(), False: deque()}
        self._late = {True: 0, False: 0}
        self.spread = Spread()
        self._replies: deque[float] = deque()  # starts of the last RESERVE_SECONDS' replies
        self._waiting = 0  # replies waiting for a place
        self._line = asyncio.Lock()  # held by the first reply in line; FIFO

    def book(self, now: float, *, reply: bool) -> Booking:
        booking = Booking(self, now, reply)
        self._sent[reply].append(booking)
        if reply:
            self._replies.append(now)
        return booking

    async def reply(self) -> Booking:
        """Book a reply: at once while the window has a place and no reply waits, else at
        the next place in the order the replies came (the sender takes none meanwhile), or
        after REPLY_WAIT_MAX at the latest. Only the first in line watches the clock, so a
        place goes to the reply that has waited longest, and one that just came does not
        take it while any waits. Everyone ahead in line has an earlier deadline, so the
        line adds no wait beyond it."""
        now = self.clock()
        if not self._waiting and self.reply_wait(now) == 0:
            return self.book(now, reply=True)
        deadline = now + REPLY_WAIT_MAX
        self._waiting += 1
        try:
            async with self._line:
                now = self.clock()
                wait = self.reply_wait(now)
                while wait > 0 and now < deadline:
                    await self._sleep(min(wait, deadline - now))
                    now = self.clock()
                    wait = self.reply_wait(now)
                return self.book(now, reply=True)
        finally:
            self._waiting -= 1

    def reserve(self, now: float) -> int:
        """Places the sender leaves for replies: as many a window as replies went in the
        last RESERVE_SECONDS, rounded up; at most all places but one."""
        replies = self._replies
        while replies and replies[0] <= now - RESERVE_SECONDS:
            replies.popleft()
        expected = math.ceil(len(replies) * self.window / RESERVE_SECONDS)
        return min(expected, self.capacity - 1)

    def answered(self, booking: Booking, now: float) -> None:
        self.spread.add(now, now - booking.start)
        if booking.late:
            self._late[booking.reply] -= 1

    @property
    def hold(self) -> float:
        spread = self.spread.value()
        return self.window if spread is None else spread

    def _used(self, cutoff: float, reply: bool) -> int:
        sent = self._sent[reply]
        while sent and sent[0].start <= cutoff:
            booking = sent.popleft()
            if not booking.ended:
                booking.late = True
                self._late[reply] += 1
        return len(sent) + self._late[reply]

    def _wait(self, now: float, kept: int) -> float:
        """Seconds until the window has a place beyond `kept` more (0: now)."""
        cutoff = now - self.window - self.hold
        if self._used(cutoff, True) + self._used(cutoff, False) + 1 + kept <= self.capacity:
            return 0.0
        oldest = [d[0].start for d in self._sent.values() if d]
        # Only sends in flight fill the window: one of them ends soon.
        return max(min(oldest) - cutoff, 0.001) if oldest else 0.01

    def sender_wait(self, now: float) -> float:
        """Seconds until the sender may book its next send (0: now)."""
        return self._wait(now, self._waiting + self.reserve(now))

    def reply_wait(self, now: float) -> float:
        """Seconds until a reply may go (0: now)."""
        return self._wait(now, 0)


class Booking:
    """One send in the shared budget, from its start; ended once its answer came (or it
    never went)."""

    __slots__ = ("budget", "ended", "late", "reply", "start")

    def __init__(self, budget: SharedBudget, start: float, reply: bool) -> None:
        self.budget = budget
        self.start = start
        self.reply = reply
        self.ended = False
        self.late = False

    def end(self, now: float | None = None) -> None:
        if not self.ended:
            self.ended = True
            self.budget.answered(self, self.budget.clock() if now is None else now)


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
        self._turns = {paid: asyncio.Lock() for paid in self.budgets}
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
        send and the chat's spacing. Sends wait their turn in order, one of them watching
        the clock: a crowd of waiters each waking at every send would cost the CPU the
        rate is made of."""
        budget = self.budgets[paid]
        async with self._turns[paid]:
            while True:
                now = time.monotonic()
                wait = max(self._next[paid], self._paused_until) - now
                if wait <= 0:
                    wait = budget.sender_wait(now)
                    if wait <= 0:
                        break
                await asyncio.sleep(wait)
            booking = budget.book(now, reply=False)
            # Evenly spaced, without a late wake-up pushing every later send back.
            interval = self.intervals[paid]
            self._next[paid] = max(self._next[paid], now - interval) + interval
        self._chat_free[chat_id] = now + self.per_chat_seconds
        if chat_id < 0:
            self._groups[chat_id].append(now)
        if len(self._chat_free) > 10_000:
            self._chat_free = {c: t for c, t in self._chat_free.items() if t > now}
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
