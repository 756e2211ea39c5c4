"""Drive the real bot as people would: an `Application` polling a `FakeBotAPI` over HTTP.

    async with BotHarness(server, tmp_path) as bot:
        alice = bot.person("Alice")
        await alice.send("/start CODE")
        assert "姓名" in alice.last_text

Every update a person sends is awaited until the bot has finished handling it, and (with
`auto_drain`, the default) until the outbox has delivered what is due, so the replies and
the notifications it caused are in the chats when `send` returns. Exceptions raised in
handlers are collected in `errors`; a test asserts there were none.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings, load_settings
from bot.jobs import SCHEDULER
from bot.sender import Sender, sender_of
from bot.updates import PerUserUpdateProcessor
from handlers.errors import stale_press
from storage import outbox
from storage.db import Database
from tests.fakes.fake_bot_api import FakeBotAPI

JSON = dict[str, Any]
# How long a wait on a condition (an update handled, the outbox drained) may take before it
# fails. Generous: up to 7 test runs share a 2-core machine, where a step that takes 0.2 s
# alone can take 20. A wait that succeeds returns the moment its condition holds, so only a
# failing test ever waits this long.
WAIT_SECONDS = 90.0
DRAIN_HORIZON_SECONDS = 5.0


async def until(
    condition: Callable[[], object], what: str, timeout: float = WAIT_SECONDS, every: float = 0.05
) -> None:
    """Wait until `condition()` is true (checked every `every` seconds; a coroutine
    function's result is awaited); TimeoutError naming `what` after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await _holds(condition):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        await asyncio.sleep(every)


async def _holds(condition: Callable[[], object]) -> bool:
    result = condition()
    return bool(await result if inspect.isawaitable(result) else result)


class TrackingUpdateProcessor(PerUserUpdateProcessor):
    """The production processor, plus an event per update so tests can wait for it."""

    def __init__(self) -> None:
        super().__init__()
        self._done: dict[int, asyncio.Event] = {}

    def _event(self, update_id: int) -> asyncio.Event:
        return self._done.setdefault(update_id, asyncio.Event())

    async def process_update(self, update: object, coroutine: Any) -> None:
        try:
            await super().process_update(update, coroutine)
        finally:
            update_id = getattr(update, "update_id", None)
            if update_id is not None:
                self._event(update_id).set()

    async def wait(self, update_id: int, timeout: float = WAIT_SECONDS) -> None:
        await asyncio.wait_for(self._event(update_id).wait(), timeout)


class BotHarness:
    def __init__(
        self, server: FakeBotAPI, data_dir: Path, *, scheduler: bool = False, **settings: Any
    ) -> None:
        self.server = server
        # Off by default: a job firing in the middle of a test would make it depend on the
        # time of day. Tests run jobs with `bot.jobs.run_due(..., now)` instead.
        self.scheduler = scheduler
        self.data_dir = Path(data_dir)
        self.overrides = settings
        self.errors: list[BaseException] = []
        self.auto_drain = True
        self.app: Application | None = None
        self.processor: TrackingUpdateProcessor | None = None

    @property
    def settings(self) -> Settings:
        values = {
            "telegram_bot_token": self.server.token,
            "telegram_base_url": self.server.base_url,
            "telegram_base_file_url": self.server.base_file_url,
            "database_url": f"sqlite:///{self.data_dir / 'partybot.db'}",
            "bot_timezone": "Asia/Shanghai",
            "bot_default_locale": "zh_Hans",
            # Telegram's one message a second per chat would make tests wait; the fake
            # server enforces it only where a test asks (`enforce_limits`).
            "outbox_per_chat_seconds": 0.01,
            # Notifications of the normal kind would wait for the morning when tests run
            # at night; tests of working time set quiet hours (or pin `sender.clock`).
            "bot_quiet_hours": "",
        }
        return load_settings(**(values | self.overrides))

    @property
    def db(self) -> Database:
        assert self.app is not None, "the bot is not running"
        return self.app.bot_data["db"]

    async def start(self) -> BotHarness:
        self.processor = TrackingUpdateProcessor()
        app = build_application(self.settings, update_processor=self.processor)
        app.add_error_handler(self._collect)
        await app.initialize()
        await app.post_init(app)
        if not self.scheduler:
            for job in app.job_queue.get_jobs_by_name(SCHEDULER):
                job.schedule_removal()
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        await app.start()
        self.app = app
        return self

    async def stop(self) -> None:
        """A graceful stop, as on SIGTERM: what `run_polling` does on its way out."""
        app, self.app = self.app, None
        if app is None:
            return
        await app.updater.stop()
        await app.stop()
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def __aenter__(self) -> BotHarness:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _collect(self, update: object, context: Any) -> None:
        if not stale_press(update, context.error):  # handled as the person would wish
            self.errors.append(context.error)

    async def processed(self, update: JSON) -> None:
        assert self.processor is not None
        await self.processor.wait(update["update_id"])
        if self.auto_drain:
            await self.drain_outbox()

    @property
    def sender(self) -> Sender:
        assert self.app is not None, "the bot is not running"
        found = sender_of(self.app)
        assert found is not None
        return found

    async def drain_outbox(
        self, horizon: float = DRAIN_HORIZON_SECONDS, timeout: float = WAIT_SECONDS
    ) -> None:
        """Wait until every outbox message due within `horizon` seconds is sent, or has
        failed for good. Messages held for later (working time, long backoffs) are left."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            before = self.sender.clock() + timedelta(seconds=horizon)
            if not await outbox.waiting(self.db, before):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the outbox did not drain within {timeout}s")
            self.sender.wake()
            await asyncio.sleep(0.01)

    async def pin_clock(self, clock: Callable[[], datetime]) -> None:
        """Give the sender `clock`, and return once a whole pass of it has run with it: a
        pass begun before (at start-up, say) may still be deciding with the real time, and
        would hold a message queued now until the real night is over."""
        self.sender.clock = clock
        for _ in range(2):  # the pass in flight, if any, then one begun after it
            last = self.sender.last_pass
            self.sender.wake()
            await until(lambda last=last: self.sender.last_pass != last, "a sender's pass")

    def person(self, first_name: str, *, language_code: str = "zh-hans", **kwargs: Any) -> Person:
        return Person(self, self.server.new_user(first_name, language_code=language_code, **kwargs))


class Person:
    """One Telegram user in their private chat with the bot."""

    def __init__(self, harness: BotHarness, user: JSON) -> None:
        self.harness = harness
        self.user = user
        self._last_query_id: str | None = None

    @property
    def id(self) -> int:
        return self.user["id"]

    @property
    def server(self) -> FakeBotAPI:
        return self.harness.server

    @property
    def messages(self) -> list[JSON]:
        return self.server.chat_messages(self.id)

    @property
    def texts(self) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.messages]

    @property
    def last(self) -> JSON:
        last = self.server.last_message(self.id)
        assert last is not None, f"{self.user['first_name']} has received nothing"
        return last

    @property
    def last_text(self) -> str:
        return self.last.get("text") or self.last.get("caption") or ""

    async def _deliver(self, update: JSON) -> list[JSON]:
        before = len(self.messages)
        await self.harness.processed(update)
        return self.messages[before:]

    def _sees(self, expecting: str | None) -> None:
        """Fail unless the newest message this person has holds `expecting` (if given)."""
        if expecting is not None:
            assert expecting in self.last_text, (
                f"{self.user['first_name']} expected {expecting!r} in {self.last_text!r}"
            )

    async def send(
        self, text: str, *, chat: JSON | None = None, expecting: str | None = None
    ) -> list[JSON]:
        """Type a message (in `chat`, a group, if given); returns what the bot sent to
        this person's private chat in response. With `expecting`, the newest message in
        the private chat must then hold that text."""
        replies = await self._deliver(self.server.push_text(self.user, text, chat=chat))
        self._sees(expecting)
        return replies

    async def types(self, *texts: str, expecting: str | None = None) -> list[JSON]:
        """Type several messages one after another, each answered before the next; returns
        all that the bot sent to this person's private chat in response."""
        replies: list[JSON] = []
        for text in texts:
            replies += await self.send(text)
        self._sees(expecting)
        return replies

    async def edit(self, message_id: int, text: str) -> list[JSON]:
        """Edit a message this person sent before."""
        return await self._deliver(self.server.push_edited_text(self.user, message_id, text))

    async def share_contact(self, phone: str, *, own: bool = True) -> list[JSON]:
        owner: Any = "self" if own else self.id + 999_999
        return await self._deliver(
            self.server.push_contact(self.user, phone, contact_user_id=owner)
        )

    async def share_location(self, latitude: float, longitude: float, **kw: Any) -> list[JSON]:
        return await self._deliver(self.server.push_location(self.user, latitude, longitude, **kw))

    async def share_live_location(self, latitude: float, longitude: float) -> int:
        """Start sharing a live location; returns its message id for `move_location`."""
        update = self.server.push_location(self.user, latitude, longitude, live_period=3600)
        await self._deliver(update)
        return update["message"]["message_id"]

    async def move_location(self, message_id: int, latitude: float, longitude: float) -> None:
        update = self.server.push_edited_location(self.user, message_id, latitude, longitude)
        await self._deliver(update)

    async def send_document(self, filename: str, content: bytes, mime: str) -> list[JSON]:
        return await self._deliver(self.server.push_document(self.user, filename, content, mime))

    async def send_photo(self, content: bytes, caption: str | None = None) -> list[JSON]:
        return await self._deliver(self.server.push_photo(self.user, content, caption=caption))

    def message_with_button(self, text: str) -> JSON:
        for message in reversed(self.messages):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                if any(button.get("text") == text for button in row):
                    return message
        raise AssertionError(f"no message with a button {text!r}; last: {self.texts[-3:]}")

    def buttons(self, message: JSON | None = None) -> list[str]:
        message = message or self.last
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        return [button["text"] for row in rows for button in row]

    async def press(
        self, text: str, message: JSON | None = None, *, expecting: str | None = None
    ) -> list[JSON]:
        """Press the inline button labelled `text` on `message` (default: the newest one
        that has it). With `expecting`, the newest message must then hold that text."""
        message = message or self.message_with_button(text)
        button = self.server.find_button(message, text)
        replies = await self.press_data(message["message_id"], button["callback_data"])
        self._sees(expecting)
        return replies

    async def presses(self, *labels: str, expecting: str | None = None) -> list[JSON]:
        """Press the buttons labelled `labels` in turn, each on the newest message that has
        it; returns all that the bot sent in response."""
        replies: list[JSON] = []
        for label in labels:
            replies += await self.press(label)
        self._sees(expecting)
        return replies

    async def press_data(
        self, message_id: int, data: str, *, chat: JSON | None = None
    ) -> list[JSON]:
        """Send a callback query with any data, as a forged or stale client would; `chat`
        is the group of the message, if it is not in the private chat."""
        update = self.server.push_callback(self.user, message_id, data, chat=chat)
        self._last_query_id = update["callback_query"]["id"]
        return await self._deliver(update)

    async def press_data_on(self, label: str, data: str) -> list[JSON]:
        """Send callback `data` from the newest message with a button `label`: a forged
        choice among real ones, or a press that message no longer means."""
        return await self.press_data(self.message_with_button(label)["message_id"], data)

    @property
    def answer(self) -> str | None:
        """The text of the bot's answer to this person's newest button press (None when
        answered without text); fails when the press was never answered."""
        for answer in reversed(self.server.callback_answers):
            if answer.get("callback_query_id") == self._last_query_id:
                return answer.get("text")
        raise AssertionError("the button press was not answered")
