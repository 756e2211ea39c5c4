"""The bot's Bot API calls over aiohttp instead of httpx.

Measured side by side (benchmarks/README.md, "Issue 21, seventh stop"): one sendMessage
costs the client ~0.53 ms of CPU through httpx and ~0.20 ms through this class, and the
benchmark's member mix goes from 2.1x to 1.4x the default echo bot's CPU per update. The
long poll keeps python-telegram-bot's httpx request (bot/health.py): it is one call in 10 s.

What HTTPXRequest does and this keeps: the same default timeouts, its User-Agent, the one
TLS context of bot/tls.py, HTTP(S)_PROXY and NO_PROXY from the environment (read once per
origin: aiohttp's own `trust_env` reads them on every call, ~0.3 ms), TimedOut for a
timeout or a full pool, NetworkError for the rest. What it adds: an error never names the
URL, which holds the token (aiohttp's messages do; httpx's do not)."""

from __future__ import annotations

import functools
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot import tls


@functools.cache
def proxy_for(origin: str) -> str | None:
    """The proxy the environment names for this origin ("https://host:port"), or None."""
    host = urlsplit(origin).hostname or ""
    if urllib.request.proxy_bypass_environment(host):
        return None
    return urllib.request.getproxies_environment().get(urlsplit(origin).scheme)


def without_url(text: str, url: str) -> str:
    """`text` with the URL (and its path, which holds the token) cut to the origin."""
    parts = urlsplit(url)
    return text.replace(url, f"{parts.scheme}://{parts.netloc}/…")


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's request interface over one aiohttp session."""

    __slots__ = ("_connections", "_media_write_timeout", "_session", "_timeouts")

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connection_pool_size
        self._timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts[0]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections, ssl=tls.context()),
                headers={"User-Agent": self.USER_AGENT},
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
        files: bool,
    ) -> aiohttp.ClientTimeout:
        default_read, default_write, default_connect, default_pool = self._timeouts
        read = default_read if isinstance(read, DefaultValue) else read
        if isinstance(write, DefaultValue):
            write = self._media_write_timeout if files else default_write
        connect = default_connect if isinstance(connect, DefaultValue) else connect
        pool = default_pool if isinstance(pool, DefaultValue) else pool
        # aiohttp has no write timeout and counts the wait for a free connection in
        # `connect`: the socket read covers the upload, `connect` the pool's wait too.
        return aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=None if read is None else read + (write or 0) if files else read,
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        data: Any = request_data.json_parameters if request_data else None
        if files:
            form = aiohttp.FormData(data or {}, quote_fields=False)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
        parts = urlsplit(url)
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, bool(files)
        )
        try:
            async with self._session.request(
                method,
                url,
                data=data,
                timeout=timeout,
                proxy=proxy_for(f"{parts.scheme}://{parts.netloc}"),
            ) as response:
                return response.status, await response.read()
        except TimeoutError:
            raise TimedOut from None
        except aiohttp.ClientError as exc:
            # `from None`: the aiohttp error, in a traceback, would name the URL.
            text = without_url(str(exc), url)
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {text}") from None
