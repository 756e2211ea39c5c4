"""Buttons declared once: a codec per kind of button packs its data, gives the handler its
pattern, parses a press and says who may press it.

    class Approve(Button, prefix="hours:approve", audience=Audience.SECRETARY):
        record_id: int

    Approve(5).button(t.pgettext("button", "Approve"))   # data "hours:approve:5"
    Approve.handler(approve)                             # CallbackQueryHandler, exact pattern
    Approve.of(update).record_id                         # in the callback: 5

Callback data comes from the client and is never trusted: the pattern is anchored and
typed (an int field is digits, an enum field one of its values), so a press the codec did
not pack, an old button of a renamed prefix or forged data matches no handler and is
answered as stale (handlers/basics.py) instead of being misread. A prefix names what the
button does in words (`mobile:certificate-ok`); an old prefix is never given another
meaning. Every codec registers itself in `REGISTRY`; `handlers.menu.who_may_press` and the role
matrix read who may press each from there (the server still checks the role in `domain/`).

A press is a value: its fields in order, equal to another press of the same codec with the
same fields, and unchangeable. The codecs share one set of those methods (`Button`'s) rather
than a dataclass each: generating ~200 of them was a tenth of the bot's start. Fields shared
by several codecs live in a plain annotated mixin (`class OnRound: round_id: int`), listed
before `Button`.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any, ClassVar, Self, dataclass_transform

from telegram import CallbackQuery, InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler

from domain.access import Audience

#: Telegram's limit for a button's data, in bytes.
MAX_DATA = 64
_PREFIX = re.compile(r"[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)*")
# ASCII digits only: `\d` also takes other scripts' digits (੯), which int() reads as numbers.
_INT = r"[0-9]{1,12}"
# Free text in a field stays short and cannot hold the separator.
_STR = r"[A-Za-z0-9_.\-]{1,32}"

#: Every codec by its prefix.
REGISTRY: dict[str, type[Button]] = {}


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    regex: str
    read: Callable[[str], Any]
    write: Callable[[Any], str]
    optional: bool


def _field(name: str, kind: Any) -> _Field:
    args = typing.get_args(kind)
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        (inner,) = [a for a in args if a is not type(None)]
        return dataclasses.replace(_field(name, inner), optional=True)
    if typing.get_origin(kind) is typing.Literal:
        values = {str(a): a for a in args}
        return _Field(name, _choice(values), values.__getitem__, str, False)
    if isinstance(kind, type) and issubclass(kind, Enum):
        values = {str(member.value): member for member in kind}
        return _Field(name, _choice(values), values.__getitem__, lambda m: str(m.value), False)
    if kind is bool:
        return _Field(name, "[01]", lambda s: s == "1", lambda b: "1" if b else "0", False)
    if kind is int:
        return _Field(name, _INT, int, str, False)
    if kind is str:
        return _Field(name, _STR, str, str, False)
    raise TypeError(f"a button field cannot be {kind!r}")


def _field_names(cls: type) -> tuple[str, ...]:
    """The data fields, in order: the mixins' annotations first, then the codec's own."""
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        if klass is Button or klass is object:
            continue
        for name, kind in inspect.get_annotations(klass).items():
            classvar = kind is ClassVar or str(kind).startswith(("ClassVar", "typing.ClassVar"))
            if name not in names and not classvar:
                names.append(name)
    return tuple(names)


def _choice(values: dict[str, Any]) -> str:
    return "(?:" + "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)) + ")"


@dataclass_transform(frozen_default=True)
class Button:
    """Subclass with `prefix=` and `audience=`; annotated fields are the data, in order.
    Fields that may be missing (`X | None = None`) come last."""

    prefix: ClassVar[str]
    audience: ClassVar[Audience]
    pattern: ClassVar[re.Pattern[str]]
    _fields: ClassVar[tuple[_Field, ...]]
    _names: ClassVar[tuple[str, ...]]
    _defaults: ClassVar[dict[str, Any]]

    def __init_subclass__(cls, *, prefix: str, audience: Audience, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(f"button prefix {prefix!r}: lower-case words joined by ':' or '-'")
        for other in REGISTRY:
            if other == prefix or other.startswith(prefix + ":") or prefix.startswith(other + ":"):
                raise ValueError(f"button prefix {prefix!r} overlaps {other!r}")
        for method in ("__init__", "__eq__", "__hash__", "__setattr__"):
            if getattr(cls, method) is not getattr(Button, method):
                raise TypeError(f"{cls.__name__}: a button's mixins are plain classes ({method})")
        cls.prefix, cls.audience = prefix, audience
        cls._names = _field_names(cls)
        cls._defaults = {n: getattr(cls, n) for n in cls._names if hasattr(cls, n)}
        cls.__match_args__ = cls._names
        hints = typing.get_type_hints(cls)
        cls._fields = tuple(_field(name, hints[name]) for name in cls._names)
        seen_optional = False
        regex = re.escape(prefix)
        for field in cls._fields:
            if seen_optional and not field.optional:
                raise TypeError(f"{cls.__name__}.{field.name}: optional fields come last")
            seen_optional |= field.optional
            part = f":({field.regex})"
            regex += f"(?:{part})?" if field.optional else part
        cls.pattern = re.compile(f"^{regex}$")
        REGISTRY[prefix] = cls

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self._names
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} fields, not {len(args)}")
        values = dict(zip(names, args, strict=False))
        for name, value in kwargs.items():
            if name not in names or name in values:
                raise TypeError(f"{type(self).__name__}: unexpected or repeated field {name!r}")
            values[name] = value
        for name in names:
            if name in values:
                value = values[name]
            elif name in self._defaults:
                value = self._defaults[name]
            else:
                raise TypeError(f"{type(self).__name__}: missing field {name!r}")
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._names)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names)
        return f"{type(self).__qualname__}({fields})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def pack(self) -> str:
        parts = [self.prefix]
        for field in self._fields:
            value = getattr(self, field.name)
            if value is None:
                break
            parts.append(field.write(value))
        data = ":".join(parts)
        if len(data.encode()) > MAX_DATA or not self.pattern.fullmatch(data):
            raise ValueError(f"{self!r} does not pack into button data: {data!r}")
        return data

    def button(self, label: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=self.pack())

    @classmethod
    def parse(cls, data: object) -> Self | None:
        if not isinstance(data, str) or (match := cls.pattern.fullmatch(data)) is None:
            return None
        values = [
            None if raw is None else field.read(raw)
            for field, raw in zip(cls._fields, match.groups(), strict=True)
        ]
        return cls(*values)

    @classmethod
    def of(cls, update: Update) -> Self:
        """The pressed button; its handler's pattern already matched the data."""
        query: CallbackQuery | None = update.callback_query
        pressed = cls.parse(query.data if query else None)
        if pressed is None:
            raise LookupError(f"not a {cls.__name__} press")
        return pressed

    @classmethod
    def handler(cls, callback: Callable[..., Any], **kwargs: Any) -> CallbackQueryHandler:
        return _Whole(callback, pattern=cls.pattern, **kwargs)


class _Whole(CallbackQueryHandler):
    """Takes only data its pattern matches whole: python-telegram-bot's `re.match` with `$`
    also takes the data with a newline after it, which `Button.of` (rightly) refuses.

    Checked first, with the compiled pattern: every press is offered to each of the
    button handlers in turn, and all but one turn it down (python-telegram-bot's own
    check looks the pattern up in `re`'s cache first: most of the dispatch's time)."""

    def check_update(self, update: object) -> object:
        query = update.callback_query if isinstance(update, Update) else None
        if (
            query is not None
            and isinstance(query.data, str)
            and not self.pattern.fullmatch(query.data)
        ):
            return None
        return super().check_update(update)


def matching(data: str) -> type[Button] | None:
    """The codec whose pattern this data fits, if any."""
    return next((codec for codec in REGISTRY.values() if codec.pattern.fullmatch(data)), None)


def audiences() -> dict[str, Audience]:
    """Who may press each kind of button, by its handler pattern."""
    return {codec.pattern.pattern: codec.audience for codec in REGISTRY.values()}


def family(audience: Audience, *prefixes: str, **fields: Any) -> tuple[type[Button], ...]:
    """Buttons that belong together, declared at once: the answers to one question (approve
    and reject a request, ask and confirm, submit and start over) or the actions on one record.
    Each has its own prefix, in the order of the names they are given to; all carry the same
    data fields (name=type, in order) and have the same audience, so they cannot drift apart.

        Approve, Reject = family(Audience.SECRETARY, "hours:approve", "hours:reject", record_id=int)
    """
    return tuple(_declared(prefix, audience, fields) for prefix in prefixes)


def _declared(prefix: str, audience: Audience, fields: dict[str, Any]) -> type[Button]:
    name = "".join(word.capitalize() for word in re.split("[:-]", prefix))
    return types.new_class(
        name,
        (Button,),
        {"prefix": prefix, "audience": audience},
        lambda namespace: namespace.update(__annotations__=dict(fields), __qualname__=name),
    )
