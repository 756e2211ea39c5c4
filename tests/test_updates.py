"""One person's updates in order; different people side by side."""

import asyncio

from telegram import Chat, Message, Update, User

from bot.updates import PerUserUpdateProcessor


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
