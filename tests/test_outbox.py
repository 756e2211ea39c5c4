"""The outbox: every queued message delivered once, or visibly failed, whatever Telegram does."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from bot.sender import backoff
from bot.throttle import REPLY_WAIT_MAX, SharedBudget, Throttle
from domain import outbox
from storage import outbox as stored
from storage import telegram_users
from storage.db import Database
from tests.conftest import invite, onboard
from tests.fakes.harness import BotHarness

THANKS = "Thank you."  # a msgid the catalogs already have: 谢谢。


@pytest.fixture
async def fast(server, tmp_path) -> AsyncIterator[BotHarness]:
    """A bot whose retries come quickly and whose sends time out after half a second."""
    harness = BotHarness(
        server,
        tmp_path,
        outbox_backoff_seconds=0.05,
        outbox_send_timeout=0.5,
        outbox_max_attempts=3,
    )
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
    assert not harness.errors


async def queue(bot: BotHarness, key: str, chat_id: int, **fields) -> bool:
    fields.setdefault("text", THANKS)
    fields.setdefault("kind", outbox.Kind.URGENT)
    async with bot.db.transaction() as conn:
        queued = await outbox.enqueue(conn, key=key, chat_id=chat_id, **fields)
    bot.sender.wake()
    return queued


async def statuses(db: Database) -> dict[str, str]:
    return {r["key"]: r["status"] for r in await db.fetchall("SELECT key, status FROM outbox")}


async def test_each_failure_ends_in_one_delivery_or_a_visible_failure(fast, server, caplog):
    caplog.set_level(logging.INFO, logger="bot.sender")
    people = {name: fast.person(name) for name in ("限流", "故障", "超时", "拉黑", "坏掉", "正常")}
    server.inject("sendMessage", chat_id=people["限流"].id, status=429, retry_after=1, times=2)
    server.inject("sendMessage", chat_id=people["故障"].id, status=500, times=2)
    # Slower than the client waits, and then failing: a timeout where nothing was sent.
    server.inject("sendMessage", chat_id=people["超时"].id, status=502, delay=1.0, times=1)
    server.inject("sendMessage", chat_id=people["拉黑"].id, status=403, times=None)
    server.inject("sendMessage", chat_id=people["坏掉"].id, status=500, times=None)
    for name, person in people.items():
        assert await queue(fast, f"test:{name}", person.id)
    await fast.drain_outbox(timeout=20)

    for name in ("限流", "故障", "超时", "正常"):
        assert people[name].texts == ["谢谢。"], name
    assert people["拉黑"].texts == people["坏掉"].texts == []
    assert await statuses(fast.db) == {
        "test:限流": "sent",
        "test:故障": "sent",
        "test:超时": "sent",
        "test:正常": "sent",
        "test:拉黑": "unreachable",
        "test:坏掉": "dead",
    }
    dead = await fast.db.fetchone("SELECT attempts, last_error FROM outbox WHERE key = 'test:坏掉'")
    assert dead["attempts"] == 3 and "3 attempts" in dead["last_error"]
    limited = await fast.db.fetchval("SELECT attempts FROM outbox WHERE key = 'test:限流'")
    assert limited == 1, "waiting out a rate limit does not use up attempts"
    assert await fast.db.fetchval(
        "SELECT unreachable_at FROM telegram_users WHERE telegram_id = ?", (people["拉黑"].id,)
    )
    fast.sender.wake()
    await asyncio.sleep(0.1)
    tallies = [r.getMessage() for r in caplog.records if "outbox branch=" in r.getMessage()]
    assert tallies and all(
        re.fullmatch(r"outbox branch=- sent=\d+ failed=\d+ deferred=0", t) for t in tallies
    )


async def test_a_refused_decision_queues_nothing(bot, branch):
    code = await invite(bot, branch.id)
    await onboard(bot.person("申请人"), code, "孙七", "13600136000", "居民党员")
    request = branch.secretary.message_with_button("✅ 通过")
    approve = bot.server.find_button(request, "✅ 通过")["callback_data"]
    forger = bot.person("路人")
    await forger.send("/help")
    await forger.press_data(forger.last["message_id"], approve)
    assert "只有支部书记" in forger.answer
    keys = [r["key"] for r in await bot.db.fetchall("SELECT key FROM outbox")]
    assert keys == ["join-request:1:1"]  # the request to the secretary, no decision


async def test_a_key_is_queued_once(bot):
    chen = bot.person("陈")
    assert await queue(bot, "feedback:7:2026Q3", chen.id)
    assert not await queue(bot, "feedback:7:2026Q3", chen.id, text="Cancelled.")
    await bot.drain_outbox()
    assert chen.texts == ["谢谢。"]


async def test_messages_survive_a_restart_between_enqueue_and_send(bot):
    li, zhao = bot.person("李"), bot.person("赵")
    await bot.stop()
    async with Database(bot.data_dir / "partybot.db") as db, db.transaction() as conn:
        urgent = outbox.Kind.URGENT
        await outbox.enqueue(conn, key="while-down", chat_id=li.id, text=THANKS, kind=urgent)
        # As if killed in the middle of a send that never reached Telegram.
        await outbox.enqueue(conn, key="in-flight", chat_id=zhao.id, text=THANKS, kind=urgent)
        await conn.execute("UPDATE outbox SET status = 'sending', attempts = 1")
        # As if this one had crashed the bot at every attempt.
        await outbox.enqueue(conn, key="poison", chat_id=zhao.id, text=THANKS, kind=urgent)
        await conn.execute(
            "UPDATE outbox SET status = 'sending', attempts = 8 WHERE key = 'poison'"
        )
    await bot.start()
    await bot.drain_outbox()
    assert li.texts == ["谢谢。"] and zhao.texts == ["谢谢。"]
    assert await statuses(bot.db) == {"while-down": "sent", "in-flight": "sent", "poison": "dead"}


async def test_rendered_in_the_recipients_language_with_buttons_and_files(bot, server):
    john = bot.person("John", language_code="en")
    await telegram_users.set_language_code(bot.db, john.id, "en")
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
        b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
        b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    picture = bot.data_dir / "chart.png"
    picture.write_bytes(png)
    await queue(bot, "buttons", john.id, buttons=[[(THANKS, "test:ok:1")]])
    report = outbox.Attachment("report.xlsx", content=b"PK\x03\x04 not really a workbook")
    await queue(bot, "file", john.id, attachment=report)
    await queue(
        bot,
        "photo",
        john.id,
        attachment=outbox.Attachment("chart.png", path=str(picture), photo=True),
    )
    await bot.drain_outbox()
    first, document, photo = john.messages
    assert first["text"] == "Thank you."
    assert john.buttons(first) == ["Thank you."]
    assert server.find_button(first, "Thank you.")["callback_data"] == "test:ok:1"
    assert document["document"]["file_name"] == "report.xlsx" and document["caption"] == THANKS
    assert "photo" in photo


async def test_a_message_outside_its_time_waits_for_the_next_window(server, tmp_path):
    async with BotHarness(server, tmp_path, bot_quiet_hours="21:30-08:00") as bot:
        await hold_until_morning(bot)


async def hold_until_morning(bot: BotHarness) -> None:
    wu = bot.person("吴")
    night = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai: quiet hours
    await bot.pin_clock(lambda: night)
    await queue(bot, "night", wu.id, kind=outbox.Kind.NORMAL, not_before=night)
    await queue(bot, "alarm", wu.id, kind=outbox.Kind.URGENT, not_before=night)
    await bot.drain_outbox()
    assert wu.texts == ["谢谢。"]  # the urgent one only
    held = await bot.db.fetchval("SELECT next_attempt_at FROM outbox WHERE key = 'night'")
    assert held == "2026-11-26T00:00:00.000+00:00"  # 08:00 in Shanghai
    bot.sender.clock = lambda: datetime(2026, 11, 26, 0, 0, 1, tzinfo=UTC)
    await bot.drain_outbox()
    assert wu.texts == ["谢谢。", "谢谢。"]


async def test_the_sender_keeps_within_telegrams_limits(server, tmp_path):
    server.enforce_limits(global_per_second=30, per_chat_per_second=1)
    async with BotHarness(server, tmp_path, outbox_per_chat_seconds=1.0) as bot:
        crowd = [bot.person(f"成员{i}") for i in range(20)]
        for round_ in range(2):
            for person in crowd:
                await queue(bot, f"limits:{person.id}:{round_}", person.id)
        await bot.drain_outbox(timeout=20)
        assert all(person.texts == ["谢谢。", "谢谢。"] for person in crowd)
    assert server.rate_limited == 0


async def test_stopping_finishes_sends_in_flight(fast, server):
    slow = fast.person("慢")
    server.inject("sendMessage", chat_id=slow.id, status=200, delay=0.3, times=1)
    await queue(fast, "slow", slow.id)
    await asyncio.sleep(0.1)
    await fast.stop()
    assert slow.texts == ["谢谢。"]
    async with Database(fast.data_dir / "partybot.db") as db:
        assert await stored.counts(db) == {"sent": 1}


async def test_a_timeout_after_telegram_delivered_is_the_one_possible_duplicate(fast, server):
    ghost = fast.person("幽灵")
    # Telegram delivers, but answers after the client gave up: the sender cannot tell.
    server.inject("sendMessage", chat_id=ghost.id, status=200, delay=1.0, times=1)
    await queue(fast, "ghost", ghost.id)
    await fast.drain_outbox()
    await server.wait_for_messages(ghost.id, 2)
    assert ghost.texts == ["谢谢。", "谢谢。"]
    assert await statuses(fast.db) == {"ghost": "sent"}


def test_groups_get_at_most_twenty_a_minute_and_chats_one_a_second():
    throttle = Throttle(per_second=1000)

    async def send(chat_id: int, times: int) -> None:
        for _ in range(times):
            (await throttle.slot(chat_id)).end()
            throttle.done(chat_id)

    asyncio.run(send(-100, 20))
    now = time.monotonic()
    assert 59 < throttle.chat_wait(-100, now) <= 60
    asyncio.run(send(42, 1))
    assert 0.9 < throttle.chat_wait(42, time.monotonic()) <= 1.0
    assert throttle.chat_wait(43, time.monotonic()) == 0


def test_a_chat_waiting_for_its_slot_gets_no_second_message_meanwhile():
    """The sender books a send only once it is rendered; the chat is reserved before."""
    throttle = Throttle(per_second=1000)
    throttle.reserve_chat(42)
    assert throttle.chat_wait(42, time.monotonic()) == float("inf")

    async def book() -> None:
        (await throttle.slot(42)).end()

    asyncio.run(book())
    assert 0.9 < throttle.chat_wait(42, time.monotonic()) <= 1.0
    throttle.reserve_chat(43)  # and its rendering failed: spacing from the answer, not forever
    throttle.done(43)
    assert 0.9 < throttle.chat_wait(43, time.monotonic()) <= 1.0


def test_backoff_doubles_within_bounds():
    assert 1.5 <= backoff(1, 2) <= 2.5
    assert 6 <= backoff(3, 2) <= 10
    assert backoff(30, 2) <= 600 * 1.25


async def test_a_long_queue_to_one_chat_does_not_hold_up_the_others(server, tmp_path):
    async with BotHarness(server, tmp_path, outbox_per_chat_seconds=1.0) as bot:
        busy, other = bot.person("忙"), bot.person("闲")
        async with bot.db.transaction() as conn:
            for n in range(300):
                await outbox.enqueue(
                    conn, key=f"busy:{n}", chat_id=busy.id, text=f"#{n}", kind=outbox.Kind.URGENT
                )
            await outbox.enqueue(
                conn, key="other", chat_id=other.id, text=THANKS, kind=outbox.Kind.URGENT
            )
        bot.sender.wake()
        await server.wait_for_messages(other.id, 1, timeout=3)
        await server.wait_for_messages(busy.id, 2, timeout=3)
        assert busy.texts[:2] == ["#0", "#1"]  # in order


async def test_a_chat_with_several_messages_gets_one_a_second_through_a_long_broadcast(
    server, tmp_path
):
    """A pass takes one message per chat; passes must stay short at a low budget, or a
    group's later messages wait behind the whole broadcast."""
    async with BotHarness(
        server, tmp_path, outbox_per_second=10, outbox_per_chat_seconds=1.0
    ) as bot:
        group = server.new_group("支部群")["id"]
        crowd = [bot.person(f"成员{i}") for i in range(60)]  # 6 s of the budget
        async with bot.db.transaction() as conn:
            for n in range(3):
                await outbox.enqueue(
                    conn, key=f"group:{n}", chat_id=group, text=f"#{n}", kind=outbox.Kind.URGENT
                )
            for person in crowd:
                await queue_in(conn, person.id)
        bot.sender.wake()
        await server.wait_for_messages(group, 3, timeout=10)
        delivered = sum(len(person.texts) for person in crowd)
        assert delivered < len(crowd)  # the group's third came while the broadcast went on
        await bot.drain_outbox(timeout=20)


async def queue_in(conn, chat_id: int) -> None:
    await outbox.enqueue(
        conn, key=f"crowd:{chat_id}", chat_id=chat_id, text=THANKS, kind=outbox.Kind.URGENT
    )


async def test_an_update_wakes_the_sender_only_when_it_queued_something(bot, branch, monkeypatch):
    bot.auto_drain = False
    passes = []
    real_pass = bot.sender._pass

    async def counted() -> float:
        passes.append(1)
        return await real_pass()

    monkeypatch.setattr(bot.sender, "_pass", counted)
    member = bot.person("成员")
    await member.types("/help", "/help")
    await asyncio.sleep(0.2)
    assert not passes, "two replies and nothing queued: the sender slept on"

    before = len(branch.secretary.messages)
    await onboard(
        bot.person("申请人"), await invite(bot, branch.id), "张伟", "13800138000", "居民党员"
    )
    # well before the sender's poll (5 s): the update that queued the notice woke it
    await bot.server.wait_for_messages(branch.secretary.id, before + 1, timeout=2)
    assert passes


def test_the_sender_takes_what_replies_leave_of_telegrams_limit():
    """Issue 21's fifth stop: no place is kept for a reply nobody saw coming (that reply
    waits for the next place instead, below); people chatting keep places for theirs."""
    budget = SharedBudget(30)

    def sender_sends(count: int, at: float) -> None:
        for _ in range(count):
            assert budget.sender_wait(at) == 0
            budget.book(at, reply=False).end(at)

    # Nobody chats: the whole second.
    sender_sends(30, at=10.0)
    assert budget.sender_wait(10.5) == pytest.approx(0.5)
    assert budget.reply_wait(10.5) == pytest.approx(0.5)  # a reply too waits for a place
    budget.book(11.0, reply=True).end(11.0)
    # A window after its start (round trips that never vary: no hold) a send no longer
    # counts. The reply of 11.0 is in the window, and the sender keeps one more for the
    # next reply of someone who chats.
    sender_sends(28, at=11.0)
    assert budget.sender_wait(11.0) > 0
    assert budget.reply_wait(11.0) == 0
    # People chatting at five replies a second: the sender keeps places for more (the
    # recent rate, six replies in the last five seconds: two a second).
    for n in range(5):
        budget.book(12.1 + n / 10, reply=True).end(12.1 + n / 10)
    sender_sends(30 - 5 - 2, at=12.5)
    assert budget.sender_wait(12.5) > 0
    assert budget.reply_wait(12.5) == 0
    # Nobody has chatted for five seconds: the whole second again.
    sender_sends(30, at=18.0)
    assert budget.sender_wait(18.0) > 0


class FakeClock:
    """The budget's clock, which its sleeps move on; `during` runs at each sleep."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []
        self.during: list[Callable[[float], None]] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        for check in self.during:
            check(self.now)


async def test_a_reply_waits_for_the_place_a_broadcast_frees_and_the_sender_lets_it_go_first():
    clock = FakeClock(10.0)
    budget = SharedBudget(30, clock=clock, sleep=clock.sleep)
    for n in range(30):  # a broadcast fills the second, a send every 1/30 s
        budget.book(10.0 + n / 30, reply=False).end(10.0 + n / 30)
    clock.now = 11.0 - 0.5 / 30  # the first send leaves the window 1/60 s from now
    # While the reply waits, a place that frees is the reply's, not the sender's.
    clock.during.append(lambda now: assert_sender_waits(budget, now))
    booking = await budget.reply()
    assert booking.start == pytest.approx(11.0, abs=0.002)  # at that place
    assert sum(clock.slept) < 0.05
    assert budget.sender_wait(clock.now) > 0  # the window is full again, with the reply


def assert_sender_waits(budget: SharedBudget, now: float) -> None:
    assert budget.sender_wait(now) > 0


async def test_a_reply_never_waits_more_than_a_second():
    clock = FakeClock(0.0)
    budget = SharedBudget(3, clock=clock, sleep=clock.sleep)
    for _ in range(3):  # in flight, and their answers never come
        budget.book(0.0, reply=False)
    booking = await budget.reply()
    assert booking.start == pytest.approx(REPLY_WAIT_MAX) and REPLY_WAIT_MAX <= 1.0


async def test_replies_waiting_for_places_go_in_the_order_they_came_and_wake_once_each():
    """With Telegram's second full, twenty replies at once take the places as a broadcast's
    sends leave the window, first come first served, each within REPLY_WAIT_MAX; only the
    first in line watches the clock (before, every waiter woke at every place and took the
    one it found: the order was the scheduler's)."""
    wakes = []

    async def counted_sleep(seconds: float) -> None:
        wakes.append(seconds)
        await asyncio.sleep(seconds)

    budget = SharedBudget(30, sleep=counted_sleep)
    start = budget.clock()
    # A broadcast filled the last second, a send every 1/60 s: one leaves every 1/60 s.
    for n in range(30):
        sent = start - 1.0 + n / 60
        budget.book(sent, reply=False).end(sent + 0.01)
    order = []

    async def one_reply(number: int) -> float:
        booking = await budget.reply()
        order.append(number)
        return booking.start - start

    waited = await asyncio.gather(*(one_reply(n) for n in range(20)))
    assert order == list(range(20))
    assert max(waited) < REPLY_WAIT_MAX
    assert waited == sorted(waited) and waited[-1] > 0.25  # they did wait for places
    assert len(wakes) <= 2 * 20, f"{len(wakes)} wake-ups for 20 replies"


def test_sends_in_flight_fill_the_window_until_their_answer():
    budget = SharedBudget(2)
    first = budget.book(0.0, reply=False)
    assert budget.sender_wait(0.0) == 0  # 1 in flight + this one = 2
    second = budget.book(0.0, reply=False)
    assert budget.sender_wait(100.0) > 0  # still in flight, however long ago
    # Sent long before the window, an answered send no longer counts; the other one does.
    first.end(100.0)
    assert budget.sender_wait(100.0) == 0
    budget.book(100.0, reply=False)
    assert budget.sender_wait(100.0) > 0
    second.end(100.0)
    assert budget.sender_wait(100.0) == 0


def test_a_send_is_held_past_its_window_by_the_spread_of_round_trips():
    """Telegram counts a send when it arrives: one whose trip took longer than the next
    one's may still be in Telegram's second when ours has ended. The budget holds each
    send for the spread of the recent round trips past its window, not for its whole trip."""
    budget = SharedBudget(2)
    assert budget.hold == budget.window  # no round trip known yet: a whole window
    budget.book(0.0, reply=False).end(0.010)
    budget.book(0.0, reply=False).end(0.050)
    assert budget.hold == pytest.approx(0.040)
    assert budget.sender_wait(1.0) == pytest.approx(0.040)  # both count until 1.04
    assert budget.sender_wait(1.041) == 0
    # A steady round trip, however long, holds nothing: the spread is what matters.
    steady = SharedBudget(3)
    for n in range(10):
        steady.book(n, reply=False).end(n + 0.3)
    assert steady.hold == pytest.approx(0.0)


def test_the_spread_forgets_old_round_trips_but_keeps_the_last_few():
    budget = SharedBudget(30)
    budget.book(0.0, reply=False).end(0.5)  # one slow trip
    for n in range(1, 20):
        budget.book(n / 10, reply=False).end(n / 10 + 0.01)
    assert budget.hold == pytest.approx(0.49)
    for n in range(20):  # three seconds later
        budget.book(5.0 + n / 10, reply=False).end(5.0 + n / 10 + 0.02)
    assert budget.hold == pytest.approx(0.0)
    quiet = SharedBudget(30)
    for n in range(8):
        quiet.book(n, reply=False).end(n + 0.01 * (n % 2))
    quiet.book(100.0, reply=False).end(100.0)  # a quiet spell: the last eight still count
    assert quiet.hold == pytest.approx(0.01)
