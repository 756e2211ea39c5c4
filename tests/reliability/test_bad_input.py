"""Whatever people type into a free-text field: a clear answer, nothing stored, no crash."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import admin
from tests.conftest import TOKEN, invite
from tests.reliability.live import EXAMPLES, LiveBot

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
    bot = LiveBot(TOKEN, tmp_path_factory.mktemp("bad-input"))
    try:
        yield bot
    finally:
        bot.close()
    assert not bot.harness.errors, f"handlers raised: {bot.harness.errors!r}"


@pytest.fixture(scope="module")
def code(live: LiveBot) -> str:
    branch = live.run(admin.add_branch(live.db, "幸福社区党支部"))
    return live.run(invite(live.harness, branch.id, uses=100_000))


QUIET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_any_name_is_answered_and_nothing_is_stored_before_submitting(live, code):
    @QUIET
    @given(text=typed)
    def example(text: str) -> None:
        person = live.harness.person("访客")
        live.run(person.send(f"/start {code}"))
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
        person = live.harness.person("访客")
        live.run(person.send(f"/start {code}"))
        live.run(person.send("王小明"))
        before = live.snapshot()
        replies = live.run(person.send(text))
        assert replies and "手机" in replies[-1]["text"], f"{text!r}: {replies}"
        assert live.snapshot() == before

    example()
