"""Delivers the outbox: due messages, within Telegram's limits and the branch's working time.

Replies to people come first: the main bot has no rate limiter (python-telegram-bot's
`AIORateLimiter` would hold replies to 30/s as well). Telegram's overall limit,
`OUTBOX_PER_SECOND` (default 30), is a `SharedBudget` over a sliding second (bot/throttle.py):
every send the bot makes is counted (replies by the bot's request class, `bot/app.py`),
replies never wait, and the sender takes what they leave. It also keeps at most one message
a second per chat and 20 a minute per group, and pauses entirely when Telegram says
`RetryAfter`.

It runs as one task beside the application, woken after every handled update (the
handler's transaction may have queued something) and by `wake()`, and polls as a
fallback. The delivery guarantee is in docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.throttle import FROM_OUTBOX, SharedBudget, Throttle
from domain import notification, working_time
from domain.i18n import Translator, resolve, translator
from domain.notification import Kind
from storage import outbox
from storage.db import Database, utcnow
from storage.tasks import cancel_and_wait

log = logging.getLogger(__name__)
# python-telegram-bot suggests its own method for a known endpoint; the sender uses
# do_api_request on purpose (Sender._send).
warnings.filterwarnings("ignore", r"Please use 'Bot\.send", PTBUserWarning)

# A pass takes the oldest message of each chat, so a chat with several waiting gets one per
# pass: a pass is kept to about a second of the budget, or a group's ten messages would wait
# for ten passes of 200 (80 s at 25/s) and come last.
BATCH = 200
BACKOFF_MAX_SECONDS = 600.0


@dataclass(frozen=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None = None
    # A file the renderer supplies (stored once for many messages) instead of the row's.
    attachment: notification.Attachment | None = None


Renderer = Callable[[Translator, Database, dict[str, Any]], Awaitable[Rendered]]
RENDERERS: dict[str, Renderer] = {}


def renderer(name: str) -> Callable[[Renderer], Renderer]:
    """Register how the outbox template `name` reads, in the recipient's language."""

    def register(function: Renderer) -> Renderer:
        if name in RENDERERS:
            raise ValueError(f"outbox template {name!r} is registered twice")
        RENDERERS[name] = function
        return function

    return register


async def render(t: Translator, db: Database, message: notification.Message) -> Rendered:
    if message.template is not None:
        return await RENDERERS[message.template](t, db, message.params)
    assert message.text is not None
    markup = None
    if message.buttons:
        markup = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(t.gettext(label), callback_data=data) for label, data in row]
                for row in message.buttons
            ]
        )
    return Rendered(t.gettext(message.text, **message.params), markup)


def backoff(attempts: int, base: float) -> float:
    """Exponential with jitter: base, 2·base, 4·base… (±25 %), capped."""
    delay = min(base * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    return delay * random.uniform(0.75, 1.25)


class Sender:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        budget: SharedBudget | None = None,
    ) -> None:
        self.bot = bot
        self.db = db
        self.settings = settings
        self.clock = clock
        self.throttle = Throttle(
            settings.outbox_per_second,
            settings.outbox_per_chat_seconds,
            budget=budget,
            paid_per_second=settings.broadcast_paid_per_second if settings.broadcast_paid else None,
        )
        self.batch = max(settings.outbox_concurrency, min(BATCH, int(settings.outbox_per_second)))
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.outbox_concurrency)
        self.claim_least = max(1, settings.outbox_concurrency // 2)
        self._deliveries: set[asyncio.Task] = set()
        self._task: asyncio.Task | None = None
        # Who claims, in the outbox (several instances: whose the messages in flight are).
        self.name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.shared = db.engine == "postgresql"
        # Several instances on PostgreSQL: a claimed message is this sender's for a lease
        # (renewed every quarter of it while in flight); another takes it back only after.
        self.lease = timedelta(seconds=settings.outbox_lease_seconds)
        self._leases: asyncio.Task | None = None
        # (branch, outcome) → count since the last log line
        self._tally: Counter[tuple[int | None, str]] = Counter()
        self._sent: list[tuple[int, int]] = []
        self._recording = asyncio.Lock()
        # For `partybot health` (wall-clock seconds): the last pass that ended, and since
        # when sends fail on the network with none succeeding.
        self.last_pass: float | None = None
        self.failing_since: float | None = None

    async def start(self) -> None:
        # The bot-wide working time (BOT_* settings) may have changed while it was down:
        # what the old one held is judged again.
        async with self.db.transaction() as conn:
            await outbox.release_held(conn, None, self.clock())
        await self._recover()
        self._task = asyncio.create_task(self._run(), name="outbox-sender")
        if self.shared:
            self._leases = asyncio.create_task(self._keep_leases(), name="outbox-leases")

    async def _recover(self) -> None:
        # On PostgreSQL another instance may be sending some (it lost the leader lease but
        # finishes what it started): only what no live sender holds any more.
        now = self.clock() if self.shared else None
        recovered = await outbox.recover(self.db, self.settings.outbox_max_attempts, now)
        if recovered:
            log.warning(
                "outbox: %d messages were in flight when their sender stopped; sending again",
                recovered,
            )
            self.wake()

    async def _keep_leases(self) -> None:
        """Renew the leases of what is in flight here; take back what a dead sender held."""
        every = self.lease.total_seconds() / 4
        while True:
            await asyncio.sleep(every)
            try:
                await outbox.renew(self.db, self.name, self.clock() + self.lease)
                await self._recover()
            except Exception:
                log.exception("outbox: renewing the leases failed; trying again")

    async def stop(self) -> None:
        """Finish the sends in flight (so none is left ambiguous), then stop."""
        task, self._task = self._task, None
        if task is None:
            return
        await cancel_and_wait(task)
        if self._deliveries:
            await asyncio.wait(self._deliveries, timeout=self.settings.outbox_send_timeout)
        leases, self._leases = self._leases, None
        await cancel_and_wait(leases)

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                delay = await self._pass()
                self.last_pass = time.time()
            except Exception:
                log.exception("outbox: the sender's pass failed; trying again")
                delay = self.settings.outbox_poll_seconds
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)

    async def _pass(self) -> float:
        """Start the due messages that may go now; returns how long to sleep after."""
        looked = now = self.clock()
        due = await outbox.due(self.db, now, self.batch)
        ready, soonest = await self._ready(due, now)
        while ready:
            # Claim as many as there are free slots, in one transaction: what is claimed is
            # in flight, and never more than OUTBOX_CONCURRENCY messages are. Half the
            # slots at least (or what is left): one claim a message, one transaction each,
            # was a good part of a broadcast's CPU per message.
            least = min(len(ready), self.claim_least)
            taken = 0
            while taken < least or (taken < len(ready) and not self._slots.locked()):
                await self._slots.acquire()
                taken += 1
            chunk, ready = ready[:taken], ready[taken:]
            now = self.clock()
            claimed = await outbox.claim(
                self.db, [m.id for m in chunk], now, by=self.name, lease_until=now + self.lease
            )
            for message in chunk:
                if message.id not in claimed:
                    self._slots.release()
                    continue
                # The chat's spacing is taken now, so that the next pass skips this chat.
                self.throttle.reserve_chat(message.chat_id)
                task = asyncio.create_task(self._deliver(message))
                self._deliveries.add(task)
                task.add_done_callback(self._deliveries.discard)
        self._log_tally()
        if len(due) == self.batch:
            return 0
        # Not what was due when it looked: a chat's spacing holds that, and asking again at
        # once would find it again and again (a busy loop of two queries while a secretary's
        # second notice waited its second); each send's end wakes the sender instead.
        upcoming = await outbox.next_due(self.db, looked)
        if upcoming is not None:
            soonest = min(soonest, max((upcoming - self.clock()).total_seconds(), 0.0))
        return soonest

    async def _ready(
        self, due: list[notification.Message], now: datetime
    ) -> tuple[list[notification.Message], float]:
        """The messages that may go now (working time, per-chat limits), and the seconds
        until a chat held back may get its next one."""
        policies: dict[int | None, working_time.WorkTime] = {}
        soonest = self.settings.outbox_poll_seconds
        ready, held = [], []
        for message in due:
            if message.kind is not Kind.URGENT:
                if message.branch_id not in policies:
                    policies[message.branch_id] = await working_time.for_branch(
                        self.db, message.branch_id, self.settings.worktime_defaults
                    )
                wait = policies[message.branch_id].wait(message.kind, now)
                if wait is not None:
                    held.append((message.id, wait.until, str(wait.why)))
                    self._tally[message.branch_id, "deferred"] += 1
                    continue
            wait = self.throttle.chat_wait(message.chat_id, time.monotonic())
            if wait > 0:
                soonest = min(soonest, wait)
                continue
            ready.append(message)
        if held:
            await outbox.defer(self.db, held)
        return ready, soonest

    def _log_tally(self) -> None:
        if self._tally:
            log.info("outbox budget hold=%.3fs", self.throttle.budgets[False].hold)
        for branch in sorted({b for b, _ in self._tally}, key=lambda b: b or 0):
            log.info(
                "outbox branch=%s sent=%d failed=%d deferred=%d",
                branch if branch is not None else "-",
                self._tally[branch, "sent"],
                self._tally[branch, "failed"],
                self._tally[branch, "deferred"],
            )
        self._tally.clear()

    async def _deliver(self, message: notification.Message) -> None:
        try:
            await self._attempt(message)
        except Exception:
            log.exception("outbox: message %s (%s) failed unexpectedly", message.id, message.key)
        finally:
            booking = FROM_OUTBOX.get()  # this task's own context
            if booking is not None:
                booking.end()
            self.throttle.done(message.chat_id)
            self._slots.release()
            self.wake()  # the chat's next message may go a spacing from now

    async def _attempt(self, message: notification.Message) -> None:
        attempts = message.attempts + 1
        try:
            chosen, reported = message.languages
            t = translator(resolve(chosen, reported, self.settings.bot_default_locale))
            rendered = await render(t, self.db, message)
            upload = await self._upload(message, rendered)
            # Booked only now, with the message ready to go: a send is counted in the
            # shared budget from its booking, and its round trip from there makes the
            # spread it is held for; rendering and reading a file inside the booking would
            # widen it and cost the broadcast its rate.
            booking = await self.throttle.slot(message.chat_id, paid=self._paid(message))
            FROM_OUTBOX.set(booking)
            try:
                sent = await self._send(message, rendered, upload)
            finally:
                booking.end()
        except RetryAfter as exc:
            seconds = exc.retry_after
            seconds = seconds.total_seconds() if isinstance(seconds, timedelta) else seconds
            self.throttle.pause(seconds)
            when = self.clock() + timedelta(seconds=seconds)
            await outbox.retry_at(self.db, message.id, when, str(exc), counts=False)
        except Forbidden as exc:
            self._tally[message.branch_id, "failed"] += 1
            log.warning(
                "outbox: chat %s is unreachable (%s): %s", message.chat_id, exc, message.key
            )
            await outbox.mark_unreachable(self.db, message.id, message.chat_id, str(exc))
        except BadRequest as exc:
            # Telegram refuses the message itself: sending it again never helps.
            await self._dead(message, f"BadRequest: {exc}")
        except NetworkError as exc:  # also timeouts and Telegram's 5xx
            self.failing_since = self.failing_since or time.time()
            if attempts >= self.settings.outbox_max_attempts:
                await self._dead(message, f"{attempts} attempts; last: {exc}")
            else:
                delay = backoff(attempts, self.settings.outbox_backoff_seconds)
                when = self.clock() + timedelta(seconds=delay)
                await outbox.retry_at(self.db, message.id, when, str(exc))
                self.wake()
        except (TelegramError, KeyError, ValueError, OSError) as exc:
            # No renderer, bad parameters, a missing file, a migrated chat: needs a person.
            await self._dead(message, f"{type(exc).__name__}: {exc}")
        else:
            self.failing_since = None
            self._tally[message.branch_id, "sent"] += 1
            await self._record_sent(message.id, sent)

    async def _record_sent(self, message_id: int, telegram_message_id: int) -> None:
        """Recorded in batches: whoever holds the lock writes everything sent meanwhile."""
        self._sent.append((message_id, telegram_message_id))
        async with self._recording:
            batch, self._sent = self._sent, []
            if batch:
                await outbox.mark_sent(self.db, batch)

    async def _dead(self, message: notification.Message, error: str) -> None:
        self._tally[message.branch_id, "failed"] += 1
        log.error("outbox: message %s (%s) dead-lettered: %s", message.id, message.key, error)
        await outbox.mark_dead(self.db, message.id, error)

    def _paid(self, message: notification.Message) -> bool:
        """Paid only while the operator allows it: turned off, a queued one goes free."""
        return message.paid and self.throttle.paid

    async def _upload(self, message: notification.Message, rendered: Rendered) -> InputFile | None:
        file = rendered.attachment or message.attachment
        if file is None:
            return None
        content = file.content
        if content is None:
            content = await asyncio.to_thread(Path(file.path or "").read_bytes)
        return InputFile(content, filename=file.filename)

    async def _send(
        self, message: notification.Message, rendered: Rendered, upload: InputFile | None
    ) -> int:
        """The Telegram message id of the message sent. The answer is read as it came: the
        sender needs only the id, and python-telegram-bot's `Message` made from it cost a
        broadcast a good part of its CPU per message."""
        params: dict[str, Any] = {"chat_id": message.chat_id}
        if rendered.markup is not None:
            params["reply_markup"] = rendered.markup
        if self._paid(message):
            params["allow_paid_broadcast"] = True
        if upload is None:
            method = "sendMessage"
            params["text"] = rendered.text
        else:
            file = rendered.attachment or message.attachment
            assert file is not None
            method, field = ("sendPhoto", "photo") if file.photo else ("sendDocument", "document")
            params |= {field: upload, "caption": rendered.text}
        sent = await self.bot.do_api_request(
            method,
            params,
            read_timeout=self.settings.outbox_send_timeout,
            write_timeout=self.settings.outbox_send_timeout,
        )
        return sent["message_id"]


def sender_of(app: Application) -> Sender | None:
    return app.bot_data.get("sender")


def wake(app: Application) -> None:
    """Deliver what was just committed to the outbox now rather than at the next poll."""
    sender = sender_of(app)
    if sender is not None:
        sender.wake()
