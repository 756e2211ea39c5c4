"""What never reaches a feature: commands and buttons in a group chat (unless the registry
lists them as fit for groups), and edited messages."""

from __future__ import annotations

from tests.conftest import invite, onboard

BOT_CHAT = "https://t.me/partybot_test"


async def member_and_group(bot, branch):
    code = await invite(bot, branch.id)
    li = bot.person("李")
    await onboard(li, code, "李明", "13800138000", "居民党员")
    await branch.secretary.press("✅ 通过")
    return li, bot.server.new_group("幸福社区居民群")


def group_messages(bot, group):
    return bot.server.chat_messages(group["id"])


async def test_personal_commands_in_a_group_point_to_the_private_chat(bot, branch):
    li, group = await member_and_group(bot, branch)
    private_before = len(li.messages)
    await li.send("/mydata", chat=group)
    [answer] = group_messages(bot, group)
    assert "私聊" in answer["text"] and "document" not in answer
    [[button]] = answer["reply_markup"]["inline_keyboard"]
    assert button["url"] == BOT_CHAT
    assert len(li.messages) == private_before  # nothing went to the private chat either

    await branch.secretary.send("/export@partybot_test", chat=group)
    await branch.secretary.send("/audit", chat=group)
    texts = [m.get("text", "") for m in group_messages(bot, group)]
    assert len(texts) == 3 and all("私聊" in text for text in texts)
    assert not any("13800138000" in text or "李明" in text for text in texts)

    # Another bot's command, talk in the group, an unknown command: not answered.
    await li.send("/mydata@some_other_bot", chat=group)
    await li.send("大家好", chat=group)
    await li.send("/whatever", chat=group)
    assert len(group_messages(bot, group)) == 3


async def test_a_button_pressed_in_a_group_is_answered_to_the_presser_only(bot, branch):
    _, group = await member_and_group(bot, branch)
    secretary = branch.secretary
    await secretary.send("/export", chat=group)
    [pointer] = group_messages(bot, group)
    await secretary.press_data(pointer["message_id"], "export:members", chat=group)
    assert "私聊" in secretary.answer
    assert len(group_messages(bot, group)) == 1
    assert not any("document" in m for m in secretary.messages)


async def test_the_group_commands_still_work_in_a_group(bot, branch):
    _, group = await member_and_group(bot, branch)
    await branch.secretary.send("/linkgroup", chat=group)
    assert "群聊" in group_messages(bot, group)[-1]["text"]
    assert await bot.db.fetchval("SELECT COUNT(*) FROM chat_links") == 1


async def test_an_edited_name_is_not_taken_as_the_answer(bot, branch):
    code = await invite(bot, branch.id)
    li = bot.person("李")
    await li.send(f"/start {code}")
    typed = bot.server.push_text(li.user, "李明")
    await bot.processed(typed)
    assert "手机" in li.last_text  # now at the phone step
    replies = await li.edit(typed["message"]["message_id"], "李小明")
    assert len(replies) == 1 and "编辑" in replies[0]["text"]
    await li.share_contact("13800138000")
    await li.press("居民党员")
    assert "李明" in li.last_text and "李小明" not in li.last_text


async def test_an_edit_in_a_group_is_not_answered(bot, branch):
    li, group = await member_and_group(bot, branch)
    said = bot.server.push_text(li.user, "/mydata", chat=group)
    await bot.processed(said)
    await bot.processed(
        bot.server.push_edited_text(li.user, said["message"]["message_id"], "x", chat=group)
    )
    assert len(group_messages(bot, group)) == 1
