"""The effect journal (domain/effects.py): a replayed update makes no effect twice."""

from __future__ import annotations

import ast
import asyncio
import pickle
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain import effects
from domain.broadcasts import Progress
from domain.errors import Conflict
from storage import migrations
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]

# Writes a handler makes that may run again on a replay, each with why.
REPLAY_SAFE = {
    "storage.telegram_users.set_language_code": "the client's language: the latest wins",
    "storage.telegram_users.set_locale": "the person's /language choice: the latest wins",
    "domain.broadcasts.show_progress": (
        "where the progress is shown: a replay shows it in a new message, which is the one"
        " to edit from then on"
    ),
    "domain.broadcasts.settle": "drops a finished broadcast's file; nothing left to do again",
    "domain.posts.common.cycle_of": (
        "seeds a branch's posts and cycle once: a second run finds them"
    ),
}


# ---------------------------------------------------------- no write escapes the journal


@dataclass
class Function:
    direct: bool  # opens a transaction or writes a statement itself
    calls: set[str]
    effect: bool


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> `domain.x` / `storage.x` module, or `domain.x.f` function."""
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        top = node.module.split(".")[0]
        if top not in ("domain", "storage"):
            continue
        for alias in node.names:
            found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _reexports() -> dict[str, str]:
    """`domain.x.f` -> where f is defined, for what a package's `__init__.py` hands on."""
    found = {}
    for package in ("domain", "storage"):
        for path in sorted((ROOT / package).rglob("__init__.py")):
            for name, target in _aliases(ast.parse(path.read_text())).items():
                found[f"{_module(path)}.{name}"] = target
    return found


def _resolved(names: set[str], reexports: dict[str, str]) -> set[str]:
    out = set()
    for name in names:
        while name in reexports:
            name = reexports[name]
        out.add(name)
    return out


def _functions() -> dict[str, Function]:
    table = {}
    reexports = _reexports()
    for package in ("domain", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = _module(path)
            tree = ast.parse(path.read_text())
            aliases = _aliases(tree)
            for node in tree.body:
                if not isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                    continue
                direct, calls = False, set()
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
                        target = ast.unparse(sub.func.value)
                        if sub.func.attr in ("transaction", "write") and target.endswith("db"):
                            direct = True
                        elif isinstance(sub.func.value, ast.Name) and target in aliases:
                            calls.add(f"{aliases[target]}.{sub.func.attr}")
                    elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
                        name = sub.func.id
                        calls.add(aliases.get(name, f"{module}.{name}"))
                effect = any(ast.unparse(d).endswith("effect") for d in node.decorator_list)
                table[f"{module}.{node.name}"] = Function(
                    direct, _resolved(calls, reexports), effect
                )
    return table


def _writing(table: dict[str, Function]) -> set[str]:
    writing = {name for name, f in table.items() if f.direct}
    grew = True
    while grew:
        grew = False
        for name, f in table.items():
            if name not in writing and f.calls & writing:
                writing.add(name)
                grew = True
    return writing


def _covered(name: str, table: dict[str, Function], writing: set[str], seen=()) -> bool:
    f = table[name]
    if f.effect or name in REPLAY_SAFE:
        return True
    if f.direct or name in seen:
        return False
    return all(_covered(callee, table, writing, (*seen, name)) for callee in f.calls & writing)


def _used_by_handlers() -> dict[str, set[str]]:
    """Every domain or storage function a handler module names (called or passed on)."""
    used: dict[str, set[str]] = {}
    reexports = _reexports()
    for path in sorted((ROOT / "handlers").rglob("*.py")):
        tree = ast.parse(path.read_text())
        aliases = _aliases(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id in aliases:
                    (name,) = _resolved({f"{aliases[node.value.id]}.{node.attr}"}, reexports)
                    used.setdefault(name, set()).add(_module(path))
            elif isinstance(node, ast.Name) and node.id in aliases:
                (name,) = _resolved({aliases[node.id]}, reexports)
                used.setdefault(name, set()).add(_module(path))
    return used


def test_every_write_a_handler_can_make_is_an_effect_or_known_to_be_safe_again():
    table = _functions()
    writing = _writing(table)
    used = _used_by_handlers()
    escaping = {
        name: sorted(by)
        for name, by in used.items()
        if name in writing and name not in REPLAY_SAFE and not _covered(name, table, writing)
    }
    assert escaping == {}, "make these @effect (domain/effects.py), or their writes"
    assert set(REPLAY_SAFE) <= writing, "REPLAY_SAFE lists what writes nothing (any more)"


def test_the_registry_holds_every_effect():
    table = _functions()
    import handlers  # noqa: F401 - imports every domain module a handler uses

    declared = {effects.journal_name(*name.rsplit(".", 1)) for name, f in table.items() if f.effect}
    assert declared == {n for n in effects.REGISTRY if n.startswith("domain.")}


# ------------------------------------------------------------------ the mechanism


Made = tuple[int, Progress, datetime]  # a domain result, with the types results have


class Bug(Exception):
    pass


async def _notes(db: Database) -> list[str]:
    return [r["text"] for r in await db.fetchall("SELECT text FROM notes ORDER BY id")]


@pytest.fixture
async def db(tmp_path):
    async with Database(tmp_path / "t.db") as db:
        ddl = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"
        await db.write(ddl if db.engine == "sqlite" else migrations.to_postgresql(ddl))
        yield db


runs: list[str] = []


@effects.effect
async def make_note(db: Database, text: str) -> Made:
    """Reads before it writes, writes in a transaction of its own and reads that back."""
    runs.append(text)
    before = await db.fetchval("SELECT COUNT(*) FROM notes")
    async with db.transaction() as conn:
        cur = await conn.execute("INSERT INTO notes (text) VALUES (?)", (text,))
    if text == "refused":  # counted, then refused (as a wrong check-in code is)
        raise Conflict("refused", after=text)
    if text == "bug":
        raise Bug
    assert await db.fetchval("SELECT COUNT(*) FROM notes") == before + 1  # its own write
    return cur.lastrowid, Progress(1, 1, 0, 0), datetime(2026, 12, 1, 8, tzinfo=UTC)


async def _handle(db: Database, update_id: int, *texts: str) -> list[Made]:
    """One update's handling: its own task, as python-telegram-bot gives it."""

    async def handling() -> list[Made]:
        effects.begin(update_id)
        try:
            return [await make_note(db, text) for text in texts]
        finally:
            effects.end()

    return await asyncio.create_task(handling())


async def test_an_update_handled_again_gets_the_first_results_and_writes_nothing_more(db):
    runs.clear()
    first = await _handle(db, 7, "a", "b")
    again = await _handle(db, 7, "a", "b")
    assert again == first
    assert runs == ["a", "b"]  # the second time, no body ran
    assert await _notes(db) == ["a", "b"]
    assert await db.fetchval("SELECT COUNT(*) FROM update_effects WHERE update_id = 7") == 2
    # Another update is other calls.
    await _handle(db, 8, "a")
    assert await _notes(db) == ["a", "b", "a"]


async def test_a_refused_call_keeps_what_it_committed_and_is_refused_again(db):
    runs.clear()
    with pytest.raises(Conflict) as first:
        await _handle(db, 9, "refused")
    with pytest.raises(Conflict) as again:
        await _handle(db, 9, "refused")
    assert (again.value.code, again.value.params) == ("refused", {"after": "refused"})
    assert type(again.value) is type(first.value)
    assert runs == ["refused"]
    assert await _notes(db) == ["refused"]


async def test_a_call_that_fails_otherwise_keeps_nothing_and_runs_again(db):
    runs.clear()
    for _ in range(2):
        with pytest.raises(Bug):
            await _handle(db, 11, "bug")
    assert runs == ["bug", "bug"]
    assert await _notes(db) == []
    assert await db.fetchval("SELECT COUNT(*) FROM update_effects") == 0


async def test_outside_an_update_and_in_tasks_it_started_calls_just_run(db):
    runs.clear()
    await make_note(db, "job")
    await make_note(db, "job")

    async def handling() -> None:
        effects.begin(10)
        # A task started by the handler inherits the scope, but is not the update.
        await asyncio.create_task(make_note(db, "spawned"))
        await asyncio.create_task(make_note(db, "spawned"))

    await asyncio.create_task(handling())
    assert await _notes(db) == ["job", "job", "spawned", "spawned"]
    assert await db.fetchval("SELECT COUNT(*) FROM update_effects") == 0


async def test_a_nested_transaction_is_part_of_the_outer_one_and_others_wait(db):
    order = []

    async def other() -> None:
        async with db.transaction() as conn:
            order.append("other")
            await conn.execute("INSERT INTO notes (text) VALUES ('other')")

    with pytest.raises(Bug):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO notes (text) VALUES ('outer')")
            waiting = asyncio.create_task(other())
            await asyncio.sleep(0.05)
            with pytest.raises(Bug):
                async with db.transaction() as inner:
                    await inner.execute("INSERT INTO notes (text) VALUES ('inner')")
                    raise Bug
            async with db.transaction() as inner:
                await inner.execute("INSERT INTO notes (text) VALUES ('kept')")
            await db.write("INSERT INTO notes (text) VALUES ('written')")
            assert await _notes(db) == ["outer", "kept", "written"]  # the writer's view
            assert order == []
            raise Bug
    await waiting
    assert await _notes(db) == ["other"]


def test_a_journal_row_cannot_run_code():
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    made = (1, Progress(1, 1, 0, 0), datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert effects.loads(effects.dumps(made)) == made
    assert effects.loads(effects.dumps((date(2026, 1, 1), {"x": [1, None]}))) == (
        date(2026, 1, 1),
        {"x": [1, None]},
    )
    with pytest.raises(pickle.UnpicklingError):
        effects.loads(pickle.dumps(Evil()))


async def test_the_journal_is_kept_while_its_update_waits_and_pruned_after(tmp_path):
    from storage import effects as journal
    from storage import inbox

    version = next(
        m.version for m in migrations.available() if m.name.endswith("_update_effects.sql")
    )
    db = await Database(tmp_path / "t.db").open(migrate=False)
    async with db:
        await migrations.apply(db.writer, target=version - 1)
        # The inbox as that version had it (later migrations change its keys).
        await db.write(
            "INSERT INTO ptb_inbox (update_id, data, received_at, handled_at) VALUES"
            " (1, '{\"update_id\": 1}', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:01+00:00'),"
            " (2, '{\"update_id\": 2}', '2026-01-01T00:00:00+00:00', NULL)"
        )
    async with Database(tmp_path / "t.db") as db:  # migrates, keeping the inbox
        assert await db.schema_version() == migrations.latest_version()
        async with db.transaction() as conn:
            await journal.record(conn, "1:f:1", 1, effects.dumps(1))
            await journal.record(conn, "2:f:1", 2, effects.dumps(2))
        await inbox.prune(db, datetime.now(UTC) + timedelta(days=2))
        assert [r[0] for r in await db.fetchall("SELECT key FROM update_effects")] == ["2:f:1"]
        assert await inbox.unhandled(db) == [{"update_id": 2}]


async def test_a_handled_update_leaves_no_journal(bot, branch):
    from tests.flows import approved_member, log_hours
    from tests.test_hours import NOW

    bot.app.bot_data["clock"] = lambda: NOW
    member = await approved_member(bot, branch, "李", "李明", "13800138000")
    await log_hours(member)
    assert "已保存为记录 #1" in member.last_text
    assert await bot.db.fetchval("SELECT COUNT(*) FROM update_effects") == 0


async def test_a_replayed_decision_edits_its_message_again_without_an_error(
    bot, branch, monkeypatch
):
    """As after a kill just before the handled mark: the edit was made, the replay makes it
    again and Telegram says "message is not modified", which is no failure."""
    from bot.persistence import SQLitePersistence
    from tests.conftest import invite, onboard

    applicant = bot.person("李")
    await onboard(applicant, await invite(bot, branch.id), "李明", "13800138000", "居民党员")
    commit = SQLitePersistence.commit
    cut_short = []

    async def dying(self, handled_update_id=None, **kwargs):
        if handled_update_id is not None and not cut_short:
            cut_short.append(handled_update_id)  # nothing written: the process is gone
            self._staged, self._staged_users = [], {}
            return
        await commit(self, handled_update_id, **kwargs)

    monkeypatch.setattr(SQLitePersistence, "commit", dying)
    await branch.secretary.press("✅ 通过")
    monkeypatch.setattr(SQLitePersistence, "commit", commit)
    decided = branch.secretary.last_text
    assert "✅ 已通过：李明" in decided
    seen = len(branch.secretary.messages), len(applicant.messages)
    await bot.restart()
    await bot.processed({"update_id": cut_short[0]})
    assert bot.errors == []
    assert (len(branch.secretary.messages), len(applicant.messages)) == seen
    assert branch.secretary.last_text == decided
    assert await bot.db.fetchval("SELECT COUNT(*) FROM join_requests") == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM outbox") == 2  # request, decision
    assert await bot.db.fetchval("SELECT COUNT(*) FROM update_effects") == 0


def test_a_feature_split_into_modules_keeps_its_effects_journal_keys():
    # What a crashed update left under the one-module layout is found after the split.
    assert effects.journal_name("domain.hours.records", "withdraw") == "domain.hours.withdraw"
    assert effects.journal_name("domain.broadcasts", "send") == "domain.broadcasts.send"
    assert {"domain.hours.withdraw", "domain.mobile.submit", "domain.posts.advance"} <= set(
        effects.REGISTRY
    )
