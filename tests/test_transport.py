"""bot/transport.py: the bot's Bot API calls over aiohttp, against the fake Bot API.

What a person would notice if the transport were wrong: a message or file that does not
arrive (or arrives with a mangled Chinese name), a hung call instead of python-telegram-bot's
TimedOut/NetworkError (which the sender and the error handler act on), a proxy the operator
set that is not used, and the bot's token in a log line."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot import transport
from bot.transport import AiohttpRequest
from tests.fakes.fake_bot_api import FakeBotAPI

TOKEN = "123456:SECRET-TRANSPORT-TOKEN"


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI(token=TOKEN)
    await api.start()
    yield api
    await api.stop()


def client(server: FakeBotAPI, **kwargs) -> Bot:
    return Bot(
        TOKEN,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=AiohttpRequest(**kwargs),
    )


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    transport.proxy_for.cache_clear()
    yield
    transport.proxy_for.cache_clear()


async def test_a_call_returns_telegrams_result(server):
    user = server.new_user("Ann")
    async with client(server) as bot:
        sent = await bot.send_message(user["id"], "你好，支部")
        me = await bot.get_me()
    assert sent.text == "你好，支部"
    assert server.last_message(user["id"])["text"] == "你好，支部"
    assert me.username == "partybot_test"


async def test_a_file_with_a_chinese_name_arrives_whole_and_downloads(server):
    user = server.new_user("Bo")
    content = "季度反馈,张三\n".encode() * 500
    async with client(server) as bot:
        sent = await bot.send_document(
            user["id"], content, filename="第四季度反馈.csv", caption="附件"
        )
        downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    stored = server.last_message(user["id"])
    assert stored["document"]["file_name"] == "第四季度反馈.csv"
    assert stored["caption"] == "附件"
    assert stored["_files"]["document"]["content"] == content
    assert bytes(downloaded) == content


async def test_a_slow_answer_is_timed_out_and_the_call_still_happened(server):
    user = server.new_user("Cai")
    async with client(server, read_timeout=0.2) as bot:
        server.inject("sendMessage", status=200, delay=0.8)
        with pytest.raises(TimedOut):
            await bot.send_message(user["id"], "late")
    await server.wait_for_messages(user["id"], 1, timeout=3)


async def test_a_full_pool_is_timed_out_without_sending(server):
    user = server.new_user("Du")
    async with client(server, connection_pool_size=1, pool_timeout=0.2) as bot:
        server.inject("sendMessage", status=200, delay=1.5, times=1)
        first = asyncio.create_task(bot.send_message(user["id"], "first"))
        await asyncio.sleep(0.2)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(TimedOut):
            await bot.send_message(user["id"], "second", connect_timeout=0.1)
        waited = loop.time() - started
        await first
    assert waited < 1.0
    assert [m["text"] for m in server.chat_messages(user["id"])] == ["first"]


async def test_an_unreachable_server_is_a_network_error():
    bot = Bot(TOKEN, base_url="http://127.0.0.1:9/bot", request=AiohttpRequest())
    await bot.request.initialize()
    try:
        with pytest.raises(NetworkError, match="aiohttp"):
            await bot.request.post(f"http://127.0.0.1:9/bot{TOKEN}/getMe")
    finally:
        await bot.request.shutdown()


async def test_a_call_before_initialize_says_so():
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/x", "POST")


async def proxy_server(seen: bytearray) -> asyncio.Server:
    """An HTTP forward proxy: keeps every byte the bot sends it and pipes them on."""

    async def pipe(reader, writer, keep: bytearray | None = None) -> None:
        try:
            while chunk := await reader.read(65536):
                if keep is not None:
                    keep.extend(chunk)
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = await reader.readline()
        seen.extend(line)
        host, port = line.split()[1].decode().split("/")[2].rsplit(":", 1)
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        up_writer.write(line)
        await asyncio.gather(pipe(reader, up_writer, seen), pipe(up_reader, writer))

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def test_the_proxy_the_environment_names_carries_the_calls(server, monkeypatch):
    seen = bytearray()
    proxy = await proxy_server(seen)
    port = proxy.sockets[0].getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    user = server.new_user("Fei")
    try:
        async with client(server) as bot:
            await bot.send_message(user["id"], "through the proxy")
            assert seen.count(b"/sendMessage HTTP/1.1") == 1

            monkeypatch.setenv("NO_PROXY", "127.0.0.1")
            transport.proxy_for.cache_clear()
            await bot.send_message(user["id"], "around it")
    finally:
        proxy.close()
    assert seen.count(b"/sendMessage HTTP/1.1") == 1
    texts = [m["text"] for m in server.chat_messages(user["id"])]
    assert texts == ["through the proxy", "around it"]


@pytest.mark.parametrize("base", ["http:///bot", "http://127.0.0.1:9/bot"])
async def test_the_token_is_never_in_an_error_or_its_traceback(base):
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"{base}{TOKEN}/sendMessage")
    finally:
        await request.shutdown()
    text = "".join(traceback.format_exception(caught.value))
    assert "SECRET-TRANSPORT-TOKEN" not in text
    assert "aiohttp" in str(caught.value)
