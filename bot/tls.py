"""One TLS context for every connection the bot opens to the Bot API.

httpx makes a context for each client and loads certifi's bundle into it: the bot has four
clients (the handlers' aiohttp session of bot/transport.py, the long poll's httpx client and
the two of the getMe check at start), and each context cost ~0.05 s of CPU and over a MiB of
memory for the same certificates."""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx


@functools.cache
def context() -> ssl.SSLContext:
    """httpx's own default (certifi's bundle, or SSL_CERT_FILE), made once."""
    return httpx.create_ssl_context()


def httpx_kwargs() -> dict[str, Any]:
    """For python-telegram-bot's `HTTPXRequest(httpx_kwargs=...)`."""
    return {"verify": context()}
