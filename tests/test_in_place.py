"""A press that ends a step edits its message in place (answer + edit), and a keyboard a
typed message supersedes goes, whether the step asked with `offer` or only with buttons
(handlers/in_place.py, handlers/conversation.py)."""

from __future__ import annotations

import pytest

from tests.flows import approved_member


@pytest.fixture
async def member(bot, branch):
    return await approved_member(bot, branch, "李", "李明", "13800138000")


def current(person, message):
    """The message as it is now on the person's screen (after edits)."""
    return next(m for m in person.messages if m["message_id"] == message["message_id"])


def calls_since(bot, before: int) -> list[str]:
    return [method for method, _ in bot.server.calls[before:] if method != "getUpdates"]


async def test_a_press_that_ends_a_step_asks_the_next_question_in_its_place(bot, member):
    await member.send("/hours")
    await member.press("➕ 登记时长")
    asked = member.last
    before = len(bot.server.calls)
    new = await member.press("党课")
    assert new == []  # no new message: the question became the next one
    assert calls_since(bot, before) == ["answerCallbackQuery", "editMessageText"]
    shown = current(member, asked)
    assert "党课" in shown["text"] and "哪一天" in shown["text"]
    assert member.buttons(shown) == ["今天", "昨天", "📅 其他日期"]
    await member.press("今天", shown)
    assert "多少小时" in current(member, asked)["text"]
    assert "1.5 小时" in member.buttons(current(member, asked))


async def test_a_press_whose_step_sends_no_text_loses_its_buttons(bot, member):
    await member.send("/hours")
    await member.press("➕ 登记时长")
    asked = member.last
    replies = await member.press("岗位履职")  # refused here: recorded through /posts
    assert replies and member.buttons(current(member, asked))  # still the open question


@pytest.mark.parametrize("typed", ["/cancel", "随便说点什么"])
async def test_a_typed_message_removes_a_buttons_only_steps_keyboard_when_it_moves_on(
    bot, member, typed
):
    await member.send("/hours")
    await member.press("➕ 登记时长")
    asked = member.last  # what kind of activity: buttons only, no `offer`
    await member.send(typed)
    if typed == "/cancel":
        assert "已取消" in member.last_text
        assert member.buttons(current(member, asked)) == []
    else:  # refused: the question stays open, and so do its buttons
        assert member.buttons(current(member, asked)) != []


async def test_a_keyboard_a_typed_answer_took_away_is_not_taken_away_again(bot, member):
    await member.send("/hours")
    await member.press("➕ 登记时长")
    await member.press("党课")
    await member.press("今天")
    amounts = member.last  # how many hours: preset buttons, or typed
    before = len(bot.server.calls)
    await member.send("2")
    assert member.buttons(current(member, amounts)) == []
    assert calls_since(bot, before) == ["sendMessage", "editMessageReplyMarkup"]
    # The description asks with no buttons; typing it shows the photo question, and the
    # amounts' keyboard, gone already, is not asked to go once more.
    before = len(bot.server.calls)
    await member.send("学习党章")
    assert calls_since(bot, before) == ["sendMessage"]
    assert member.buttons(member.last) == ["跳过"]
