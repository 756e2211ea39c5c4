"""Paid broadcasts (BROADCAST_PAID): a large broadcast goes with Telegram's
allow_paid_broadcast, and the secretary sees its cost and time before confirming."""

from __future__ import annotations

import pytest

from domain import broadcasts
from tests.cadre_support import member

TEXT = "明晚七点社区议事会，请准时参加。"


async def broadcast_to_all(bot, branch, server) -> tuple[str, list[dict]]:
    members = [bot.person(f"党员{i}") for i in range(4)]
    for i, someone in enumerate(members):
        await member(bot.db, branch.id, f"党员{i}", cadre=False, telegram_id=someone.id)
    secretary = branch.secretary
    await secretary.types("/broadcast", TEXT)
    await secretary.press("全体党员")
    question = secretary.last["text"]
    await secretary.press("📣 发送")
    await bot.drain_outbox()
    assert all(m.last["text"] == TEXT for m in members)
    sent = [p for method, p in server.calls if method == "sendMessage" and p.get("text") == TEXT]
    preview, *delivered = sent  # the secretary's preview is a reply: never paid
    assert preview["chat_id"] == secretary.id and "allow_paid_broadcast" not in preview
    return question, delivered


async def test_a_large_broadcast_is_paid_when_allowed_and_the_secretary_sees_cost_and_time(
    bot, branch, server, monkeypatch
):
    # "Large" scaled down: more than a tenth of a second at the free 30/s, i.e. over 3.
    monkeypatch.setattr(broadcasts, "PAID_ABOVE_SECONDS", 0.1)
    bot.overrides["broadcast_paid"] = True
    await bot.restart()
    question, sent = await broadcast_to_all(bot, branch, server)
    assert question == (
        "本次为付费群发：约从机器人余额中扣除 0.4 个 Telegram 星星，约 1 秒 送达"
        "（免费发送约需 1 秒）。\n\n将发送给 4 人。确认发送吗？"
    )
    assert len(sent) == 4 and all(p.get("allow_paid_broadcast") is True for p in sent)
    assert server.paid_messages == 4


@pytest.mark.parametrize("allowed", [False, True])
async def test_otherwise_a_broadcast_is_free_and_says_nothing_of_stars(
    bot, branch, server, monkeypatch, allowed
):
    if allowed:  # allowed, but the broadcast is small
        bot.overrides["broadcast_paid"] = True
        await bot.restart()
    else:  # off by default, however large
        monkeypatch.setattr(broadcasts, "PAID_ABOVE_SECONDS", 0.1)
    question, sent = await broadcast_to_all(bot, branch, server)
    assert question == "将发送给 4 人。确认发送吗？"
    assert len(sent) == 4 and not any(p.get("allow_paid_broadcast") for p in sent)


def test_the_estimate_counts_a_tenth_of_a_star_a_message_and_both_paces():
    assert broadcasts.paid_pace(1800, (30, 1000)) is None  # a minute at the free limit
    pace = broadcasts.paid_pace(50_000, (30, 1000))
    assert pace == broadcasts.PaidPace(stars=5000, seconds=50, free_seconds=1667)
    assert broadcasts.paid_pace(50_000, None) is None
