"""The layers, kept by a test: what each package may import (docs/architecture.md).

    bot/       wires the application: may import everything below it
    handlers/  Telegram updates in, replies out: telegram, domain, and of storage only the
               database handle and the clock (storage.db)
    domain/    the rules: storage and itself; never telegram, handlers or bot
    storage/   SQL and migrations: only the domain's plain data modules (those that import
               nothing of storage themselves), never telegram, handlers or bot

Every import counts, at the top of a module, inside a function or under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "domain", "storage")
# What handlers may take from storage: the handle every domain call is given, the clock.
HANDLERS_FROM_STORAGE = {"storage.db"}
# Known exceptions, each with its reason. Empty is the goal; add one only with a reason.
ALLOWED: dict[tuple[str, str], str] = {}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {_module(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


@cache
def imports_of(module: str) -> frozenset[str]:
    path = _sources()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from domain import hours` imports the module domain.hours.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    known = _sources()
    return frozenset(name for name in found if name in known or name.split(".")[0] == "telegram")


def _top(name: str) -> str:
    return name.split(".")[0]


def _plain_data(module: str) -> bool:
    """A domain module storage may read its types from: it imports nothing of storage."""
    return not any(_top(name) == "storage" for name in imports_of(module))


def violation(module: str, imported: str) -> str | None:
    layer, target = _top(module), _top(imported)
    if layer == "domain" and target in {"telegram", "handlers", "bot"}:
        return "the rules know nothing of Telegram, handlers or the bot's wiring"
    if layer == "storage":
        if target in {"telegram", "handlers", "bot"}:
            return "storage knows only SQL and the domain's plain data"
        if target == "domain" and imported != "domain" and not _plain_data(imported):
            return "storage reads only the domain's plain data modules (they import no storage)"
    if (
        layer == "handlers"
        and target == "storage"
        and imported not in {"storage", *HANDLERS_FROM_STORAGE}
    ):
        return "handlers reach storage through domain/"
    return None


def broken() -> list[str]:
    found = []
    for module in _sources():
        for imported in sorted(imports_of(module)):
            why = violation(module, imported)
            if why and (module, imported) not in ALLOWED:
                found.append(f"{module} imports {imported}: {why}")
    return found


def test_every_import_keeps_to_its_layer():
    assert broken() == []


def test_every_exception_is_still_needed():
    stale = [pair for pair in ALLOWED if pair[1] not in imports_of(pair[0])]
    assert stale == []


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("domain.hours", "telegram"),
        ("domain.hours", "bot.config"),
        ("domain.hours", "handlers.common"),
        ("storage.hours", "domain.access"),
        ("storage.hours", "bot.config"),
    ],
)
def test_a_forbidden_import_is_caught(module, imported):
    assert violation(module, imported) is not None


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("handlers.hours", "domain.hours"),
        ("storage.outbox", "domain.notification"),
        ("bot.app", "storage.db"),
        ("domain.hours", "storage.hours"),
    ],
)
def test_what_a_layer_may_import_passes(module, imported):
    assert violation(module, imported) is None


# Issue 17: a newcomer reads a module in one sitting. The fake Bot API (tests/) is not counted.
MAX_LINES = 500


def test_no_module_is_longer_than_a_newcomer_reads_at_once():
    lengths = {module: len(path.read_text().splitlines()) for module, path in _sources().items()}
    assert {module: n for module, n in lengths.items() if n > MAX_LINES} == {}
