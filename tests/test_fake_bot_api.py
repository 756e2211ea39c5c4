"""Tests for the fake Telegram Bot API server (tests/fakes/fake_bot_api.py).

They talk to it the way the bot does: over HTTP, mostly through python-telegram-bot's own
``Bot``/``Application``, so the encoding details (form data, multipart, JSON-in-strings) and the
error mapping (``BadRequest``, ``Forbidden``, ``RetryAfter``...) are exercised for real.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
import zlib
from collections.abc import AsyncIterator

import aiohttp
import httpx
import pytest
import pytest_asyncio
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, Update
from telegram import InlineKeyboardMarkup as Markup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.fakes.fake_bot_api import FakeBotAPI, html_to_text

pytestmark = [
    pytest.mark.asyncio,
    # PTB 22 itself warns when it builds a RetryAfter with an int; not our concern here.
    pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"),
]

TOKEN = "123456:TEST-TOKEN"


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid RGB PNG, so sendPhoto's image check passes like it would on Telegram."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def keyboard(*labels: str) -> Markup:
    return Markup([[InlineKeyboardButton(label, callback_data=label)] for label in labels])


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI(token=TOKEN)
    await api.start()
    yield api
    await api.stop()


@pytest_asyncio.fixture
async def bot(server: FakeBotAPI) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url)
    async with client:
        yield client


@pytest_asyncio.fixture
async def http(server: FakeBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url.removesuffix("/bot")) as client:
        yield client


# ------------------------------------------------------------------------------ HTTP surface


async def test_wrong_token_is_401_and_unknown_method_404(server, http):
    response = await http.post("/bot999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    response = await http.post(f"/bot{TOKEN}/sendSticker")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}

    response = await http.get(f"/bot{TOKEN}/GETME")  # method names are case-insensitive
    assert response.json()["result"]["username"] == "partybot_test"
    assert server.calls[-1] == ("getMe", {})


async def test_parameters_from_json_form_query_and_multipart(server, http):
    user = server.new_user("Ann")
    base = f"/bot{TOKEN}"
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}

    await http.post(f"{base}/sendMessage", json={"chat_id": user["id"], "text": "json"})
    await http.post(
        f"{base}/sendMessage",
        data={"chat_id": str(user["id"]), "text": "form", "reply_markup": json.dumps(markup)},
    )
    await http.get(f"{base}/sendMessage", params={"chat_id": user["id"], "text": "query"})
    response = await http.post(
        f"{base}/sendDocument",
        data={"chat_id": str(user["id"]), "caption": "multi"},
        files={"document": ("notes.txt", b"hello", "text/plain")},
    )

    assert response.json()["result"]["document"]["file_name"] == "notes.txt"
    texts = [m.get("text") or m.get("caption") for m in server.chat_messages(user["id"])]
    assert texts == ["json", "form", "query", "multi"]
    assert server.chat_messages(user["id"])[1]["reply_markup"] == markup
    assert server.calls[1] == (
        "sendMessage",
        {"chat_id": user["id"], "text": "form", "reply_markup": markup},
    )
    upload = server.calls[3][1]["document"]
    assert (upload.filename, upload.content, upload.mime_type) == (
        "notes.txt",
        b"hello",
        "text/plain",
    )
    assert server.last_message(user["id"])["_files"]["document"]["content"] == b"hello"


async def test_hundreds_of_simultaneous_requests(server):
    """300 requests on 300 connections at once: every message stored, ids dense per chat."""
    users = [server.new_user(f"U{i}") for i in range(3)]
    url = f"{server.base_url}{TOKEN}/sendMessage"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def send(chat_id: int, text: str) -> dict:
            async with session.post(url, data={"chat_id": str(chat_id), "text": text}) as resp:
                return await resp.json()

        sends = [send(u["id"], f"m{i}") for i in range(100) for u in users]
        results = await asyncio.gather(*sends)
    assert all(result["ok"] for result in results)
    for user in users:
        messages = server.chat_messages(user["id"])
        assert [m["message_id"] for m in messages] == list(range(1, 101))
        assert all(m["from"]["id"] == server.bot_id for m in messages)
        assert all(isinstance(m["date"], int) for m in messages)


# ------------------------------------------------------------------------------ updates


async def test_get_updates_offset_limit_and_received_count(server, bot):
    user = server.new_user("Bob", username="bob")
    for text in ("/start", "/join@partybot_test now", "hi"):
        server.push_text(user, text)

    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["/start", "/join@partybot_test now"]
    assert first[0].message.entities[0].type == "bot_command"
    assert first[1].message.entities[0].length == len("/join@partybot_test")
    assert (await bot.get_updates(limit=2))[0].update_id == first[0].update_id  # unconfirmed
    assert server.received_count() == 0

    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["hi"]
    assert rest[0].message.entities == ()
    assert server.received_count() == 2
    await bot.get_updates(offset=rest[-1].update_id + 1)
    assert server.received_count() == 3


async def test_long_poll_wakes_promptly_on_push(server, bot):
    user = server.new_user("Cy")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    assert not poll.done()
    server.push_text(user, "wake up")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates] == ["wake up"]
    assert time.monotonic() - started < 2


async def test_long_poll_times_out_empty_and_newer_poll_conflicts(server, bot, http):
    assert await bot.get_updates(timeout=0.2) == ()
    url = f"/bot{TOKEN}/getUpdates"
    first = asyncio.create_task(http.post(url, data={"timeout": "10"}, timeout=15))
    await asyncio.sleep(0.1)
    second = await http.post(url, data={"timeout": "0"})
    assert second.json() == {"ok": True, "result": []}
    response = await asyncio.wait_for(first, 2)
    assert response.status_code == 409
    assert "terminated by other getUpdates request" in response.json()["description"]


async def test_stop_releases_long_poll_quickly():
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    await server.start()  # idempotent
    async with httpx.AsyncClient() as client:
        url = f"{server.base_url}{TOKEN}/getUpdates"
        poll = asyncio.create_task(client.post(url, data={"timeout": "30"}, timeout=40))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await server.stop()
        response = await asyncio.wait_for(poll, 5)
    assert response.json() == {"ok": True, "result": []}
    assert time.monotonic() - started < 3
    await server.stop()  # idempotent too


async def test_push_helpers_build_telegram_shaped_updates(server, bot):
    user = server.new_user("Dee", last_name="Li", username="dee")
    group = server.new_group("Branch")
    assert group["id"] == -1001000000001 and user["id"] == 1000

    contact = server.push_contact(user, "+8613800000000")["message"]["contact"]
    assert contact["user_id"] == user["id"] and contact["first_name"] == "Dee"
    other = server.push_contact(user, "+1", contact_user_id=None, first_name="X")
    assert "user_id" not in other["message"]["contact"]

    loc = server.push_location(user, 31.2, 121.5, live_period=600, chat=group)["message"]
    assert loc["chat"]["id"] == group["id"] and loc["location"]["live_period"] == 600
    moved = server.push_edited_location(user, loc["message_id"], 31.3, 121.6, chat=group)
    assert moved["edited_message"]["location"]["latitude"] == 31.3

    photo = server.push_photo(user, tiny_png(), caption="pic")["message"]
    assert photo["photo"][0]["width"] == 3 and photo["photo"][0]["height"] == 2

    raw = server.push_raw({"update_id": 0, "my_chat_member": {"x": 1}})
    assert raw["update_id"] > moved["update_id"]

    updates = await bot.get_updates()
    assert isinstance(updates[0], Update) and updates[0].message.contact.user_id == user["id"]
    assert updates[3].edited_message.location.longitude == 121.6
    assert updates[4].message.photo[-1].width == 3


# ------------------------------------------------------------------------------ validation


async def test_text_validation(server, bot):
    user = server.new_user("Eve")
    with pytest.raises(BadRequest, match=r"(?i)Message text is empty"):
        await bot.send_message(user["id"], "   ")
    with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
        await bot.send_message(user["id"], "x" * 4097)
    await bot.send_message(user["id"], "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await bot.send_message(424242, "hello")
    assert len(server.chat_messages(user["id"])) == 1


async def test_replies_chat_info_and_webhook_conflict(server, bot):
    user = server.new_user("Ola", username="ola")
    pushed = server.push_text(user, "question?")["message"]
    answer = await bot.send_message(user["id"], "answer", reply_to_message_id=pushed["message_id"])
    assert answer.reply_to_message.text == "question?"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(user["id"], "x", reply_to_message_id=999)

    chat = await bot.get_chat(user["id"])
    assert (chat.id, chat.type, chat.username) == (user["id"], "private", "ola")

    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Exception, match="webhook is active"):
        await bot.get_updates()
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_webhook_deliveries_go_round_robin_to_several_instances_with_retries(server, bot):
    """The fake plays the load balancer in front of several instances: each update goes to
    the next one in turn, and one an instance does not answer 2xx (or a dead instance) goes
    to the next, as Telegram retries, until one does; every update is answered once."""
    received: dict[str, list[int]] = {"a": [], "b": []}
    failures = {"b": 1}  # b answers its first delivery 503

    def instance(name: str):
        async def hook(request: aiohttp.web.Request) -> aiohttp.web.Response:
            assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
            received[name].append((await request.json())["update_id"])
            if failures.get(name):
                failures[name] -= 1
                return aiohttp.web.Response(status=503)
            return aiohttp.web.Response(status=200)

        return hook

    runners, addresses = [], []
    for name in ("a", "b"):
        app = aiohttp.web.Application()
        app.router.add_post("/tg/hook", instance(name))
        runner = aiohttp.web.AppRunner(app)
        await runner.setup()
        site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        addresses.append(f"http://127.0.0.1:{runner.addresses[0][1]}")
    with socket.socket() as probe:  # an instance that was killed: nothing listens there
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    server.webhook_addresses = [addresses[0], addresses[1], dead]
    server.webhook_retry_seconds = 0.01
    try:
        user = server.new_user("Wu")
        pushed = [server.push_text(user, f"m{n}")["update_id"] for n in range(6)]
        await bot.set_webhook("https://bot.example.org/tg/hook", secret_token="s3cret")
        for _ in range(200):
            if len(server.webhook_answered_by) == len(pushed):
                break
            await asyncio.sleep(0.02)
        a, b = addresses
        u = pushed
        # a, b (503), dead, a; b; dead, a; b; dead, a: in order, each answered 2xx once
        assert server.webhook_answered_by == {u[0]: a, u[1]: a, u[2]: b, u[3]: a, u[4]: b, u[5]: a}
        assert received["a"] == [u[0], u[1], u[3], u[5]]
        assert received["b"] == [u[1], u[2], u[4]]
        assert server.webhook_statuses.count(0) == 3  # the dead one, connection refused
        assert server.webhook_statuses.count(503) == 1
        assert (await bot.get_webhook_info()).pending_update_count == 0
    finally:
        await bot.delete_webhook()
        for runner in runners:
            await runner.cleanup()


async def test_callback_data_limit_is_in_utf8_bytes(server, bot):
    user = server.new_user("Fay")
    chinese = "党" * 22  # 22 characters but 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
        await bot.send_message(user["id"], "pick", reply_markup=keyboard(chinese))
    await bot.send_message(user["id"], "pick", reply_markup=keyboard("党" * 21))
    assert len(server.chat_messages(user["id"])) == 1


async def test_edit_rules(server, bot):
    user = server.new_user("Gus")
    sent = await bot.send_message(user["id"], "v1", reply_markup=keyboard("a"))

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("v1", user["id"], sent.message_id, reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
        await bot.edit_message_text("v2", user["id"], 999)

    edited = await bot.edit_message_text("v2", user["id"], sent.message_id)
    assert edited.text == "v2" and edited.reply_markup is None  # markup dropped, as on Telegram
    await bot.edit_message_reply_markup(user["id"], sent.message_id, reply_markup=keyboard("b"))
    message = server.last_message(user["id"])
    assert message["_edits"] == 2 and "edit_date" in message
    assert server.find_button(message, "b")["callback_data"] == "b"
    with pytest.raises(AssertionError, match=r"buttons: \['b'\]"):
        server.find_button(message, "a")

    doc = await bot.send_document(user["id"], b"data", filename="d.txt", caption="c1")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.edit_message_caption(user["id"], doc.message_id, caption="c" * 1025)
    await bot.edit_message_caption(user["id"], doc.message_id, caption="c2")
    assert server.last_message(user["id"])["caption"] == "c2"


async def test_delete_message(server, bot):
    user = server.new_user("Hal")
    sent = await bot.send_message(user["id"], "bye")
    assert await bot.delete_message(user["id"], sent.message_id) is True
    assert server.chat_messages(user["id"])[0]["_deleted"] is True  # counts never shrink
    with pytest.raises(ValueError, match="no bot message"):
        server.push_callback(user, sent.message_id, "x")
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("again", user["id"], sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)Message to delete not found"):
        await bot.delete_message(user["id"], sent.message_id)


async def test_callback_queries_answer_once(server, bot):
    user = server.new_user("Ivy")
    sent = await bot.send_message(user["id"], "menu", reply_markup=keyboard("x"))
    update = server.push_callback(user, sent.message_id, "forged:data")
    query = update["callback_query"]
    assert query["message"]["text"] == "menu" and query["data"] == "forged:data"

    assert await bot.answer_callback_query(query["id"], text="done")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("nope")
    assert server.callback_answers == [{"callback_query_id": query["id"], "text": "done"}]


async def test_blocked_user_is_forbidden(server, bot):
    user = server.new_user("Jo")
    server.block(user["id"])
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(user["id"], "hello?")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(user["id"], "typing")
    assert server.chat_messages(user["id"]) == []


async def test_html_parse_mode(server, bot):
    user = server.new_user("Kim")
    html = '<b>Hi</b> <a href="https://t.me">you</a> &lt;3 <span class="tg-spoiler">s</span>'
    sent = await bot.send_message(user["id"], html, parse_mode="HTML")
    assert sent.text == "Hi you <3 s"
    assert server.last_message(user["id"])["_html"] == html

    for bad, reason in [
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b>x", 'find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("a < b", "Unsupported start tag"),
        ("<span>x</span>", "tg-spoiler"),
    ]:
        with pytest.raises(BadRequest, match=r"(?i)Can't parse entities") as info:
            await bot.send_message(user["id"], bad, parse_mode="HTML")
        assert reason.lower() in str(info.value).lower()
    assert len(server.chat_messages(user["id"])) == 1
    assert html_to_text("<pre><code>&#x41;&amp;</code></pre>") == "A&"


# ------------------------------------------------------------------------------ files


async def test_files_round_trip(server, bot):
    user = server.new_user("Lu")
    update = server.push_document(user, "report.csv", b"a,b\n1,2\n", "text/csv", caption="r")
    file_id = update["message"]["document"]["file_id"]

    tg_file = await bot.get_file(file_id)
    assert tg_file.file_size == 8
    assert bytes(await tg_file.download_as_bytearray()) == b"a,b\n1,2\n"

    resent = await bot.send_document(user["id"], file_id)
    assert resent.document.file_id == file_id
    assert server.last_message(user["id"])["_files"]["document"]["content"] == b"a,b\n1,2\n"

    photo = await bot.send_photo(
        user["id"], tiny_png(5, 4), caption="<i>pic</i>", parse_mode="HTML"
    )
    assert photo.photo[-1].width == 5 and photo.caption == "pic"
    with pytest.raises(BadRequest, match=r"(?i)Image_process_failed"):
        await bot.send_photo(user["id"], b"not an image")
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type Document as Photo"):
        await bot.send_photo(user["id"], file_id)
    with pytest.raises(BadRequest, match=r"(?i)Wrong file_id"):
        await bot.get_file("missing")


# ------------------------------------------------------------------------------ commands


async def test_commands_by_scope_and_language(server, bot):
    user = server.new_user("Mo")
    await bot.set_my_commands([BotCommand("start", "开始")])
    await bot.set_my_commands([BotCommand("help", "Help")], language_code="en")
    scope = BotCommandScopeChat(user["id"])
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=scope)

    assert server.commands[("default", "")] == [{"command": "start", "description": "开始"}]
    assert ("default", "en") in server.commands
    key = json.dumps({"chat_id": user["id"], "type": "chat"}, separators=(",", ":"))
    assert server.commands[(key, "")][0]["command"] == "admin"
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["help"]

    await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match=r"(?i)Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "bad case")])


# ------------------------------------------------------------------------------ faults, limits


async def test_injected_429_has_no_side_effects(server, bot):
    user = server.new_user("Ned")
    server.inject("sendMessage", status=429, retry_after=7, times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter, match="Retry in 7 seconds"):
            await bot.send_message(user["id"], "hi")
    assert server.chat_messages(user["id"]) == []
    await bot.send_message(user["id"], "hi")
    assert len(server.chat_messages(user["id"])) == 1


async def test_injected_errors_by_chat_and_method_none(server, bot):
    alice, bob = server.new_user("A"), server.new_user("B")
    server.inject(None, chat_id=alice["id"], status=502, times=None)
    await bot.get_me()  # getMe is never affected by method=None
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await bot.send_message(alice["id"], "x")
    with pytest.raises(NetworkError):
        await bot.send_chat_action(alice["id"], "typing")
    await bot.send_message(bob["id"], "fine")
    server.clear_faults()
    await bot.send_message(alice["id"], "now fine")

    server.inject("sendMessage", status=403, description="Forbidden: user is deactivated")
    with pytest.raises(Forbidden, match=r"(?i)user is deactivated"):
        await bot.send_message(bob["id"], "x")


async def test_injected_probability_is_seeded(server, bot):
    user = server.new_user("Pat")
    server.inject("sendMessage", status=500, times=None, probability=0.5, seed=42)
    outcomes = []
    for _ in range(40):
        try:
            await bot.send_message(user["id"], "x")
            outcomes.append(True)
        except NetworkError:
            outcomes.append(False)
    assert 5 < outcomes.count(False) < 35
    assert len(server.chat_messages(user["id"])) == outcomes.count(True)


async def test_injected_delay_provokes_client_timeout(server):
    user = server.new_user("Quin")
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(TOKEN, base_url=server.base_url, request=request) as slow_bot:
        server.inject("sendMessage", status=200, delay=0.6)  # slow but succeeds server-side
        with pytest.raises(TimedOut):
            await slow_bot.send_message(user["id"], "late")
        await server.wait_for_messages(user["id"], 1, timeout=2)
        assert server.last_message(user["id"])["text"] == "late"


async def test_enforce_limits(server, bot):
    user, group = server.new_user("Rae"), server.new_group("G")
    server.enforce_limits(per_chat_per_second=1, per_group_per_minute=20, retry_after=3)
    await bot.send_message(user["id"], "one")
    with pytest.raises(RetryAfter):
        await bot.send_message(user["id"], "two")
    assert server.rate_limited == 1
    assert len(server.chat_messages(user["id"])) == 1
    await bot.send_message(group["id"], "group is another chat")


async def test_the_higher_limit_is_only_for_sends_that_pay(server, bot):
    users = [server.new_user(f"u{n}")["id"] for n in range(8)]
    server.enforce_limits(global_per_second=2, paid_per_second=5)
    for chat in users[:5]:  # more than the free limit, within the paid one
        await bot.send_message(chat, "paid", allow_paid_broadcast=True)
    with pytest.raises(RetryAfter):
        await bot.send_message(users[5], "paid", allow_paid_broadcast=True)
    for chat in users[5:7]:  # the free limit is untouched by paid sends
        await bot.send_message(chat, "free")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[7], "free")
    assert (server.paid_messages, server.rate_limited) == (5, 2)


async def test_wait_for_messages_timeout_lists_texts(server, bot):
    user = server.new_user("Sol")
    await bot.send_message(user["id"], "only one")
    with pytest.raises(TimeoutError, match="only one"):
        await server.wait_for_messages(user["id"], 2, timeout=0.1)
    waiter = asyncio.create_task(server.wait_for_messages(user["id"], 2, timeout=2))
    await bot.send_message(user["id"], "two")
    assert [m["text"] for m in await waiter] == ["only one", "two"]


# ------------------------------------------------------------------------------ end to end


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text("欢迎!", reply_markup=keyboard("join"))


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(f"<b>echo</b>: {update.message.text}", parse_mode="HTML")


async def _on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("ok")
    await query.edit_message_text(f"joined via {query.data}")
    await context.bot.send_document(
        query.message.chat.id, b"minutes", filename="minutes.txt", caption="会议纪要"
    )


async def test_real_application_long_polling(server):
    user = server.new_user("Tao")
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    app.add_handler(CallbackQueryHandler(_on_button))

    await app.initialize()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    try:
        server.push_text(user, "/start")
        [welcome] = await server.wait_for_messages(user["id"], 1)
        assert welcome["text"] == "欢迎!"

        button = server.find_button(welcome, "join")
        server.push_callback(user, welcome["message_id"], button["callback_data"])
        messages = await server.wait_for_messages(user["id"], 2)
        assert welcome["text"] == "joined via join" and welcome["_edits"] == 1
        assert "reply_markup" not in welcome
        assert messages[1]["caption"] == "会议纪要"
        assert messages[1]["_files"]["document"]["content"] == b"minutes"
        assert server.callback_answers[0]["text"] == "ok"

        server.push_text(user, "hello")
        messages = await server.wait_for_messages(user["id"], 3)
        assert messages[2]["text"] == "echo: hello" and messages[2]["_html"].startswith("<b>")
    finally:
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert time.monotonic() - started < 5
    assert server.received_count() == 3
    called = {name for name, _ in server.calls}
    assert {"getMe", "deleteWebhook", "getUpdates", "answerCallbackQuery"} <= called


async def test_an_edited_text_arrives_as_edited_message(server, bot):
    user = server.new_user("Dee")
    said = server.push_text(user, "/start abc")["message"]
    edited = server.push_edited_text(user, said["message_id"], "hello")["edited_message"]
    assert edited["text"] == "hello" and "entities" not in edited and edited["edit_date"]
    assert said["text"] == "/start abc"  # the update already queued is not rewritten
    with pytest.raises(ValueError):
        server.push_edited_text(server.new_user("Eve"), said["message_id"], "x")
    updates = await bot.get_updates()
    assert updates[1].edited_message.text == "hello"
