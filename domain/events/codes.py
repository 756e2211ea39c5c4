"""Check-in codes: the rotating code a secretary shows, the window it works in, and the
deep link of its QR code.

The code rotates every few minutes and is derived (HMAC of the event's secret and the time
step), so nothing is stored per rotation and any worker computes the same code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import datetime, timedelta

from domain.activity import Event
from domain.errors import Conflict, InvalidInput

CODE_STEP_SECONDS = 300
CODE_DIGITS = 6
CHECK_IN_OPENS = timedelta(minutes=30)  # before the start
CHECK_OUT_CLOSES = timedelta(minutes=30)  # after the end

PAYLOAD = re.compile(rf"ci-(\d{{1,12}})-(\d{{{CODE_DIGITS}}})")


def _step(moment: datetime) -> int:
    return int(moment.timestamp()) // CODE_STEP_SECONDS


def code_for_step(event: Event, step: int) -> str:
    digest = hmac.new(event.secret.encode(), f"{event.id}:{step}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest()[:8], "big") % 10**CODE_DIGITS
    return f"{number:0{CODE_DIGITS}d}"


def window(event: Event) -> tuple[datetime, datetime]:
    """When check-in and check-out are possible."""
    return event.starts_at - CHECK_IN_OPENS, event.ends_at + CHECK_OUT_CLOSES


def is_open(event: Event, now: datetime) -> bool:
    opens, closes = window(event)
    return opens <= now <= closes


def current_code(event: Event, now: datetime) -> tuple[str, datetime]:
    """The code to show now, and when it changes; only inside the event's window."""
    if not is_open(event, now):
        raise Conflict("event_not_open")
    step = _step(now)
    return code_for_step(event, step), datetime.fromtimestamp(
        (step + 1) * CODE_STEP_SECONDS, now.tzinfo
    )


def normalise_code(text: str) -> str:
    raw = re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", raw):
        raise InvalidInput("code_format", digits=CODE_DIGITS)
    return raw


def link_payload(event: Event, code: str) -> str:
    """The /start parameter of a check-in deep link (letters, digits, - and _ only)."""
    return f"ci-{event.id}-{code}"


def parse_payload(text: str) -> tuple[int, str]:
    match = PAYLOAD.fullmatch(text or "")
    if match is None:
        raise InvalidInput("code_format", digits=CODE_DIGITS)
    return int(match[1]), match[2]


def code_matches(event: Event, code: str, now: datetime) -> bool:
    """The current code, or the one just before it (shown a moment before it rotated)."""
    step = _step(now)
    return any(hmac.compare_digest(code_for_step(event, s), code) for s in (step, step - 1))


def check_code(event: Event, typed: str, now: datetime) -> None:
    code = normalise_code(typed)
    if not is_open(event, now):
        raise Conflict("event_not_open")
    if code_matches(event, code, now):
        return
    opens, _ = window(event)
    if any(code_for_step(event, s) == code for s in range(_step(opens), _step(now) - 1)):
        raise InvalidInput("code_expired")
    raise InvalidInput("code_wrong")
