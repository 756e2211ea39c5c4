"""Wrong invitation and certificate codes are limited per account, like check-in codes."""

from __future__ import annotations

from datetime import timedelta

from bot import jobs
from storage.db import utcnow
from tests.conftest import invite


class Clock:
    def __init__(self) -> None:
        self.moment = utcnow()

    def __call__(self):
        return self.moment

    def later(self, minutes: float) -> None:
        self.moment += timedelta(minutes=minutes)


def clock_of(bot) -> Clock:
    clock = Clock()
    bot.app.bot_data["clock"] = clock
    return clock


async def failures(bot) -> int:
    return await bot.db.fetchval("SELECT COUNT(*) FROM code_failures")


async def test_wrong_invitation_codes_are_limited_per_account(bot, branch):
    clock = clock_of(bot)
    code = await invite(bot, branch.id, uses=2)
    guesser, other = bot.person("猜"), bot.person("李")
    for n in range(5):
        await guesser.send(f"/start WRONGCODE{n}", expecting="邀请码无效")
        clock.later(1)
    # The sixth code, even the right one, is refused without being looked at.
    await guesser.send(f"/start {code}", expecting="错误的代码太多。请等待 5 分钟后再试。")
    assert await failures(bot) == 5
    await other.send(f"/start {code}")  # someone else is not held back
    assert "请问您的姓名" in other.last_text

    clock.later(5)
    await guesser.send(f"/start {code}", expecting="请问您的姓名")
    await jobs.JOBS["checkin-codes"].run(
        bot.db, None, clock() + timedelta(minutes=10), bot.settings.tz
    )
    assert await failures(bot) == 0


async def test_wrong_certificate_codes_are_limited_per_account(bot):
    clock = clock_of(bot)
    guesser, other = bot.person("猜"), bot.person("路人")
    for n in range(5):
        await guesser.send(f"/verify NOSUCH{n}", expecting="没有与此验证码对应的活动证")
    await guesser.send("/start verify-NOSUCH9")  # the QR code's way in counts the same
    assert "错误的代码太多。请等待 10 分钟后再试。" in guesser.last_text
    await other.send("/verify NOSUCH9", expecting="没有与此验证码对应的活动证")
    clock.later(10)
    await guesser.send("/verify NOSUCH9", expecting="没有与此验证码对应的活动证")
