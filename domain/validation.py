"""Validation and normalisation of what people type."""

from __future__ import annotations

import re
import unicodedata

from domain.errors import InvalidInput

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area codes are 010, 02X or 0XXX; local numbers 7 or 8 digits.
_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))(\d{7,8})$")
_NAME_PUNCT = set(" ·•.-'")
NAME_MAX = 40


def clean_text(value: str) -> str:
    """Strip, fold runs of white space, drop control and format characters."""
    kept = "".join(ch for ch in value if not unicodedata.category(ch).startswith("C") or ch in "\n")
    return re.sub(r"[ \t\u3000]+", " ", kept).strip()


def within(text: str, shortest: int, longest: int, too_short: str, too_long: str) -> str:
    """`text`, already cleaned as its field wants, refused as `too_short` below `shortest`
    characters (`shortest=1`: empty) or as `too_long` (which names the limit) above `longest`."""
    if len(text) < shortest:
        raise InvalidInput(too_short)
    if len(text) > longest:
        raise InvalidInput(too_long, max=longest)
    return text


def one_line(value: str, code: str, shortest: int, longest: int) -> str:
    """Typed text on one line, refused as `{code}_too_short` or `{code}_too_long`."""
    text = clean_text(value).replace("\n", " ")
    return within(text, shortest, longest, f"{code}_too_short", f"{code}_too_long")


def free_text(value: str | None, code: str, longest: int, shortest: int = 2) -> str:
    """Typed text of several lines (a note, a comment, a request): the cleaned text,
    refused as `{code}_too_short` or `{code}_too_long`."""
    text = clean_text(value or "")
    return within(text, shortest, longest, f"{code}_too_short", f"{code}_too_long")


def person_name(value: str) -> str:
    name = one_line(value, "name", 2, NAME_MAX)
    for ch in name:
        category = unicodedata.category(ch)
        if not (category.startswith("L") or category.startswith("M") or ch in _NAME_PUNCT):
            raise InvalidInput("name_bad_characters")
    return name.replace("•", "·")


def _digits(value: str) -> str:
    return re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", value))


def mainland_phone(value: str) -> str:
    """A mainland mobile (13812345678) or landline with area code (0571-87654321)."""
    raw = _digits(value)
    candidates = [raw]
    for prefix in ("+86", "0086", "86"):
        if raw.startswith(prefix):
            rest = raw[len(prefix) :]
            # International form drops the trunk 0 of landline area codes.
            candidates += [rest, "0" + rest]
            break
    for candidate in candidates:
        if _MOBILE.match(candidate):
            return candidate
        landline = _LANDLINE.match(candidate)
        if landline:
            return f"{landline.group(1)}-{landline.group(2)}"
    raise InvalidInput("phone_invalid")


def contact_phone(value: str) -> str:
    """A phone from Telegram's contact sharing: mainland form when it is one, else +digits."""
    try:
        return mainland_phone(value)
    except InvalidInput:
        digits = re.sub(r"\D", "", value)
        if not 6 <= len(digits) <= 15:
            raise InvalidInput("phone_invalid") from None
        return "+" + digits
