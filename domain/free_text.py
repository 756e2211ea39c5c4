"""Typed text of several lines (a note, a comment, a request), between two lengths.

It belongs beside `validation.one_line`, the same check for one line; it stands apart only
while that module is being reshaped on another branch."""

from __future__ import annotations

from domain.errors import InvalidInput
from domain.validation import clean_text


def free_text(value: str | None, code: str, longest: int, shortest: int = 2) -> str:
    """The cleaned text, refused as `{code}_too_short` or `{code}_too_long`."""
    text = clean_text(value or "")
    if len(text) < shortest:
        raise InvalidInput(f"{code}_too_short")
    if len(text) > longest:
        raise InvalidInput(f"{code}_too_long", max=longest)
    return text
