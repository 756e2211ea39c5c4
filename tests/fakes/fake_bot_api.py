"""A local, strict fake of the Telegram Bot API, served over real HTTP.

Why a real HTTP server instead of mocking ``telegram.Bot``: end-to-end tests and benchmarks
should exercise the exact code path a production bot runs, i.e. python-telegram-bot's request
encoding (form data, multipart uploads, JSON-in-strings), its error mapping (``BadRequest``,
``Forbidden``, ``RetryAfter``, ``TimedOut``) and its long-polling ``Updater``.  The fake
therefore answers like Telegram does, including Telegram's error descriptions, so that a bot
which passes here does not trip over Telegram's validation in production.

Everything runs inside the aiohttp event loop: handlers never ``await`` between validating a
call and applying its effects, so concurrent requests need no locks, and a failed call never
leaves half-applied state behind.  Hot paths are O(1) per request (dict look-ups, deques) so
the server keeps up with throughput benchmarks of about a thousand simulated users.

Known simplifications: MarkdownV2/Markdown text is stored verbatim (not validated), only the
methods listed in ``FakeBotAPI._METHODS`` exist, and photos are returned as a single
``PhotoSize``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import mimetypes
import random
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar

from aiohttp import BodyPartReader, ClientSession, ClientTimeout, web

from storage.tasks import cancel_and_wait

__all__ = ["ApiError", "FakeBotAPI", "UploadedFile", "html_to_text"]

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"

#: Update types Telegram delivers when ``allowed_updates`` was never specified.
_NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

#: Methods that produce a new message; these are what ``enforce_limits`` counts.
_SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendLocation"})

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


# --------------------------------------------------------------------------------------------
# Errors and small value types
# --------------------------------------------------------------------------------------------


class ApiError(Exception):
    """A Bot API error answer; raised anywhere in a handler, turned into Telegram's JSON."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_response(self) -> web.Response:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return _json_response(body, status=self.code)


def bad_request(detail: str) -> ApiError:
    """Telegram prefixes every 400 description with ``Bad Request: ``."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(slots=True)
class UploadedFile:
    """A multipart file part, as decoded from a request (kept in ``calls`` params)."""

    filename: str
    content: bytes
    mime_type: str

    def as_record(self) -> JSON:
        return {"filename": self.filename, "content": self.content, "mime_type": self.mime_type}


@dataclass(slots=True)
class _StoredFile:
    """A file the fake 'hosts', so that file_id re-sends, getFile and downloads work."""

    file_id: str
    file_unique_id: str
    kind: str  # "document" or "photo"
    filename: str
    content: bytes
    mime_type: str
    file_path: str

    def as_document(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.filename,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }

    def as_photo_sizes(self) -> list[JSON]:
        width, height = _image_size(self.content) or (512, 512)
        size = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(self.content),
        }
        return [size]

    def as_file(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass
class _Fault:
    """One ``inject`` rule; its fields after ``rng`` are what ``inject`` takes by keyword.
    ``times`` counts the calls it applies to (None = unlimited)."""

    method: str | None  # lower-cased
    rng: random.Random
    chat_id: int | None = None
    status: int = 429
    retry_after: int | None = None
    description: str | None = None
    times: int | None = 1
    delay: float = 0.0
    probability: float | None = None

    def matches(self, method: str, params: JSON) -> bool:
        if self.method is None:
            if method in ("getupdates", "getme"):
                return False
        elif self.method != method:
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id

    def fires(self) -> bool:
        return self.probability is None or self.rng.random() < self.probability

    def error(self) -> ApiError:
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            retry = self.retry_after if self.retry_after is not None else 1
            description = self.description or f"Too Many Requests: retry after {retry}"
            return ApiError(429, description, {"retry_after": retry})
        if self.description:
            return ApiError(self.status, self.description)
        if self.status == HTTPStatus.FORBIDDEN:
            return ApiError(403, BLOCKED)
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Error"
        if self.status == HTTPStatus.BAD_REQUEST:
            return bad_request("injected fault")
        return ApiError(self.status, phrase)


class _Window:
    """A sliding window counter: at most ``limit`` events per ``period`` seconds."""

    __slots__ = ("limit", "period", "stamps")

    def __init__(self, rate: float, period: float) -> None:
        if rate >= 1:
            self.limit, self.period = int(rate), period
        else:  # e.g. 0.5/s means one event per two seconds
            self.limit, self.period = 1, period / rate
        self.stamps: deque[float] = deque()

    def full(self, now: float) -> bool:
        stamps = self.stamps
        while stamps and stamps[0] <= now - self.period:
            stamps.popleft()
        return len(stamps) >= self.limit

    def add(self, now: float) -> None:
        self.stamps.append(now)


@dataclass
class _RateLimits:
    """Telegram's documented broadcast limits, applied to successful sends only. A send
    with allow_paid_broadcast counts against the paid limit instead of the free one."""

    global_per_second: float
    per_chat_per_second: float
    per_group_per_minute: float
    retry_after: int
    paid_per_second: float = 1000
    global_window: _Window = field(init=False)
    paid_window: _Window = field(init=False)
    chats: dict[Any, _Window] = field(default_factory=dict)
    groups: dict[Any, _Window] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.global_window = _Window(self.global_per_second, 1.0)
        self.paid_window = _Window(self.paid_per_second, 1.0)

    def _windows(self, chat_id: Any, paid: bool = False) -> list[_Window]:
        windows = [self.paid_window if paid else self.global_window]
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = _Window(self.per_chat_per_second, 1.0)
        windows.append(chat)
        if isinstance(chat_id, int) and chat_id < 0:
            group = self.groups.get(chat_id)
            if group is None:
                group = self.groups[chat_id] = _Window(self.per_group_per_minute, 60.0)
            windows.append(group)
        return windows

    def exceeded(self, chat_id: Any, now: float, paid: bool = False) -> bool:
        return any(window.full(now) for window in self._windows(chat_id, paid))

    def record(self, chat_id: Any, now: float, paid: bool = False) -> None:
        for window in self._windows(chat_id, paid):
            window.add(now)


# --------------------------------------------------------------------------------------------
# Request parameter decoding
# --------------------------------------------------------------------------------------------

# python-telegram-bot sends form data: strings verbatim, everything else JSON-encoded.  Telegram
# decodes by the declared type of each parameter, so the fake does the same by name.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "scope",
        "commands",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "media",
        "results",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "live_period",
        "heading",
        "proximity_alert_radius",
        "max_connections",
        "user_id",
        "from_chat_id",
    }
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy", "timeout"})
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)


def decode_params(raw: JSON) -> JSON:
    """Give form/JSON parameters their Bot API types; ``attach://`` values become the file."""
    params: JSON = {}
    for name, value in raw.items():
        if isinstance(value, str):
            value = _decode_value(name, value)
        params[name] = value
    for name, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            attached = params.get(value[len("attach://") :])
            if isinstance(attached, UploadedFile):
                params[name] = attached
    return params


def _decode_value(name: str, value: str) -> Any:
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            if name == "chat_id":  # "@channelusername" is a valid chat_id
                return value
            raise bad_request(f"invalid {name} specified") from None
    if name in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None
    if name in _BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


async def read_params(request: web.Request) -> JSON:
    """Collect query-string and body parameters of any of the three encodings Telegram takes."""
    raw: JSON = dict(request.query)
    if request.body_exists:
        ctype = request.content_type
        if ctype == "application/json":
            raw.update(await _read_json_body(request))
        elif ctype == "multipart/form-data":
            raw.update(await _read_multipart(request))
        elif ctype == "application/x-www-form-urlencoded":
            raw.update(await request.post())
    return decode_params(raw)


async def _read_json_body(request: web.Request) -> JSON:
    text = await request.text()
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except ValueError:
        raise bad_request("can't parse JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("JSON object expected")
    return body


async def _read_multipart(request: web.Request) -> JSON:
    raw: JSON = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            content = bytes(await part.read())
            header = part.headers.get("Content-Type") or "application/octet-stream"
            mime = header.split(";", 1)[0].strip()  # Telegram reports the bare MIME type
            raw[part.name] = UploadedFile(part.filename, content, mime)
        else:
            raw[part.name] = await part.text()
    return raw


# --------------------------------------------------------------------------------------------
# HTML parse mode
# --------------------------------------------------------------------------------------------

_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "blockquote",
        "span",
    }
)
_PLAIN_RUN = re.compile(r"[^<&]+")
_TAG_NAME = re.compile(r"[^\s>]*")
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPOILER_CLASS = re.compile(r"""class\s*=\s*(["']?)tg-spoiler\1(\s|$)""")


def html_to_text(source: str) -> str:
    """Validate Telegram-flavoured HTML and return its plain text (tags stripped).

    Mirrors tdlib's parser: only Telegram's tags, balanced nesting, ``&lt; &gt; &amp; &quot;``
    and numeric entities; a bare ``<`` is an error, as on Telegram.
    """
    out: list[str] = []
    stack: list[str] = []
    pos, end = 0, len(source)
    while pos < end:
        char = source[pos]
        if char == "&":
            pos = _html_entity(source, pos, out)
        elif char == "<":
            pos = _html_tag(source, pos, stack)
        else:
            run = _PLAIN_RUN.match(source, pos)
            assert run is not None
            out.append(run.group())
            pos = run.end()
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _entities_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _byte_offset(source: str, pos: int) -> int:
    return len(source[:pos].encode("utf-8"))


def _html_entity(source: str, pos: int, out: list[str]) -> int:
    match = _ENTITY.match(source, pos)
    if match is None:  # Telegram keeps unknown entities and lone ampersands verbatim
        out.append("&")
        return pos + 1
    decimal, hexadecimal, named = match.groups()
    if named:
        out.append(_NAMED_ENTITIES[named])
    else:
        code = int(decimal) if decimal else int(hexadecimal, 16)
        out.append(chr(code) if 0 < code <= 0x10FFFF else match.group())
    return match.end()


def _html_tag(source: str, pos: int, stack: list[str]) -> int:
    """Parse one tag at ``source[pos] == "<"`` the way tdlib does; returns the next position."""
    offset = _byte_offset(source, pos)
    if source.startswith("</", pos):
        close = source.find(">", pos)
        if close == -1:
            raise _entities_error(f"Unclosed end tag at byte offset {offset}")
        _close_tag(stack, source[pos + 2 : close].strip().lower(), offset)
        return close + 1
    name_match = _TAG_NAME.match(source, pos + 1)
    name_end = name_match.end() if name_match else pos + 1
    if name_end == len(source):
        raise _entities_error(f"Unclosed start tag at byte offset {offset}")
    name = source[pos + 1 : name_end].lower()
    if name not in _ALLOWED_TAGS:
        raise _entities_error(f'Unsupported start tag "{name}" at byte offset {offset}')
    close = source.find(">", name_end)
    if close == -1:
        raise _entities_error(f"Unclosed start tag at byte offset {offset}")
    _open_tag(stack, name, source[name_end:close], offset)
    return close + 1


def _open_tag(stack: list[str], name: str, attributes: str, offset: int) -> None:
    if name == "span" and not _SPOILER_CLASS.search(attributes.strip()):
        raise _entities_error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    stack.append(name)


def _close_tag(stack: list[str], name: str, offset: int) -> None:
    if not stack:
        raise _entities_error(f"Unexpected end tag at byte offset {offset}")
    opened = stack.pop()
    if name and name != opened:
        raise _entities_error(
            f'Unmatched end tag at byte offset {offset}, expected "</{opened}>", found "</{name}>"'
        )


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _json_response(body: Any, status: int = 200) -> web.Response:
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return web.Response(body=payload, status=status, content_type="application/json")


def _ok(result: Any) -> web.Response:
    return _json_response({"ok": True, "result": result})


def _public(message: JSON) -> JSON:
    """The message as Telegram returns it: no ``_`` bookkeeping keys, only inline markup."""
    out = {key: value for key, value in message.items() if key[0] != "_"}
    markup = out.get("reply_markup")
    if markup is not None and "inline_keyboard" not in markup:
        del out["reply_markup"]
    return out


def _reply_snapshot(message: JSON) -> JSON:
    """Telegram never nests ``reply_to_message`` more than one level deep."""
    snapshot = _public(message)
    snapshot.pop("reply_to_message", None)
    return snapshot


def _inline_markup(message: JSON) -> JSON | None:
    markup = message.get("reply_markup")
    return markup if markup is not None and "inline_keyboard" in markup else None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _compact(**fields: Any) -> JSON:
    return {key: value for key, value in fields.items() if value is not None}


def _image_size(content: bytes) -> tuple[int, int] | None:
    """Width and height of PNG/GIF/JPEG/BMP/WebP bytes; None when it is not an image."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        return int.from_bytes(content[6:8], "little"), int.from_bytes(content[8:10], "little")
    if content.startswith(b"\xff\xd8"):
        return _jpeg_size(content)
    if content[:2] == b"BM" and len(content) >= 26:
        width = int.from_bytes(content[18:22], "little", signed=True)
        height = int.from_bytes(content[22:26], "little", signed=True)
        return abs(width), abs(height)
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return 512, 512
    return None


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 <= len(content):
        if content[pos] != 0xFF:
            return None
        marker = content[pos + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(content[pos + 5 : pos + 7], "big")
            width = int.from_bytes(content[pos + 7 : pos + 9], "big")
            return width, height
        pos += 2 + int.from_bytes(content[pos + 2 : pos + 4], "big")
    return (512, 512) if len(content) > 2 else None


def _update_type(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


# A hung instance is given up on, and the update sent on to the next one.
_WEBHOOK_TIMEOUT = 10


class FakeBotAPI:
    """A strict, in-process Telegram Bot API for one bot, driven by tests.

    Tests create users and groups, push updates (which the bot receives through ``getUpdates``)
    and inspect what the bot sent via ``chat_messages``/``calls``.  ``inject`` and
    ``enforce_limits`` reproduce Telegram's failure modes.

    Conventions worth knowing:

    * ``chat_messages`` lists every message the bot sent, so counts only grow (harnesses wait
      for "n messages"); ``deleteMessage`` marks one with ``"_deleted": True``.  Replies include
      ``reply_to_message``; non-inline reply keyboards are kept under ``reply_markup`` for
      inspection but, as on Telegram, not returned to the bot.
    * ``callback_answers`` records successful ``answerCallbackQuery`` calls only.
    * A newer ``getUpdates`` ends a pending long poll with 409 Conflict, as on Telegram.
    """

    #: Bot API method name -> handler attribute.  Look-ups are case-insensitive, like Telegram.
    _METHODS: ClassVar[dict[str, str]] = {
        "getMe": "_get_me",
        "getUpdates": "_get_updates",
        "deleteWebhook": "_delete_webhook",
        "setWebhook": "_set_webhook",
        "getWebhookInfo": "_get_webhook_info",
        "setMyCommands": "_set_my_commands",
        "getMyCommands": "_get_my_commands",
        "deleteMyCommands": "_delete_my_commands",
        "sendMessage": "_send_message",
        "editMessageText": "_edit_message_text",
        "editMessageReplyMarkup": "_edit_message_reply_markup",
        "editMessageCaption": "_edit_message_caption",
        "deleteMessage": "_delete_message",
        "answerCallbackQuery": "_answer_callback_query",
        "sendDocument": "_send_document",
        "sendPhoto": "_send_photo",
        "sendChatAction": "_send_chat_action",
        "sendLocation": "_send_location",
        "getFile": "_get_file",
        "getChat": "_get_chat",
        "close": "_close",
        "logOut": "_log_out",
    }

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "partybot_test",
        bot_id: int = 123456,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_username,
            "username": bot_username,
        }
        self._handlers: dict[str, tuple[str, Callable[[JSON], Any]]] = {
            name.lower(): (name, getattr(self, attr)) for name, attr in self._METHODS.items()
        }
        # inspection
        self.calls: list[tuple[str, JSON]] = []
        self.callback_answers: list[JSON] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.rate_limited = 0
        self.paid_messages = 0  # sends accepted with allow_paid_broadcast
        #: Called as ``observer(method, params, result)`` after every successful call, and
        #: ``first_delivered[update_id]`` is the ``perf_counter`` of an update's first
        #: delivery: together they time the bot's side of a round trip (benchmarks).
        self.observers: list[Callable[[str, JSON, Any], None]] = []
        self.first_delivered: dict[int, float] = {}
        #: Set by the bot's first getUpdates.
        self.polling = asyncio.Event()
        # people and chats
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._blocked: set[int] = set()
        self._next_user_id = 1000
        self._next_group_id = -1001000000001
        # messages
        self._messages: dict[tuple[int, int], JSON] = {}
        self._bot_messages: defaultdict[int, dict[int, JSON]] = defaultdict(dict)
        self._last_message_id: defaultdict[int, int] = defaultdict(int)
        self._message_waiters: defaultdict[int, list[tuple[int, asyncio.Future[None]]]] = (
            defaultdict(list)
        )
        # updates and long polling
        self._updates: deque[JSON] = deque()
        self._next_update_id = 1
        self._confirmed = 0
        self._allowed_updates: frozenset[str] | None = None
        self._poller: asyncio.Future[str] | None = None
        self._webhook_url = ""
        self._webhook_secret: str | None = None
        #: Where webhook deliveries really go: Telegram calls the public HTTPS URL, which a
        #: reverse proxy passes to the bot; tests give the bot's local address here and the
        #: URL's path is kept (``http://127.0.0.1:8443`` + ``/tg/hook``).
        self.webhook_address: str | None = None
        #: Several instances behind one URL: the load balancer in front of them is played
        #: here, each delivery going to the next address in turn (a retry too, as a balancer
        #: sends a failed connection to another instance). Set, it wins over the one above.
        self.webhook_addresses: list[str] = []
        self._next_address = 0
        #: The address each update was first answered 2xx by (update_id -> address).
        self.webhook_answered_by: dict[int, str] = {}
        #: Pause before a failed delivery is tried again (Telegram waits longer).
        self.webhook_retry_seconds = 0.2
        #: Each delivery's HTTP status, in order (``getWebhookInfo`` reports the last error).
        self.webhook_statuses: list[int] = []
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_wake = asyncio.Event()
        self._webhook_error: tuple[int, str] | None = None
        # callbacks, files, faults, limits
        self._open_queries: set[str] = set()
        self._next_query_id = 1
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._next_file_number = 1
        self._faults: list[_Fault] = []
        self._limits: _RateLimits | None = None
        # server
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._stopping: asyncio.Event | None = None
        self._start_lock = asyncio.Lock()

    # ---------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (0 = a free port). Calling it again while running is a no-op."""
        async with self._start_lock:
            if self._runner is None:
                await self._listen(host, port)

    async def _listen(self, host: str, port: int) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        # A deep backlog so that a thousand simulated users connecting at once are not refused.
        site = web.TCPSite(runner, host, port, backlog=2048)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        self._host = host
        self._stopping = asyncio.Event()

    async def stop(self) -> None:
        """Release pending long polls and delayed faults at once, then close the server."""
        if self._runner is None:
            return
        assert self._stopping is not None
        self._stopping.set()
        self._wake_poller("stop")
        await self._stop_webhook()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        self._port = None

    @property
    def base_url(self) -> str:
        return f"http://{self._host_port()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host_port()}/file/bot"

    def _host_port(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not running; await start() first")
        return f"{self._host}:{self._port}"

    # ---------------------------------------------------------------- people and chats

    def new_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        user_id: int | None = None,
    ) -> JSON:
        """Create a user who has started the bot; the private chat id equals the user id."""
        if user_id is None:
            while self._next_user_id in self._chats:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        elif user_id in self._chats:
            raise ValueError(f"chat {user_id} already exists")
        names = _compact(first_name=first_name, last_name=last_name, username=username)
        user = {"id": user_id, "is_bot": False, **names}
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        self._chats[user_id] = {"id": user_id, "type": "private", **names}
        return user

    def new_group(self, title: str, chat_id: int | None = None) -> JSON:
        """Create a supergroup the bot is a member of."""
        if chat_id is None:
            while self._next_group_id in self._chats:
                self._next_group_id -= 1
            chat_id = self._next_group_id
            self._next_group_id -= 1
        elif chat_id in self._chats:
            raise ValueError(f"chat {chat_id} already exists")
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self._chats[chat_id] = chat
        return chat

    def block(self, user_id: int) -> None:
        """The user blocks the bot: every later send to their chat answers 403."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """Undo ``block`` (pushing messages from a blocked user does not unblock implicitly)."""
        self._blocked.discard(user_id)

    # ---------------------------------------------------------------- injecting updates

    def push_text(
        self,
        user: JSON,
        text: str,
        *,
        chat: JSON | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """A text message; a leading /command gets a ``bot_command`` entity like on Telegram."""
        fields: JSON = {"text": text}
        command = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?", text)
        if command:
            length = _utf16_len(command.group())
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if reply_to_message_id is not None:
            target_chat = self._chat_of(user, chat)["id"]
            target = self._messages.get((target_chat, reply_to_message_id))
            if target is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {target_chat}")
            fields["reply_to_message"] = _reply_snapshot(target)
        return self._push_message(user, chat, fields)

    def push_contact(
        self,
        user: JSON,
        phone_number: str,
        *,
        contact_user_id: int | str | None = "self",
        first_name: str | None = None,
    ) -> JSON:
        """A shared contact; by default the sender's own (as a ``request_contact`` button does)."""
        own = contact_user_id == "self"
        contact = _compact(
            phone_number=phone_number,
            first_name=first_name or user["first_name"],
            last_name=user.get("last_name") if own else None,
            user_id=user["id"] if own else contact_user_id,
        )
        return self._push_message(user, None, {"contact": contact})

    def push_location(
        self,
        user: JSON,
        latitude: float,
        longitude: float,
        *,
        live_period: int | None = None,
        chat: JSON | None = None,
    ) -> JSON:
        location = _compact(latitude=latitude, longitude=longitude, live_period=live_period)
        return self._push_message(user, chat, {"location": location})

    def push_edited_text(
        self, user: JSON, message_id: int, text: str, *, chat: JSON | None = None
    ) -> JSON:
        """The user edits a text message they sent: ``edited_message`` of the original."""
        chat_id = self._chat_of(user, chat)["id"]
        message = self._messages.get((chat_id, message_id))
        if message is None or "text" not in message or message["from"]["id"] != user["id"]:
            raise ValueError(f"no text message {message_id} by {user['id']} in chat {chat_id}")
        edited = {key: value for key, value in message.items() if key != "entities"}
        edited |= {"text": text, "edit_date": int(time.time())}
        self._messages[(chat_id, message_id)] = edited
        return self._push({"edited_message": _public(edited)})

    def push_edited_location(
        self,
        user: JSON,
        message_id: int,
        latitude: float,
        longitude: float,
        *,
        chat: JSON | None = None,
    ) -> JSON:
        """A live-location move: Telegram sends it as ``edited_message`` of the original."""
        chat_id = self._chat_of(user, chat)["id"]
        message = self._messages.get((chat_id, message_id))
        if message is None or "location" not in message:
            raise ValueError(f"no location message {message_id} in chat {chat_id}")
        now = int(time.time())
        message["location"] = {**message["location"], "latitude": latitude, "longitude": longitude}
        message["edit_date"] = now
        return self._push({"edited_message": _public(message)})

    def push_document(
        self,
        user: JSON,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        *,
        caption: str | None = None,
        chat: JSON | None = None,
    ) -> JSON:
        stored = self._store_file("document", filename, content, mime_type)
        fields = _compact(document=stored.as_document(), caption=caption)
        return self._push_message(user, chat, fields)

    def push_photo(
        self,
        user: JSON,
        content: bytes,
        *,
        caption: str | None = None,
        chat: JSON | None = None,
    ) -> JSON:
        stored = self._store_file("photo", "photo.jpg", content, "image/jpeg")
        fields = _compact(photo=stored.as_photo_sizes(), caption=caption)
        return self._push_message(user, chat, fields)

    def push_callback(
        self, user: JSON, message_id: int, data: str, *, chat: JSON | None = None
    ) -> JSON:
        """A button press on a bot message; ``data`` is not checked, so tests can forge it."""
        chat_id = self._chat_of(user, chat)["id"]
        message = self._bot_messages.get(chat_id, {}).get(message_id)
        if message is None or message.get("_deleted"):
            raise ValueError(f"no bot message {message_id} in chat {chat_id}")
        query_id = str(self._next_query_id)
        self._next_query_id += 1
        self._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "message": _public(message),
            "chat_instance": str(abs(chat_id) * 7919 + self.bot_id),
            "data": data,
        }
        return self._push({"callback_query": query})

    def push_raw(self, update: JSON) -> JSON:
        """Queue any update dict as is (its update_id is replaced)."""
        return self._push(update)

    def _chat_of(self, user: JSON, chat: JSON | None) -> JSON:
        chat_id = user["id"] if chat is None else chat["id"]
        known = self._chats.get(chat_id)
        if known is None:
            raise ValueError(f"unknown chat {chat_id}; create it with new_user/new_group")
        return known

    def _push_message(self, user: JSON, chat: JSON | None, fields: JSON) -> JSON:
        target = self._chat_of(user, chat)
        chat_id = target["id"]
        message = {
            "message_id": self._next_message_id(chat_id),
            "from": user,
            "chat": target,
            "date": int(time.time()),
            **fields,
        }
        self._messages[(chat_id, message["message_id"])] = message
        return self._push({"message": message})

    def _push(self, update: JSON) -> JSON:
        update["update_id"] = self._next_update_id
        self._next_update_id += 1
        self._updates.append(update)
        self._wake_poller("update")
        self._webhook_wake.set()
        return update

    def restart_update_counter(self, next_id: int = 1) -> None:
        """As a self-hosted Bot API server that lost its state: update ids start again."""
        self._next_update_id = next_id

    def _wake_poller(self, reason: str) -> None:
        poller = self._poller
        if poller is not None and not poller.done():
            poller.set_result(reason)

    # ---------------------------------------------------------------- inspection

    def chat_messages(self, chat_id: int) -> list[JSON]:
        """Every message the bot sent to the chat, oldest first (deleted ones flagged)."""
        return list(self._bot_messages.get(chat_id, {}).values())

    def last_message(self, chat_id: int) -> JSON | None:
        messages = self._bot_messages.get(chat_id)
        if not messages:
            return None
        return next(reversed(messages.values()))

    @staticmethod
    def find_button(message: JSON, text: str) -> JSON:
        """The keyboard button with exactly this text (inline or reply keyboard)."""
        markup = message.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        buttons = [button for row in rows for button in row]
        for button in buttons:
            label = button if isinstance(button, str) else button.get("text")
            if label == text:
                return button if isinstance(button, dict) else {"text": button}
        labels = [b if isinstance(b, str) else b.get("text") for b in buttons]
        raise AssertionError(f"no button {text!r} in message; buttons: {labels}")

    def received_count(self) -> int:
        """How many updates the bot confirmed through getUpdates ``offset``."""
        return self._confirmed

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,
    ) -> list[JSON]:
        """Wait until the bot has ``count`` messages in the chat; push-based, no polling."""
        if len(self._bot_messages.get(chat_id, ())) < count:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            waiter = (count, future)
            self._message_waiters[chat_id].append(waiter)
            try:
                await asyncio.wait_for(future, timeout)
            except TimeoutError:
                texts = [self._describe(m) for m in self.chat_messages(chat_id)]
                raise TimeoutError(
                    f"chat {chat_id}: expected {count} bot messages within {timeout}s, "
                    f"got {len(texts)}: {texts}"
                ) from None
            finally:
                waiters = self._message_waiters.get(chat_id)
                if waiters and waiter in waiters:
                    waiters.remove(waiter)
        return self.chat_messages(chat_id)

    @staticmethod
    def _describe(message: JSON) -> str:
        if "text" in message:
            return message["text"]
        if "document" in message:
            return f"<document {message['document'].get('file_name')}>"
        if "photo" in message:
            return "<photo>"
        if "location" in message:
            return "<location>"
        return message.get("caption", "<message>")

    def _notify_waiters(self, chat_id: int) -> None:
        waiters = self._message_waiters.get(chat_id)
        if not waiters:
            return
        have = len(self._bot_messages[chat_id])
        for count, future in waiters:
            if count <= have and not future.done():
                future.set_result(None)

    # ---------------------------------------------------------------- fault injection

    def inject(self, method: str | None, *, seed: int | None = None, **rule: Any) -> None:
        """Make matching calls fail (no side effects) or, with ``status=200``, only be slow.

        The keywords are ``_Fault``'s, with its defaults: ``chat_id``, ``status`` (429),
        ``retry_after``, ``description``, ``times`` (1; None = unlimited), ``delay`` and
        ``probability`` (drawn from a generator seeded with ``seed``). With ``delay`` the
        answer comes late, which provokes client timeouts; combined with ``status=200`` the call
        then succeeds server-side, i.e. "timed out but actually sent".
        """
        lowered = method.lower() if method else None
        self._faults.append(_Fault(lowered, random.Random(seed), **rule))

    def clear_faults(self) -> None:
        self._faults.clear()

    def enforce_limits(
        self,
        *,
        global_per_second: float = 30,
        per_chat_per_second: float = 1,
        per_group_per_minute: float = 20,
        retry_after: int = 1,
        paid_per_second: float = 1000,
    ) -> None:
        """Answer 429 like Telegram when successful sends exceed these sliding windows."""
        self._limits = _RateLimits(
            global_per_second,
            per_chat_per_second,
            per_group_per_minute,
            retry_after,
            paid_per_second,
        )

    def _matching_fault(self, method: str, params: JSON) -> _Fault | None:
        for rule in self._faults:
            if rule.matches(method, params) and rule.fires():
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self._faults.remove(rule)
                return rule
        return None

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the server stops, so stop() stays fast."""
        assert self._stopping is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # ---------------------------------------------------------------- HTTP layer

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").to_response()
        method = request.match_info["method"]
        try:
            params = await read_params(request)
        except ApiError as error:
            self.calls.append((method, {}))
            return error.to_response()
        entry = self._handlers.get(method.lower())
        self.calls.append((entry[0] if entry else method, params))
        if entry is None:
            return ApiError(404, "Not Found").to_response()
        try:
            return _ok(await self._dispatch(entry[0], entry[1], params))
        except ApiError as error:
            return error.to_response()

    async def _dispatch(self, name: str, handler: Callable[[JSON], Any], params: JSON) -> Any:
        """Faults first, then rate limits, then the handler; no side effect on any failure."""
        fault = self._matching_fault(name.lower(), params) if self._faults else None
        if fault is not None:
            if fault.delay > 0:
                await self._sleep(fault.delay)
            if fault.status != HTTPStatus.OK:
                raise fault.error()
        limited = self._limits is not None and name in _SEND_METHODS
        paid = bool(params.get("allow_paid_broadcast"))
        if limited:
            self._check_limits(params.get("chat_id"), paid)
        result = handler(params)
        if asyncio.iscoroutine(result):
            result = await result
        if limited:
            assert self._limits is not None
            self._limits.record(params.get("chat_id"), time.monotonic(), paid)
        if paid and name in _SEND_METHODS:
            self.paid_messages += 1
        for observe in self.observers:
            observe(name, params, result)
        return result

    def _check_limits(self, chat_id: Any, paid: bool) -> None:
        assert self._limits is not None
        if self._limits.exceeded(chat_id, time.monotonic(), paid):
            self.rate_limited += 1
            retry = self._limits.retry_after
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").to_response()
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return ApiError(404, "Not Found").to_response()
        return web.Response(body=stored.content, content_type=stored.mime_type)

    # ---------------------------------------------------------------- validation helpers

    def _chat_for(self, params: JSON, *, sending: bool = True) -> JSON:
        """The target chat of a call; unknown chats are 400, blocked users 403 when sending."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if sending and chat_id in self._blocked:
            raise ApiError(403, BLOCKED)
        return chat

    @staticmethod
    def _format(raw: Any, parse_mode: Any, limit: int, too_long: str) -> tuple[str, str | None]:
        """Apply parse_mode; returns (plain text, raw HTML or None)."""
        text = "" if raw is None else str(raw)
        html = None
        if parse_mode:
            mode = str(parse_mode).lower()
            if mode not in ("html", "markdown", "markdownv2"):
                raise bad_request("unsupported parse_mode")
            if mode == "html":
                html, text = text, html_to_text(text)
        if len(text) > limit:
            raise bad_request(too_long)
        return text, html

    def _caption(self, params: JSON) -> tuple[str | None, str | None]:
        raw = params.get("caption")
        if raw is None:
            return None, None
        text, html = self._format(
            raw, params.get("parse_mode"), MAX_CAPTION_LENGTH, "message caption is too long"
        )
        return (text, html) if text.strip() else (None, None)

    @staticmethod
    def _markup(params: JSON, *, inline_only: bool = False) -> JSON | None:
        """Validate reply_markup like Telegram; an empty inline keyboard means 'no markup'."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            _check_rows(rows, "inline_keyboard")
            for row in rows:
                for button in row:
                    _check_inline_button(button)
            return markup if any(rows) else None
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            _check_rows(markup["keyboard"], "keyboard")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    def _reply_target(self, chat_id: int, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            lenient = bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = params.get("reply_to_message_id")
            lenient = bool(params.get("allow_sending_without_reply"))
        if message_id is None:
            return None
        target = self._messages.get((chat_id, message_id))
        if target is None and not lenient:
            raise bad_request("message to be replied not found")
        return None if target is None else _reply_snapshot(target)

    def _resolve_file(self, value: Any, kind: str, default_name: str) -> _FileSource:
        """An upload, a known file_id, or an HTTP URL -> what to store and send."""
        if isinstance(value, UploadedFile):
            if not value.content:
                raise bad_request("file must be non-empty")
            mime = value.mime_type
            if mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or mime
            return _FileSource(value.filename or default_name, value.content, mime, None)
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        stored = self._files.get(value)
        if stored is not None:
            if stored.kind != kind:
                raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
            return _FileSource(stored.filename, stored.content, stored.mime_type, stored)
        if value.startswith(("http://", "https://")):
            name = value.rsplit("/", 1)[-1] or default_name
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return _FileSource(name, b"", mime, None)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _store_file(self, kind: str, filename: str, content: bytes, mime: str) -> _StoredFile:
        number = self._next_file_number
        self._next_file_number += 1
        folder = "documents" if kind == "document" else "photos"
        extension = (filename.rsplit(".", 1)[-1] if "." in filename else "") or "bin"
        stored = _StoredFile(
            file_id=f"{'BQAC' if kind == 'document' else 'AgAC'}FakeFile{number:08d}",
            file_unique_id=f"AQAD{number:08d}",
            kind=kind,
            filename=filename,
            content=content,
            mime_type=mime,
            file_path=f"{folder}/file_{number}.{extension}",
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    # ---------------------------------------------------------------- message store

    def _next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] += 1
        return self._last_message_id[chat_id]

    def _store_bot_message(
        self, chat: JSON, content: JSON, markup: JSON | None, reply: JSON | None
    ) -> JSON:
        chat_id = chat["id"]
        message: JSON = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
        }
        if reply is not None:
            message["reply_to_message"] = reply
        message.update(content)
        if markup is not None:
            message["reply_markup"] = markup
        message["_edits"] = 0
        self._messages[(chat_id, message["message_id"])] = message
        self._bot_messages[chat_id][message["message_id"]] = message
        self._notify_waiters(chat_id)
        return message

    def _editable(self, params: JSON) -> JSON:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat_for(params)
        message = self._messages.get((chat["id"], params.get("message_id")))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise bad_request("message can't be edited")
        return message

    @staticmethod
    def _apply_edit(message: JSON, changes: JSON, markup: JSON | None) -> JSON:
        # Every earlier text, so a test can follow a message edited many times (progress).
        message.setdefault("_texts", []).append(message.get("text") or message.get("caption"))
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        if markup is not None:
            message["reply_markup"] = markup
        elif _inline_markup(message) is not None:
            del message["reply_markup"]
        message["edit_date"] = int(time.time())
        message["_edits"] += 1
        return _public(message)

    # ---------------------------------------------------------------- methods: bot & updates

    def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        """Long polling with Telegram's offset/limit/timeout semantics."""
        self.polling.set()
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else None
        self._confirm(params.get("offset"))
        # A newer getUpdates terminates an older pending one, as on Telegram.
        self._wake_poller("conflict")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._is_stopping():
                now = time.perf_counter()
                for update in batch:
                    self.first_delivered.setdefault(update["update_id"], now)
                return batch
            reason = await self._wait_for_update(remaining)
            if reason == "conflict":
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )

    def _is_stopping(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    async def _wait_for_update(self, seconds: float) -> str:
        poller: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._poller = poller
        try:
            done, _ = await asyncio.wait({poller}, timeout=seconds)
            return poller.result() if done else "timeout"
        finally:
            if self._poller is poller:
                self._poller = None

    def _confirm(self, offset: int | None) -> None:
        updates = self._updates
        if offset is None:
            return
        if offset < 0:  # keep only the last -offset updates, forget the rest
            while len(updates) > -offset:
                updates.popleft()
                self._confirmed += 1
            return
        if offset > self._next_update_id:
            # An offset from before `restart_update_counter`: unknown here, so it confirms
            # nothing (a restarted self-hosted server delivers its new updates all the same).
            return
        while updates and updates[0]["update_id"] < offset:
            updates.popleft()
            self._confirmed += 1

    def _deliverable(self, limit: int) -> list[JSON]:
        allowed = self._allowed_updates
        batch: list[JSON] = []
        for update in self._updates:
            kind = _update_type(update)
            if allowed is None and kind in _NOT_DELIVERED_BY_DEFAULT:
                continue
            if allowed is not None and kind not in allowed:
                continue
            batch.append(update)
            if len(batch) >= limit:
                break
        return batch

    def _delete_webhook(self, params: JSON) -> bool:
        self._webhook_url = ""
        self._webhook_wake.set()
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: HTTPS url must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        self._webhook_url = url
        self._webhook_secret = None if secret is None else str(secret)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if url and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.create_task(self._deliver_by_webhook())
        self._webhook_wake.set()
        return True

    def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    def _webhook_target(self, address: str | None = None) -> str:
        origin, path = re.fullmatch(r"(https://[^/]+)(.*)", self._webhook_url).groups()
        return (address or self.webhook_address or origin) + path

    def _next_webhook_address(self) -> str | None:
        if not self.webhook_addresses:
            return None
        address = self.webhook_addresses[self._next_address % len(self.webhook_addresses)]
        self._next_address += 1
        return address

    async def post_to_webhook(
        self, update: JSON, secret_token: str | None, address: str | None = None
    ) -> int:
        """POST one update to the bot's webhook with the given secret header (None: no
        header), as a stranger who found the URL would; the HTTP status. `address`: one
        instance's, instead of the URL's (or `webhook_address`)."""
        headers = {} if secret_token is None else {"X-Telegram-Bot-Api-Secret-Token": secret_token}
        async with (
            ClientSession(timeout=ClientTimeout(total=_WEBHOOK_TIMEOUT)) as session,
            session.post(self._webhook_target(address), json=update, headers=headers) as response,
        ):
            return response.status

    async def _deliver_by_webhook(self) -> None:
        """Telegram's side of a webhook: each update POSTed in order, until answered 2xx;
        failures are retried after a pause, as Telegram does."""
        while self._webhook_url and not self._is_stopping():
            batch = self._deliverable(1)
            if not batch:
                self._webhook_wake.clear()
                await self._webhook_wake.wait()
                continue
            update = batch[0]
            address = self._next_webhook_address()
            # Delivered when the POST starts: the bot may answer (its own calls) before the
            # POST does, and the benchmarks time from here.
            self.first_delivered.setdefault(update["update_id"], time.perf_counter())
            try:
                status = await self.post_to_webhook(update, self._webhook_secret, address)
            except OSError as exc:  # TimeoutError included
                status, description = 0, f"Connection refused: {exc}"
            else:
                description = f"Wrong response from the webhook: {status}"
            self.webhook_statuses.append(status)
            if 200 <= status < 300:
                self.webhook_answered_by.setdefault(update["update_id"], address or "")
                self._updates.remove(update)
                self._confirmed += 1
                continue
            self._webhook_error = (int(time.time()), description)
            await asyncio.sleep(self.webhook_retry_seconds)

    async def _stop_webhook(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        await cancel_and_wait(task)

    def _close(self, params: JSON) -> bool:
        return True

    def _log_out(self, params: JSON) -> bool:
        return True

    # ---------------------------------------------------------------- methods: commands

    def _commands_key(self, params: JSON) -> tuple[str, str]:
        scope = params.get("scope")
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise bad_request("invalid language code specified")
        if scope is None or scope == {"type": "default"}:
            return "default", language
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        if "chat_id" in scope and scope["chat_id"] not in self._chats:
            raise bad_request("chat not found")
        return json.dumps(scope, sort_keys=True, separators=(",", ":")), language

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = [_check_command(command) for command in commands]
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSON) -> list[JSON]:
        return [dict(command) for command in self.commands.get(self._commands_key(params), [])]

    def _delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    # ---------------------------------------------------------------- methods: messages

    def _send_message(self, params: JSON) -> JSON:
        chat = self._chat_for(params)
        text, html = self._format(
            params.get("text"), params.get("parse_mode"), MAX_TEXT_LENGTH, "message is too long"
        )
        if not text.strip():
            raise bad_request("message text is empty")
        markup = self._markup(params)
        reply = self._reply_target(chat["id"], params)
        content = _compact(text=text, entities=params.get("entities"), _html=html)
        return _public(self._store_bot_message(chat, content, markup, reply))

    def _edit_message_text(self, params: JSON) -> JSON:
        message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, html = self._format(
            params.get("text"), params.get("parse_mode"), MAX_TEXT_LENGTH, "message is too long"
        )
        if not text.strip():
            raise bad_request("message text is empty")
        markup = self._markup(params, inline_only=True)
        current = (message.get("text"), message.get("_html"), _inline_markup(message))
        if current == (text, html, markup):
            raise bad_request(NOT_MODIFIED)
        changes = {"text": text, "_html": html, "entities": params.get("entities")}
        return self._apply_edit(message, changes, markup)

    def _edit_message_caption(self, params: JSON) -> JSON:
        message = self._editable(params)
        if not any(kind in message for kind in ("document", "photo")):
            raise bad_request("there is no caption in the message to edit")
        caption, html = self._caption(params)
        markup = self._markup(params, inline_only=True)
        current = (message.get("caption"), message.get("_html"), _inline_markup(message))
        if current == (caption, html, markup):
            raise bad_request(NOT_MODIFIED)
        changes = {"caption": caption, "_html": html}
        return self._apply_edit(message, changes, markup)

    def _edit_message_reply_markup(self, params: JSON) -> JSON:
        message = self._editable(params)
        markup = self._markup(params, inline_only=True)
        if _inline_markup(message) == markup:
            raise bad_request(NOT_MODIFIED)
        return self._apply_edit(message, {}, markup)

    def _delete_message(self, params: JSON) -> bool:
        chat = self._chat_for(params, sending=False)
        key = (chat["id"], params.get("message_id"))
        message = self._messages.pop(key, None)
        if message is None:
            raise bad_request("message to delete not found")
        message["_deleted"] = True  # stays in chat_messages so message counts never shrink
        return True

    def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise bad_request(QUERY_INVALID)
        self._open_queries.discard(query_id)
        self.callback_answers.append(params)
        return True

    def _send_chat_action(self, params: JSON) -> bool:
        self._chat_for(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _send_location(self, params: JSON) -> JSON:
        chat = self._chat_for(params)
        latitude, longitude = params.get("latitude"), params.get("longitude")
        if not isinstance(latitude, int | float) or not -90 <= latitude <= 90:
            raise bad_request("wrong latitude")
        if not isinstance(longitude, int | float) or not -180 <= longitude <= 180:
            raise bad_request("wrong longitude")
        live_period = params.get("live_period")
        if live_period is not None and not (
            60 <= live_period <= 86400 or live_period == 0x7FFFFFFF
        ):
            raise bad_request("wrong live period specified")
        markup = self._markup(params)
        reply = self._reply_target(chat["id"], params)
        location = _compact(latitude=latitude, longitude=longitude, live_period=live_period)
        return _public(self._store_bot_message(chat, {"location": location}, markup, reply))

    # ---------------------------------------------------------------- methods: files

    def _send_document(self, params: JSON) -> JSON:
        chat = self._chat_for(params)
        source = self._resolve_file(params.get("document"), "document", "document")
        return self._send_file(chat, params, "document", source)

    def _send_photo(self, params: JSON) -> JSON:
        chat = self._chat_for(params)
        source = self._resolve_file(params.get("photo"), "photo", "photo.jpg")
        if source.stored is None and source.content:
            if len(source.content) > MAX_PHOTO_BYTES:
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            if _image_size(source.content) is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
        return self._send_file(chat, params, "photo", source)

    def _send_file(self, chat: JSON, params: JSON, kind: str, source: _FileSource) -> JSON:
        """Shared tail of sendDocument/sendPhoto: validate everything, then store."""
        caption, html = self._caption(params)
        markup = self._markup(params)
        reply = self._reply_target(chat["id"], params)
        stored = source.stored or self._store_file(
            kind, source.filename, source.content, source.mime_type
        )
        media = stored.as_document() if kind == "document" else stored.as_photo_sizes()
        content = _compact(caption=caption, _html=html)
        content[kind] = media
        content["_files"] = {
            kind: {
                "filename": source.filename,
                "content": source.content,
                "mime_type": source.mime_type,
            }
        }
        return _public(self._store_bot_message(chat, content, markup, reply))

    def _get_file(self, params: JSON) -> JSON:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return stored.as_file()

    def _get_chat(self, params: JSON) -> JSON:
        chat = self._chat_for(params, sending=False)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }


@dataclass(slots=True)
class _FileSource:
    """What a send call refers to: fresh bytes, or an already stored file."""

    filename: str
    content: bytes
    mime_type: str
    stored: _StoredFile | None


def _check_rows(rows: Any, field_name: str) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field_name}" must be an Array of Arrays')


def _check_inline_button(button: Any) -> None:
    """Telegram's inline button rules; callback_data is limited to 64 bytes of UTF-8."""
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: Object expected")
    if not str(button.get("text") or "").strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    if not any(action in button for action in _INLINE_BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not re.match(r"(https?|tg)://\S+$", str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")


def _check_command(command: Any) -> JSON:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand JSON object")
    name, description = command.get("command"), command.get("description")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
        raise bad_request("command description is invalid")
    return {"command": name, "description": description}
