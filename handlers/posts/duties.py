"""A holder on duty (上岗履职): recording what they did (date, text, photo, hours, then a
review) and noting a resident's request against a post they hold."""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain import dates, hours
from domain import posts as rules
from domain.errors import Conflict, DomainError
from domain.i18n import N_, Translator
from domain.post_models import ClaimStatus, Post, Stage
from handlers.buttons import Button
from handlers.common import (
    amount_buttons,
    answer_and_drop,
    answer_query,
    my_today,
    tr,
    who,
)
from handlers.conversation import offer, offer_skip, on_press
from handlers.posts import buttons as press
from handlers.posts.board import my_board
from handlers.posts.steps import DRAFT, Step
from handlers.posts.views import (
    keyboard,
    offered,
    post_buttons,
    post_error,
    post_name,
    refuse_error,
)


async def _held_posts(update: Update, context: BotContext) -> tuple[int, list[Post]]:
    """The cycle's year and the posts this member holds, when duties may be recorded."""
    board = await my_board(update, context)
    if board.cycle.stage is not Stage.PERFORM:
        raise Conflict("post_wrong_stage", stage=str(board.cycle.stage))
    held = {
        c.post_id for c in board.mine if c.status in (ClaimStatus.APPROVED, ClaimStatus.LEAVING)
    }
    found = [v.post for v in board.posts if v.post.id in held]
    if not found:
        raise DomainError("post_not_holder")
    return board.cycle.year, found


async def _offer_held_posts(
    update: Update, context: BotContext, question: str, choice: type[Button], step: Step
) -> str | int:
    """Start a holder's flow: the posts they hold as `choice` buttons, remembered as the
    only acceptable answers."""
    t = await tr(update, context)
    try:
        year, held = await _held_posts(update, context)
    except DomainError as exc:
        await refuse_error(update, t, exc)
        return ConversationHandler.END
    await answer_query(update.callback_query)
    context.user_data[DRAFT] = {"offered": [p.id for p in held], "year": year}
    await update.effective_message.reply_text(
        t.gettext(question), reply_markup=keyboard(post_buttons(t, held, choice))
    )
    return step


async def _chosen_post(update: Update, context: BotContext, post_id: int) -> bool:
    """The pressed post is one offered: it goes into the draft and its buttons go."""
    draft = context.user_data.get(DRAFT) or {}
    if not await offered(update, await tr(update, context), post_id, draft.get("offered", [])):
        return False
    await answer_and_drop(update.callback_query)
    draft["post"] = post_id
    return True


# ------------------------------------------------------------------------- duty records


async def start_duty(update: Update, context: BotContext) -> str | int:
    return await _offer_held_posts(
        update, context, N_("Which post is this record for?"), press.DutyPost, Step.DUTY_POST
    )


async def duty_post(update: Update, context: BotContext) -> str:
    if not await _chosen_post(update, context, press.DutyPost.of(update).post_id):
        return Step.DUTY_POST
    t = await tr(update, context)
    rows = [
        [
            press.DutyDay(0).button(t.pgettext("button", "Today")),
            press.DutyDay(1).button(t.pgettext("button", "Yesterday")),
        ]
    ]
    await offer(
        update,
        context,
        t.gettext("When was it? Press a button or send a date like 2026-05-01 or 5月1日."),
        keyboard(rows),
    )
    return Step.DUTY_DATE


async def _ask_text(update: Update, t: Translator) -> str:
    await update.effective_message.reply_text(
        t.gettext("What did you do? Please describe it briefly.")
    )
    return Step.DUTY_TEXT


@on_press()
async def duty_day(update: Update, context: BotContext, query, t) -> str:
    await answer_and_drop(query)
    context.user_data[DRAFT]["date"] = (
        await my_today(update, context) - timedelta(days=press.DutyDay.of(update).days_ago)
    ).isoformat()
    return await _ask_text(update, t)


async def duty_date_typed(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    try:
        today = await my_today(update, context)
        done_on = dates.parse_date(update.effective_message.text, today, dates.Year.PAST)
        rules.check_duty_date(done_on, today, context.user_data[DRAFT]["year"])
    except DomainError as exc:
        await update.effective_message.reply_text(post_error(t, exc))
        return Step.DUTY_DATE
    context.user_data[DRAFT]["date"] = done_on.isoformat()
    return await _ask_text(update, t)


async def duty_text(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    context.user_data[DRAFT]["text"] = update.effective_message.text
    await offer_skip(
        update, context, t, t.gettext("Send a photo of it, or press Skip."), press.DutyNoPhoto()
    )
    return Step.DUTY_PHOTO


async def duty_photo(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    if update.callback_query:
        await answer_and_drop(update.callback_query)
    else:
        context.user_data[DRAFT]["photo"] = update.effective_message.photo[-1].file_id
    skip = press.DutyNoHours().button(t.pgettext("button", "Skip"))
    await offer(
        update,
        context,
        t.gettext(
            "How many hours did it take? Press one or type it: steps of half an hour, at "
            "most {max}, for example 1.5. Or press Skip.",
            max=hours.MAX_HALF_HOURS_PER_RECORD // 2,
        ),
        amount_buttons(t, press.DutyHours, [skip]),
    )
    return Step.DUTY_HOURS


async def duty_hours(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    query = update.callback_query
    try:
        if query is None:
            draft["minutes"] = hours.parse_hours(update.effective_message.text) * 30
        elif (pressed := press.DutyHours.parse(query.data)) is not None:
            draft["minutes"] = hours.common_amount(pressed.half_hours) * 30
        else:
            draft.pop("minutes", None)  # Skip
    except DomainError as exc:
        await update.effective_message.reply_text(post_error(t, exc))
        return Step.DUTY_HOURS
    if query is not None:
        await answer_and_drop(query)
    view = (await my_board(update, context)).view(draft["post"])
    lines = [
        t.gettext("Please check the record:"),
        t.gettext("Post: {post}", post=post_name(t, view.post) if view else "—"),
        t.gettext("Date: {date}", date=t.date(date.fromisoformat(draft["date"]))),
        t.gettext("Done: {text}", text=draft["text"]),
    ]
    if draft.get("photo"):
        lines.append(t.gettext("Photo: attached"))
    if draft.get("minutes"):
        lines.append(t.gettext("Hours: {hours}", hours=t.number(draft["minutes"] / 60)))
    rows = [[press.DutySave().button(t.pgettext("button", "✅ Save"))]]
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard(rows))
    return Step.DUTY_CONFIRM


@on_press()
async def duty_save(update: Update, context: BotContext, t) -> int:
    draft = context.user_data.pop(DRAFT, None) or {}
    await answer_and_drop(update.callback_query)
    try:
        await rules.record_duty(
            context.db,
            await who(update, context),
            draft["post"],
            done_on=date.fromisoformat(draft["date"]),
            text=draft["text"],
            photo_file_id=draft.get("photo"),
            minutes=draft.get("minutes"),
            today=await my_today(update, context),
        )
    except DomainError as exc:
        await update.effective_message.reply_text(post_error(t, exc))
        return ConversationHandler.END
    await update.effective_message.reply_text(t.gettext("Your duty record is saved. Thank you!"))
    return ConversationHandler.END


# ------------------------------------------------------------------------- residents' requests


async def start_request(update: Update, context: BotContext) -> str | int:
    return await _offer_held_posts(
        update,
        context,
        N_("Which post does the resident's request concern?"),
        press.RequestPost,
        Step.REQUEST_TEXT,
    )


async def request_post(update: Update, context: BotContext) -> str:
    if await _chosen_post(update, context, press.RequestPost.of(update).post_id):
        t = await tr(update, context)
        await update.effective_message.reply_text(t.gettext("What did the resident ask for?"))
    return Step.REQUEST_TEXT


async def request_text(update: Update, context: BotContext) -> int | str:
    t = await tr(update, context)
    draft = context.user_data.get(DRAFT) or {}
    if "post" not in draft:
        await update.effective_message.reply_text(t.gettext("Please choose the post above first."))
        return Step.REQUEST_TEXT
    try:
        await rules.note_request(
            context.db,
            await who(update, context),
            draft["post"],
            update.effective_message.text,
            await my_today(update, context),
        )
    except DomainError as exc:
        await update.effective_message.reply_text(post_error(t, exc))
        return Step.REQUEST_TEXT if exc.code.startswith("post_text") else ConversationHandler.END
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(t.gettext("The resident's request is noted."))
    return ConversationHandler.END
