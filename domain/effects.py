"""Each update's effects happen once, even when a crash makes the bot handle it again.

An update is marked handled only at its end (bot/persistence.py), after the domain calls it
made have committed in their own transactions; a crash in between replays it at the next
start (bot/inbox.py), from the conversation state and draft it started with. So every domain
function that writes and that a handler calls is an `@effect`: inside an update (`begin`),
its n-th call gets the key `{update}:{function}:{n}` (`journal_name`), and

* the first time, its body runs in ONE transaction together with a journal row holding its
  pickled outcome (a nested `db.transaction()` in the body is a savepoint of it, and the
  body reads its own writes: storage/db.py). The outcome is the result, or the domain
  error the call ended with; a call that wrote nothing (a refusal, a no-op) is not
  journaled, since a replay finds the same state and answers the same way. What the body
  committed before an error is kept, as it was before there was a journal (a wrong
  check-in code is counted, then refused), and the error is raised again on a replay.
  Any other exception (a bug, a stop) rolls everything back and stores nothing, so a
  replay runs the call afresh;
* on a replay the row is found and the outcome returned (or raised) without running the
  body: the handler answers the person the same way and moves the conversation on, with
  no second record, notification or audit entry.

The journal of an update is deleted in the transaction that marks it handled, so it holds
only what a crash left unfinished (and no personal data beyond that moment).

Outside an update (jobs, the CLI) and in tasks an update started (they inherit its context
but not its order), a call just runs. A call inside another effect is part of that one.
"""

from __future__ import annotations

import asyncio
import functools
import io
import pickle
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from domain.errors import DomainError
from storage import effects as journal
from storage.db import Database

P = ParamSpec("P")
R = TypeVar("R")

#: Every effect by its journal name (`journal_name`), for the tests that check none is missed.
REGISTRY: dict[str, Callable[..., Awaitable[Any]]] = {}


@dataclass(frozen=True)
class Refused:
    """A call's outcome that was a domain error."""

    error: DomainError


@dataclass
class _Scope:
    update_id: int
    task: asyncio.Task | None
    calls: dict[str, int] = field(default_factory=dict)
    inside: bool = False
    forget: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("update_scope", default=None)


def begin(update_id: int) -> None:
    """The current task handles update `update_id` from here on (handlers/__init__.py)."""
    _scope.set(_Scope(update_id, asyncio.current_task()))


def made_any() -> bool:
    """Whether the current update called an effect: its journal is to be dropped when the
    update is marked handled (nothing replays it after that)."""
    scope = _scope.get()
    return scope is not None and bool(scope.calls)


def forget_content() -> None:
    """The update holds what must not be kept (a secret ballot's presses): once handled,
    the inbox keeps only a digest of it (storage/inbox.py), not what was sent."""
    scope = _scope.get()
    if scope is not None:
        scope.forget = True


def content_forgotten() -> bool:
    scope = _scope.get()
    return scope is not None and scope.forget


def end() -> None:
    _scope.set(None)


def _current() -> _Scope | None:
    scope = _scope.get()
    if scope is None or scope.inside or scope.task is not asyncio.current_task():
        return None
    return scope


def _database(args: tuple, kwargs: dict) -> Database:
    for value in (*args, *kwargs.values()):
        if isinstance(value, Database):
            return value
    raise TypeError("an @effect takes the Database as an argument")


def journal_name(module: str, qualname: str) -> str:
    """An effect's name in the journal keys: its feature and its own name
    (`domain.hours.withdraw` for domain/hours/records.py's `withdraw`). A feature that is
    split into modules keeps the keys a crashed update left under the earlier layout."""
    return ".".join([*module.split(".")[:2], qualname])


def effect(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    name = journal_name(fn.__module__, fn.__qualname__)
    if name in REGISTRY:
        raise RuntimeError(f"two effects named {name} in one feature: rename one")

    @functools.wraps(fn)
    async def once(*args: P.args, **kwargs: P.kwargs) -> R:
        scope = _current()
        if scope is None:
            return await fn(*args, **kwargs)
        db = _database(args, kwargs)
        n = scope.calls[name] = scope.calls.get(name, 0) + 1
        key = f"{scope.update_id}:{name}:{n}"
        done = await journal.find(db, key)
        if done is not None:
            outcome = loads(done)
        else:
            scope.inside = True
            try:
                async with db.transaction() as conn:
                    before = conn.total_changes
                    try:
                        outcome = await fn(*args, **kwargs)
                    except DomainError as error:
                        outcome = Refused(error)
                    # A call that wrote nothing (a refusal, a no-op) finds the same state on a
                    # replay and answers the same way: nothing to keep, and nothing written.
                    if conn.total_changes != before:
                        await journal.record(conn, key, scope.update_id, dumps(outcome))
            finally:
                scope.inside = False
        if isinstance(outcome, Refused):
            raise outcome.error
        return outcome

    REGISTRY[name] = once
    return once


# ------------------------------------------------------------------ the results' codec

# Pickle, because the results are the domain's own dataclasses, enums and dates; read back
# only with the classes below, so a journal row cannot make the bot run arbitrary code.
_ALLOWED_PREFIXES = ("domain.",)
_ALLOWED = {
    "datetime": {"date", "datetime", "time", "timedelta", "timezone"},
    "decimal": {"Decimal"},
    "zoneinfo": {"ZoneInfo"},
    "pathlib": {"Path", "PosixPath", "PurePosixPath"},
    "_pathlib": {"Path", "PosixPath", "PurePosixPath"},
    "builtins": {"set", "frozenset", "list", "dict", "tuple", "bytearray", "complex"},
    "collections": {"OrderedDict"},
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith(_ALLOWED_PREFIXES) or name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a domain result")


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> Any:
        # Its own reduction goes through getattr, which the unpickler must not allow.
        if type(obj) is ZoneInfo:
            return ZoneInfo, (obj.key,)
        return NotImplemented


def dumps(result: object) -> bytes:
    """Read back at once: a result that could not be replayed fails its first run (and
    rolls it back), in the tests, not on the day of a crash."""
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(result)
    data = out.getvalue()
    loads(data)
    return data


def loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()
