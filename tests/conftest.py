from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from domain import admin, onboarding
from domain.models import InviteRole
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.fakes.harness import BotHarness, Person

# The PostgreSQL harness and --engine (tests/postgres.py).
pytest_plugins = ["tests.postgres"]

TOKEN = "123456789:AAHfakeTokenForTests_0123456789abcdef"


@pytest.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI(token=TOKEN)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def bot(server: FakeBotAPI, tmp_path) -> AsyncIterator[BotHarness]:
    harness = BotHarness(server, tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
    # A handler's exception only reaches the log; this makes it fail the test.
    assert not harness.errors, f"handlers raised: {harness.errors!r}"


@dataclass
class Branch:
    id: int
    name: str
    secretary: Person


async def branch_with_secretary(
    bot: BotHarness, name: str, secretary_name: str, district: str | None = None
) -> Branch:
    """A new branch and its secretary, a person of the fake Telegram (Chinese client)."""
    created = await admin.add_branch(bot.db, name, district)
    secretary = bot.person(secretary_name)
    await admin.add_secretary(bot.db, created.id, secretary.id)
    return Branch(created.id, created.name, secretary)


@pytest.fixture
async def branch(bot: BotHarness) -> Branch:
    """A branch with a secretary who has started the bot (Chinese client)."""
    return await branch_with_secretary(bot, "幸福社区党支部", "王书记", "城关区")


async def invite(bot: BotHarness, branch_id: int, **kwargs) -> str:
    kwargs.setdefault("role", InviteRole.MEMBER)
    return (await onboarding.create_invite(bot.db, branch_id=branch_id, **kwargs)).code


async def onboard(
    person: Person, code: str, name: str, phone: str, category: str | None, submit: str = "✅ 提交"
) -> None:
    """Walk a person through /start to a submitted application (Chinese buttons unless the
    category and submit labels say otherwise)."""
    await person.types(f"/start {code}", name)
    await person.share_contact(phone)
    if category is not None:
        await person.press(category)
    await person.press(submit)
