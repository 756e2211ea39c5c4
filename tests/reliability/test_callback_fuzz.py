"""Every button handler, pressed with malformed and forged data by a member and by a
secretary: answered, nothing written, nothing raised.

The patterns come from the handler registry (as in the role matrix), so a new button cannot
escape. The data: random bytes as text, the pattern's prefix with garbage, and the pattern's
own shape with its numbers replaced by ids of other branches' records (a seeded branch holds
the small ids), huge and negative numbers. The pressers belong to a branch of their own with
nothing in it, so whatever they press aims at someone else's records or at nothing: every
press must be refused or ignored, and the database must not change.

Speed: a press costs a round trip through the fake Bot API, so each hypothesis example is a
batch of presses delivered together (one getUpdates for the lot, handled in order as the
person's updates always are), and writes are caught by triggers instead of snapshots.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

import handlers
from benchmarks.seed import fill
from domain import admin, events, hours
from domain.post_models import Stage
from handlers import FEATURES
from handlers.menu import who_may_press
from storage.db import Database
from tests.conftest import TOKEN, invite, onboard
from tests.fakes.harness import Person
from tests.reliability.live import BOOKKEEPING, EXAMPLES, LiveBot, running
from tests.reliability.test_role_matrix import handlers_of, open_everything

#: Presses per example; examples per pattern and presser = EXAMPLES // BATCH // 4 in the
#: quick suite (50 presses per pattern and presser at the default 200), at least 2.
BATCH = 25
PER_PRESSER = max(EXAMPLES // BATCH // 4, 2)

# Ids that exist in the seeded branch's tables (people, cadre registrations, hour records,
# remarks, posts...), and numbers no id can be.
OTHERS_IDS = st.integers(1, 60)
ODD_NUMBERS = st.one_of(
    st.integers(2**31, 10**30),
    st.integers(-(10**30), 0),
    st.sampled_from([2**63 - 1, 2**63, 2**64, -(2**63) - 1]),
)
NUMBERS = st.one_of(OTHERS_IDS, ODD_NUMBERS).map(str)
GARBAGE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["'; DROP TABLE people; --", "<b>x</b>", "%s", "{0}", "\x00", ":", "::"]),
    st.just("👨‍👩‍👧"),
)

# Read after `handlers` imported every feature, so every codec is registered.
BUTTONS = who_may_press()


# Presses that are the presser's own business when the data is exactly right: a language, a
# reminder lead time, the secretary's branch's window for logging hours and how its summaries
# count them, moving the branch's post cycle, the secretary's digest time, confirming one's
# own departure. The feature tests cover them; here such data gets one character more.
def _choices(values: tuple[int, ...]) -> str:
    return "|".join(map(str, values))


OWN_ACTIONS = re.compile(
    rf"lang:(zh_Hans|en)|ev:lead:({_choices(events.LEAD_CHOICES)})"
    rf"|hours:window:({_choices(hours.WINDOW_CHOICES)})|hours:count:(verified|with_attested)"
    rf"|posts:(forward-ok|back):({'|'.join(Stage)})|digest:set:(d|[0-6]):\d{{4}}"
    r"|leave:ok:(transfer_out|other)"
    # A district's contact invites an instructor to a branch of their own district.
    r"|instructors:invite:\d+"
)


def literal_prefix(pattern: str) -> str:
    """The text every match starts with: `^posts:(ok|no):` -> `posts:`."""
    return re.match(r"[^()\[\]{}.*+?|$\\]*", pattern.removeprefix("^"))[0]


def data_shapes() -> list[re.Pattern[str]]:
    """The exact forms handlers parse their callback data with (`parse_callback`)."""
    return [
        value
        for info in pkgutil.iter_modules(handlers.__path__)
        for value in vars(importlib.import_module(f"handlers.{info.name}")).values()
        if isinstance(value, re.Pattern)
    ]


def well_formed(pattern: str) -> st.SearchStrategy[str]:
    """Data of a form some handler parses, that the button's pattern lets through, with its
    numbers aimed at other people's records or out of range."""
    prefix = literal_prefix(pattern)
    forms = [
        shape.pattern
        for shape in data_shapes()
        if literal_prefix(shape.pattern).startswith(prefix)
        or prefix.startswith(literal_prefix(shape.pattern))
    ]
    exact = st.sampled_from([*forms, pattern]).flatmap(lambda f: st.from_regex(f, fullmatch=True))
    # A form of a sibling button the pattern does not take keeps its last part only.
    return st.tuples(exact, NUMBERS).map(lambda p: fit(pattern, prefix, re.sub(r"\d+", p[1], p[0])))


def fit(pattern: str, prefix: str, data: str) -> str:
    return data if re.match(pattern, data) else prefix + data.rsplit(":", 1)[-1]


def forged(pattern: str) -> st.SearchStrategy[str]:
    prefix = literal_prefix(pattern)
    shaped = well_formed(pattern)
    return (
        st.one_of(
            st.binary(min_size=1, max_size=64).map(lambda b: b.decode("utf-8", "replace")),
            st.tuples(st.just(prefix), GARBAGE).map("".join),
            st.tuples(st.just(prefix), NUMBERS).map("".join),
            st.tuples(st.just(prefix), NUMBERS, st.just(":"), st.one_of(NUMBERS, GARBAGE)).map(
                "".join
            ),
            shaped,
            shaped,
            shaped,
            st.tuples(shaped, st.just(":"), NUMBERS).map("".join),
        )
        .map(lambda s: s + "x" if OWN_ACTIONS.fullmatch(s) else s)
        .filter(lambda s: 1 <= len(s.encode()) <= 64)
    )


async def watch_writes(db: Database) -> None:
    """Triggers that log every write to a business table into `fuzz_writes`."""
    tables = [
        row["name"]
        for row in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL%'"
        )
        if row["name"] not in BOOKKEEPING
    ]
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE fuzz_writes (tbl TEXT NOT NULL, op TEXT NOT NULL)")
        for table in tables:
            for op in ("INSERT", "UPDATE", "DELETE"):
                await conn.execute(
                    f"CREATE TRIGGER fuzz_{table}_{op} AFTER {op} ON {table}"
                    f" BEGIN INSERT INTO fuzz_writes VALUES ('{table}', '{op}'); END"
                )


async def writes(db: Database) -> list[tuple[str, str]]:
    found = [tuple(r) for r in await db.fetchall("SELECT DISTINCT tbl, op FROM fuzz_writes")]
    if found:
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM fuzz_writes")
    return found


async def beyond_reach(db: Database, branch_id: int) -> None:
    """Our branch's posts, made after the others' and so among the small ids the presses
    aim at, get ids no press reaches: retiring one of them would be our secretary's right."""
    async with db.transaction() as conn:
        await conn.execute("UPDATE posts SET id = id + 1000000 WHERE branch_id = ?", (branch_id,))


class World:
    """A seeded branch full of records (the others) with a secretary, and our branch: a
    secretary and a member. Each has sent every command once, so what a branch makes on
    first use (its posts) exists before the pressing starts."""

    def __init__(self, live: LiveBot) -> None:
        h = live.harness
        others = h.person("他支部书记")
        live.run(admin.add_secretary(h.db, 1, others.id))
        open_everything(live, others)
        ours = live.run(admin.add_branch(h.db, "我们社区党支部"))
        self.secretary, self.member = h.person("本支部书记"), h.person("本支部党员")
        live.run(admin.add_secretary(h.db, ours.id, self.secretary.id))
        code = live.run(invite(h, ours.id, uses=1))
        live.run(onboard(self.member, code, "李党员", "13800138001", "居民党员"))
        live.run(self.secretary.press("✅ 通过"))
        open_everything(live, self.secretary, self.member)
        live.run(beyond_reach(h.db, ours.id))
        live.run(watch_writes(h.db))
        assert not live.run(writes(h.db))


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveBot]:
    data = tmp_path_factory.mktemp("callback-fuzz")

    async def seed() -> None:
        async with Database(data / "partybot.db"):
            pass
        fill(data / "partybot.db", 0.002, 2026)

    asyncio.run(seed())
    yield from running(TOKEN, data)


@pytest.fixture(scope="module")
def world(live: LiveBot) -> World:
    return World(live)


def test_the_fuzzed_patterns_are_the_registered_ones(live):
    registered = {
        h.pattern.pattern for h in handlers_of(live) if getattr(h, "pattern", None) is not None
    }
    assert {p for p in registered if p in BUTTONS} == set(BUTTONS)


async def press_all(person: Person, data: list[str]) -> list[str]:
    """Deliver every press at once; the ids of the queries the bot did not answer."""
    server, harness = person.server, person.harness
    try:
        message_id = person.last["message_id"]
        updates = [server.push_callback(person.user, message_id, d) for d in data]
    except (AssertionError, ValueError):  # no message to press on, or it was deleted
        await person.send("/help")
        message_id = person.last["message_id"]
        updates = [server.push_callback(person.user, message_id, d) for d in data]
    assert harness.processor is not None
    await asyncio.gather(*(harness.processor.wait(u["update_id"]) for u in updates))
    await harness.drain_outbox()
    answered = {a.get("callback_query_id") for a in server.callback_answers}
    return [
        d for u, d in zip(updates, data, strict=True) if u["callback_query"]["id"] not in answered
    ]


def plain_data(pattern: str) -> list[str]:
    """The data a pattern with no free part matches: `^mob:new:(outflow|inflow)$` gives
    both; a pattern with a free part gives none."""
    found = re.fullmatch(r"\^([\w:]*)(?:\(([\w:|]+)\))?\$", pattern)
    if found is None:
        return []
    return [found[1] + choice for choice in (found[2] or "").split("|")]


def ways_in(live: LiveBot, pattern: str) -> list[str]:
    """The commands and plain buttons that open a conversation in which `pattern` is
    pressed: its presses are tried there too, not only outside, where a catch-all takes
    them."""
    assert live.harness.app is not None
    found = []
    for conversation in live.harness.app.handlers[FEATURES]:
        if not isinstance(conversation, ConversationHandler):
            continue
        inside = [h for state in conversation.states.values() for h in state]
        if not any(getattr(h, "pattern", None) and h.pattern.pattern == pattern for h in inside):
            continue
        for entry in conversation.entry_points:
            if isinstance(entry, CommandHandler):
                found += [f"/{command}" for command in sorted(entry.commands)]
            elif isinstance(entry, CallbackQueryHandler) and entry.pattern is not None:
                found += plain_data(entry.pattern.pattern)
    return found


async def go_in(person: Person, way: str | None) -> None:
    await person.send("/cancel")
    if way is None:
        return
    if way.startswith("/"):
        await person.send(way)
    else:
        await person.press_data(person.last["message_id"], way)


@pytest.mark.parametrize("pattern", sorted(BUTTONS))
def test_forged_and_malformed_presses_are_refused_and_change_nothing(live, world, pattern):
    pressers = [("member", world.member), ("secretary", world.secretary)]
    ways = [None, *ways_in(live, pattern)]

    @settings(
        max_examples=PER_PRESSER * len(pressers),
        deadline=None,
        # Shrinking a batch replays it against a bot whose state has moved on: slow, and
        # the failure already names the presses and the tables written.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        who=st.sampled_from(pressers),
        way=st.sampled_from(ways),
        data=st.lists(forged(pattern), min_size=BATCH, max_size=BATCH),
    )
    def press(who: tuple[str, Person], way: str | None, data: list[str]) -> None:
        role, person = who
        live.run(go_in(person, way))
        assert not live.run(writes(live.db)), f"opening {way} as the {role} wrote"
        unanswered = live.run(press_all(person, data))
        assert not unanswered, f"the {role}'s presses were not answered: {unanswered!r}"
        written = live.run(writes(live.db))
        assert not written, f"the {role}'s presses {data!r} wrote {written}"
        raised = list(live.harness.errors)
        live.harness.errors.clear()
        assert not raised, f"the {role}'s presses {data!r} raised {raised!r}"

    press()
