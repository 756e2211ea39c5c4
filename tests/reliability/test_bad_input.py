"""Whatever people type into a free-text field: a clear answer, nothing stored, no crash."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import admin, hours, posts, units
from domain.errors import DomainError
from domain.models import Category, Role
from handlers import broadcast
from handlers import hours as hours_handlers
from handlers import units as units_handlers
from handlers.cadres.registration import Step as CadreStep
from handlers.events.creating import Step as NewEventStep
from tests import cadre_support
from tests.conftest import TOKEN, invite
from tests.reliability.live import EXAMPLES, LiveBot, running
from tests.reliability.test_callback_fuzz import watch_writes, writes
from tests.world import active_person

NASTY = [
    "'; DROP TABLE people; --",
    "<b>张三</b><script>alert(1)</script>",
    "&lt;&amp;&gt;",
    "{name} {0} %s %(x)s",
    "\u202e李明\u200b",
    "👨‍👩‍👧‍👦" * 50,
    "\x00\x01\x1b[31m",
    "李" * 5000,
    " ",
]

typed = st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=4096)).filter(
    lambda s: not s.startswith("/")
)


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveBot]:
    yield from running(TOKEN, tmp_path_factory.mktemp("bad-input"))


@pytest.fixture(scope="module")
def code(live: LiveBot) -> str:
    branch = live.run(admin.add_branch(live.db, "幸福社区党支部"))
    return live.run(invite(live.harness, branch.id, uses=100_000))


QUIET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def invited_visitor(live: LiveBot, code: str):
    """A new person who has opened the invitation: the bot asks for their name."""
    person = live.harness.person("访客")
    live.run(person.send(f"/start {code}"))
    return person


def test_any_name_is_answered_and_nothing_is_stored_before_submitting(live, code):
    @QUIET
    @given(text=typed)
    def example(text: str) -> None:
        person = invited_visitor(live, code)
        before = live.snapshot()
        replies = live.run(person.send(text))
        assert replies, f"no answer to {text!r}"
        assert all(reply.get("text") for reply in replies)
        assert live.snapshot() == before

    example()


def test_any_text_instead_of_a_phone_number_is_answered(live, code):
    @QUIET
    @given(text=typed)
    def example(text: str) -> None:
        person = invited_visitor(live, code)
        live.run(person.send("王小明"))
        before = live.snapshot()
        replies = live.run(person.send(text))
        assert replies and "手机" in replies[-1]["text"], f"{text!r}: {replies}"
        assert live.snapshot() == before

    example()


# Fields deeper in a conversation cost a walk per example: a quarter of the examples in the
# quick suite, RELIABILITY_EXAMPLES in the long run.
DEEP = settings(QUIET, max_examples=max(EXAMPLES // 4, 25))


@pytest.fixture(scope="module")
def second_branch(live: LiveBot):
    branch = live.run(admin.add_branch(live.db, "第二社区党支部"))
    live.run(admin.add_secretary(live.db, branch.id, live.server.new_user("书记")["id"]))
    return branch


@pytest.fixture(scope="module")
def members(live: LiveBot, second_branch):
    """Makes a new active member (a fresh chat) of a branch with a secretary."""
    branch = second_branch

    async def insert(telegram_id: int, category: Category) -> None:
        async with live.db.transaction() as conn:
            role = Role.CADRE if category is Category.CADRE else Role.MEMBER
            await active_person(conn, branch.id, telegram_id, "李明", category=category, role=role)

    def make(category: Category = Category.RESIDENT):
        person = live.harness.person("党员")
        live.run(insert(person.id, category))
        return person

    return make


TO_HOURS_DESCRIPTION = [
    ("send", "/hours"),
    ("press", "➕ 登记时长"),
    ("press", "党课"),
    ("press", "今天"),
    ("send", "1"),
]


def test_any_hours_description_is_refused_or_stored_as_cleaned(live, members):
    @DEEP
    @given(text=typed)
    def example(text: str) -> None:
        person = members()
        for action, value in TO_HOURS_DESCRIPTION:
            live.run(getattr(person, action)(value))
        before = live.snapshot()
        replies = live.run(person.send(text))
        assert replies and all(reply.get("text") for reply in replies), text
        assert live.snapshot() == before
        try:
            expected = hours.description(text)
        except DomainError:
            assert "跳过" not in person.buttons(), f"{text!r} was taken"
            return
        live.run(person.press("跳过"))
        live.run(person.press("✅ 提交"))
        stored = live.run(
            live.db.fetchval(
                "SELECT description FROM hour_records h JOIN people p ON p.id = h.person_id"
                " WHERE p.telegram_id = ?",
                (person.id,),
            )
        )
        assert stored == expected

    example()


MOBILE_FIELDS = ("destination", "address", "employer", "org", "org_contact", "org_phone")


def test_any_outflow_field_is_answered_and_nothing_is_stored_before_submitting(live, members):
    @DEEP
    @given(field=st.sampled_from(MOBILE_FIELDS), text=typed)
    def example(field: str, text: str) -> None:
        person = members()
        live.run(person.send("/mobile"))
        live.run(person.press("🚶 外出登记"))
        fillers = {
            "destination": "浙江省杭州市",
            "address": "西湖区文三路1号",
            "employer": "杭州某科技公司",
            "org": "西湖区文新街道党工委",
            "org_contact": "王书记",
        }
        for earlier in MOBILE_FIELDS[: MOBILE_FIELDS.index(field)]:
            live.run(person.send(fillers[earlier]))
        before = live.snapshot()
        replies = live.run(person.send(text))
        assert replies and all(reply.get("text") for reply in replies), (field, text)
        assert live.snapshot() == before
        live.run(person.send("/cancel"))
        assert live.snapshot() == before

    example()


def test_any_event_title_or_cadre_name_is_answered_and_nothing_is_stored(
    live, members, second_branch
):
    secretary = live.harness.person("书记")
    live.run(admin.add_secretary(live.db, second_branch.id, secretary.id))
    cadre = members(Category.CADRE)
    entries = {"event title": (secretary, "/newevent"), "cadre name": (cadre, "/cadre_register")}

    @DEEP
    @given(field=st.sampled_from(sorted(entries)), text=typed)
    def example(field: str, text: str) -> None:
        person, command = entries[field]
        live.run(person.send(command))
        before = live.snapshot()
        replies = live.run(person.send(text))
        assert replies and all(reply.get("text") for reply in replies), (field, text)
        live.run(person.send("/cancel"))
        assert live.snapshot() == before

    example()


def test_any_duty_record_text_is_answered_and_nothing_is_stored_before_saving(
    live, members, second_branch
):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    holder = members()

    async def hold_a_post() -> None:
        await posts.cycle_of(live.db, second_branch.id, today)
        async with live.db.transaction() as conn:
            await conn.execute(
                "UPDATE post_cycles SET stage = 'perform' WHERE branch_id = ?", (second_branch.id,)
            )
            await conn.execute(
                "INSERT INTO post_claims (post_id, person_id, year, status, created_at)"
                " SELECT MIN(p.id), h.id, ?, 'approved', '2026-01-01T00:00:00Z'"
                " FROM posts p, people h WHERE p.branch_id = ? AND h.telegram_id = ?",
                (today.year, second_branch.id, holder.id),
            )

    live.run(hold_a_post())

    @DEEP
    @given(text=typed)
    def example(text: str) -> None:
        live.run(holder.send("/posts"))
        live.run(holder.press("📒 记录履职"))
        live.run(holder.press(holder.buttons()[0]))  # the one post held
        live.run(holder.press("今天"))
        before = live.snapshot()
        replies = live.run(holder.send(text))
        assert replies and all(reply.get("text") for reply in replies), text
        live.run(holder.send("/cancel"))
        assert live.snapshot() == before

    example()


# Fields where a refusal keeps the person at the question: the next example types there
# again, and only an accepted text costs a walk back. So most get RELIABILITY_EXAMPLES.


async def conversation_state(live: LiveBot, person) -> set[str]:
    found = await live.db.fetchall(
        "SELECT state FROM ptb_conversations WHERE key = ?", (json.dumps([person.id, person.id]),)
    )
    return {json.loads(r["state"]) for r in found}


@dataclass(frozen=True)
class Field:
    person: object
    state: str  # the conversation state that reads the field
    walk: Callable[[], Awaitable[object]]


@pytest.fixture(scope="module")
def watched(live: LiveBot) -> LiveBot:
    live.run(watch_writes(live.db))
    live.run(writes(live.db))
    return live


@pytest.fixture(scope="module")
def fields(watched: LiveBot, members, second_branch) -> dict[str, Field]:
    live = watched
    db = live.db
    branch = second_branch.id
    secretary = live.harness.person("书记")
    live.run(admin.add_secretary(db, branch, secretary.id))
    unit = live.run(units.add_unit(db, None, "县教育局机关党委"))
    cadre = members(Category.CADRE)
    registered_cadre = live.run(cadre_support.member(db, branch, "王科长"))
    live.run(cadre_support.registered(db, registered_cadre, secretary.id, unit.id))
    hours_of = live.run(
        db.fetchval("SELECT id FROM people WHERE telegram_id = ?", (registered_cadre,))
    )

    async def steps(person, *actions: tuple[str, str]) -> None:
        for action, value in actions:
            if action == "press_data":  # a button by its data, on the newest message
                await person.press_data(person.last["message_id"], value)
            else:
                await getattr(person, action)(value)

    to_position = (("send", "/cadre_register"), ("send", "李明"), ("press", unit.name))
    to_address = (*to_position, ("send", "科员"), ("press", "正科级"))

    async def to_reject_reason() -> None:
        await cadre_support.hours(db, hours_of, branch, date.today(), 2, verified=False)
        record = await db.fetchval("SELECT MAX(id) FROM hour_records")
        await secretary.press_data(secretary.last["message_id"], f"hours:reject:{record}")

    to_place = (
        ("send", "/newevent"),
        ("send", "主题党日"),
        ("press_data", "ev:kind:lesson"),
        ("send", f"{date.today() + timedelta(days=30)} 14:00-16:00"),
    )
    return {
        "event place": Field(secretary, NewEventStep.PLACE, lambda: steps(secretary, *to_place)),
        "cadre position": Field(cadre, CadreStep.POSITION, lambda: steps(cadre, *to_position)),
        "cadre address": Field(cadre, CadreStep.ADDRESS, lambda: steps(cadre, *to_address)),
        "cadre phone": Field(
            cadre, CadreStep.PHONE, lambda: steps(cadre, *to_address, ("send", "幸福路1号"))
        ),
        "broadcast text": Field(
            secretary, broadcast.WRITING, lambda: steps(secretary, ("send", "/broadcast"))
        ),
        "remark": Field(
            secretary,
            units_handlers.RemarkStep.TEXT,
            lambda: steps(secretary, ("send", "/remark"), ("press", "王科长")),
        ),
        "hours reject reason": Field(secretary, hours_handlers.State.REASON, to_reject_reason),
    }


# Most texts are accepted there, and the walk back is four steps: a quarter in the quick
# suite, as for the fields above.
LONG_WALKS = {"event place", "hours reject reason"}


@pytest.mark.parametrize(
    "name",
    [
        "event place",
        "cadre position",
        "cadre address",
        "cadre phone",
        "broadcast text",
        "remark",
        "hours reject reason",
    ],
)
def test_any_text_in_a_field_is_answered_and_only_an_accepted_one_is_kept(watched, fields, name):
    live, field = watched, fields[name]
    parked = False

    @(DEEP if name in LONG_WALKS else QUIET)
    @given(text=typed)
    def example(text: str) -> None:
        nonlocal parked
        if not parked:
            live.run(field.person.send("/cancel"))
            live.run(field.walk())
            assert field.state in live.run(conversation_state(live, field.person)), name
            live.run(writes(live.db))  # the walk's own (a record to reject)
        replies = live.run(field.person.send(text))
        assert replies and all(reply.get("text") for reply in replies), (name, text)
        parked = field.state in live.run(conversation_state(live, field.person))
        written = live.run(writes(live.db))
        if parked:
            assert not written, f"{name}: {text!r} was refused but wrote {written}"
        assert not live.harness.errors, (name, text, live.harness.errors)

    example()
