"""One person's updates in order; different people side by side."""

import asyncio

import pytest
from telegram import Chat, Message, Update, User

from bot.updates import PerUserUpdateProcessor
from tests.conftest import invite


def update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "u", False)
    message = Message(update_id, None, Chat(user_id, "private"), from_user=user, text="x")
    return Update(update_id, message=message)


async def test_updates_of_one_person_run_in_order_and_people_run_concurrently():
    processor = PerUserUpdateProcessor(max_concurrent_updates=64)
    log: list[tuple[int, int, str]] = []
    running = 0
    peak = 0

    async def handle(u: Update, delay: float) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        log.append((u.effective_user.id, u.update_id, "start"))
        await asyncio.sleep(delay)
        log.append((u.effective_user.id, u.update_id, "end"))
        running -= 1

    updates = [update(i, 1 + i % 3) for i in range(30)]
    # Early updates are slower, so without ordering later ones would overtake them.
    await asyncio.gather(
        *(processor.process_update(u, handle(u, 0.03 - i * 0.001)) for i, u in enumerate(updates))
    )
    for user_id in (1, 2, 3):
        events = [(uid, event) for u, uid, event in log if u == user_id]
        starts = [uid for uid, event in events if event == "start"]
        assert starts == sorted(starts)
        # never two of one person's updates at once: start/end strictly alternate
        assert [event for _, event in events] == ["start", "end"] * (len(events) // 2)
    assert peak == 3
    assert processor._locks == {}


@pytest.mark.sqlite_only("counts statements with sqlite3's trace callback")
async def test_only_what_an_update_changed_is_written_with_its_handled_mark(bot, branch):
    statements: list[str] = []
    await bot.db.writer.set_trace_callback(statements.append)

    def writes() -> list[str]:
        found = [s.split(" (")[0].split(" SET")[0] for s in statements if not s.startswith("SEL")]
        statements.clear()
        return found

    member = bot.person("成员")
    await member.send("/help")  # the first also records the person's Telegram language
    writes()
    await member.send("/help")
    # a statement on its own each: the update stored, then marked handled
    assert writes() == ["INSERT INTO ptb_inbox", "UPDATE ptb_inbox"]

    applicant = bot.person("申请人")
    await applicant.send(f"/start {await invite(bot, branch.id)}")
    writes()
    await applicant.send("钱八")  # a new step and a new draft: one transaction with the mark
    found = writes()
    assert found[:2] == ["INSERT INTO ptb_inbox", "BEGIN IMMEDIATE"]
    # python-telegram-bot hands state and draft over in no fixed order
    assert sorted(found[2:4]) == ["INSERT INTO ptb_conversations", "INSERT INTO ptb_user_data"]
    assert found[4:] == ["UPDATE ptb_inbox", "COMMIT"]
