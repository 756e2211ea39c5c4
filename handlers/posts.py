"""/posts for members: the board, claiming and withdrawing, the survey, duty records and
residents' requests. The secretary's side is in `handlers/posts_admin.py`."""

from __future__ import annotations

import re
from datetime import date, timedelta

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from domain import dates, hours
from domain import posts as rules
from domain.errors import Conflict, DomainError, NotFound
from domain.i18n import N_, Translator
from domain.models import Role
from domain.post_models import Action, Availability, ClaimStatus, Post, Stage, allows
from handlers import posts_admin
from handlers.branch_choice import branch_or_ask, choice_handler
from handlers.common import (
    amount_buttons,
    answer_query,
    branch_today,
    drop_buttons,
    my_today,
    parse_callback,
    tr,
    who,
)
from handlers.conversation import answer_stale, offer
from handlers.post_views import (
    AVAILABILITY_NAMES,
    board_text,
    button,
    keyboard,
    matched,
    my_lines,
    post_buttons,
    post_duties,
    post_error,
    post_name,
    refuse,
)

SURVEY_POSTS, SURVEY_TIME, SURVEY_SKILLS = (
    "posts.survey.posts",
    "posts.survey.time",
    "posts.survey.skills",
)
DUTY_POST, DUTY_DATE, DUTY_TEXT = "posts.duty.post", "posts.duty.date", "posts.duty.text"
DUTY_PHOTO, DUTY_HOURS, DUTY_CONFIRM = "posts.duty.photo", "posts.duty.hours", "posts.duty.confirm"
REQUEST_TEXT = "posts.request.text"
DRAFT = "posts"

_ID = r"(\d{1,12})"
_VIEW = re.compile(rf"posts:view:{_ID}")
_CLAIM = re.compile(rf"posts:(claim|wait):{_ID}")
_WITHDRAW = re.compile(rf"posts:withdraw:{_ID}")
_TOGGLE = re.compile(rf"posts:sv:t:{_ID}")
_TIME = re.compile(r"posts:sv:av:(evenings|weekends|both)")
_DUTY_POST = re.compile(rf"posts:dp:{_ID}")
_DUTY_DAY = re.compile(r"posts:dd:(0|1)")
_DUTY_HOURS = re.compile(r"posts:dh:(\d{1,2})")
_REQUEST_POST = re.compile(rf"posts:rq:{_ID}")


async def _fail(update: Update, t: Translator, exc: DomainError) -> None:
    await refuse(update, t, post_error(t, exc))


async def _board(update: Update, context: BotContext, t: Translator) -> rules.Board | None:
    """The sender's branch board, or None after telling them why there is none."""
    try:
        return await rules.member_board(
            context.db, await who(update, context), await my_today(update, context)
        )
    except DomainError as exc:
        await _fail(update, t, exc)
        return None


# ------------------------------------------------------------------------- the board


def member_keyboard(t: Translator, board: rules.Board, secretary: bool, *, member: bool = True):
    """A member's buttons, then a secretary's; a secretary the roster lacks has only theirs."""
    stage = board.cycle.stage
    rows = [
        [button(t.pgettext("button", "📝 Answer the survey"), "posts:survey")]
        if stage is Stage.SURVEY
        else [],
        [button(t.pgettext("button", "🙋 Claim a post"), "posts:list")]
        if stage is Stage.APPLY
        else [],
        [
            button(t.pgettext("button", "📒 Record duty"), "posts:duty"),
            button(t.pgettext("button", "🗣 Resident's request"), "posts:req"),
        ]
        if stage is Stage.PERFORM
        else [],
        [
            button(t.pgettext("button", "📋 Posts and duties"), "posts:duties"),
            button(t.pgettext("button", "👤 My posts"), "posts:mine"),
        ],
    ]
    if not member:
        rows = []
    if secretary:
        rows += posts_admin.secretary_rows(t, stage)
    return keyboard(rows)


async def show_board(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    me = await who(update, context)
    context.user_data.pop(DRAFT, None)
    try:
        managed = await branch_or_ask(update, context, me, "posts") if me.is_secretary else None
        if me.is_secretary and managed is None:
            return ConversationHandler.END  # asked which branch; the press shows its board
        if managed is None or (me.member and managed == me.person.branch_id):
            board = await rules.member_board(context.db, me, await my_today(update, context))
        else:
            board = await rules.secretary_board(
                context.db, me, managed, await branch_today(context, managed)
            )
    except DomainError as exc:
        await _fail(update, t, exc)
        return ConversationHandler.END
    text = board_text(t, board)
    member = me.member and board.cycle.branch_id == me.person.branch_id
    if member:
        text += "\n\n" + "\n".join(my_lines(t, board))
    secretary = me.has(Role.SECRETARY, board.cycle.branch_id)
    await update.effective_message.reply_text(
        text, reply_markup=member_keyboard(t, board, secretary, member=member)
    )
    return ConversationHandler.END


async def show_duties(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    board = await _board(update, context, t)
    if board is None:
        return
    await answer_query(update.callback_query)
    parts = [f"【{post_name(t, v.post)}】{post_duties(t, v.post)}" for v in board.posts]
    await update.effective_message.reply_text("\n\n".join(parts))


async def list_to_claim(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    board = await _board(update, context, t)
    if board is None:
        return
    await answer_query(update.callback_query)
    await update.effective_message.reply_text(
        t.gettext("Which post? You will see its duties before you claim it."),
        reply_markup=keyboard(post_buttons(t, [v.post for v in board.posts], "posts:view")),
    )


async def view_post(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = await matched(update, t, _VIEW)
    if match is None:
        return
    board = await _board(update, context, t)
    if board is None:
        return
    view = board.view(int(match.group(1)))
    if view is None:
        await _fail(update, t, NotFound("post_unknown"))
        return
    await answer_query(query)
    full = view.taken >= view.post.capacity
    lines = [
        f"【{post_name(t, view.post)}】",
        post_duties(t, view.post),
        t.gettext(
            "Places: {taken} of {capacity} taken", taken=view.taken, capacity=view.post.capacity
        ),
    ]
    rows = [[claim_button(t, view.post.id, full=full)]] if board.cycle.stage is Stage.APPLY else []
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard(rows))


def claim_button(t: Translator, post_id: int, *, full: bool):
    """A full post offers its waiting list instead of a place."""
    if full:
        return button(t.pgettext("button", "⏳ Join the waiting list"), f"posts:wait:{post_id}")
    return button(t.pgettext("button", "🙋 Claim this post"), f"posts:claim:{post_id}")


async def claim(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = await matched(update, t, _CLAIM)
    if match is None:
        return
    waiting, post_id = match.group(1) == "wait", int(match.group(2))
    action = rules.join_waiting_list if waiting else rules.claim
    try:
        result = await action(
            context.db, await who(update, context), post_id, await my_today(update, context)
        )
    except DomainError as exc:
        if exc.code == "post_full":
            await answer_query(query)
            await drop_buttons(query)
            await update.effective_message.reply_text(
                t.gettext(
                    "Sorry, the last place has just been taken. You can join the waiting list: you get the next free place."
                ),
                reply_markup=keyboard([[claim_button(t, post_id, full=True)]]),
            )
            return
        await _fail(update, t, exc)
        return
    await answer_query(query)
    await drop_buttons(query)
    name = post_name(t, result.post)
    if waiting:
        await update.effective_message.reply_text(
            t.gettext(
                "You are on the waiting list of {post}. I will tell you when a place frees up.",
                post=name,
            )
        )
        return
    await update.effective_message.reply_text(
        t.gettext("You claimed {post}. The secretary will confirm it.", post=name)
    )


async def my_posts(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        board = await rules.member_board(context.db, me, await my_today(update, context))
        results = await rules.my_results(context.db, me, await my_today(update, context))
    except DomainError as exc:
        await _fail(update, t, exc)
        return
    await answer_query(update.callback_query)
    lines = my_lines(t, board)
    lines += posts_admin.result_lines(t, results)
    by_id = {v.post.id: v.post for v in board.posts}
    rows = [
        [
            button(
                t.pgettext("button", "↩️ Withdraw: {post}").format(
                    post=post_name(t, by_id[c.post_id])
                ),
                f"posts:withdraw:{c.id}",
            )
        ]
        for c in board.mine
        if c.post_id in by_id
        and (
            c.status is ClaimStatus.WAITING
            or (c.status is not ClaimStatus.LEAVING and allows(board.cycle.stage, Action.WITHDRAW))
        )
    ]
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard(rows))


async def withdraw(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = await matched(update, t, _WITHDRAW)
    if match is None:
        return
    try:
        result = await rules.withdraw(
            context.db,
            await who(update, context),
            int(match.group(1)),
            await my_today(update, context),
        )
    except DomainError as exc:
        await _fail(update, t, exc)
        return
    await answer_query(query)
    await drop_buttons(query)
    name = post_name(t, result.post)
    if result.claim.status is ClaimStatus.WITHDRAWN:
        await update.effective_message.reply_text(t.gettext("Withdrawn from {post}.", post=name))
    else:
        await update.effective_message.reply_text(
            t.gettext(
                "You asked to withdraw from {post}. The secretary has to agree; until then you still hold it.",
                post=name,
            )
        )


# ------------------------------------------------------------------------- the survey


async def start_survey(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        board = await rules.member_board(context.db, me, await my_today(update, context))
        if board.cycle.stage is not Stage.SURVEY:
            raise Conflict("post_wrong_stage", stage=str(board.cycle.stage))
    except DomainError as exc:
        await _fail(update, t, exc)
        return ConversationHandler.END
    await answer_query(update.callback_query)
    context.user_data[DRAFT] = {"chosen": [], "offered": [v.post.id for v in board.posts]}
    await update.effective_message.reply_text(
        t.gettext("Which posts would you be willing to take? Tap to select, then press Done."),
        reply_markup=_survey_keyboard(t, board, []),
    )
    return SURVEY_POSTS


def _survey_keyboard(t: Translator, board: rules.Board, chosen: list[int]):
    cells = [
        button(
            ("✅ " if v.post.id in chosen else "") + post_name(t, v.post), f"posts:sv:t:{v.post.id}"
        )
        for v in board.posts
    ]
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    return keyboard([*rows, [button(t.pgettext("button", "➡️ Done"), "posts:sv:done")]])


async def toggle_post(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    draft = context.user_data.get(DRAFT) or {}
    match = await matched(update, t, _TOGGLE, draft.get("offered", []))
    if match is None:
        return SURVEY_POSTS
    post_id = int(match.group(1))
    chosen = draft["chosen"]
    if post_id in chosen:
        chosen.remove(post_id)
    else:
        chosen.append(post_id)
    await answer_query(query)
    board = await rules.member_board(
        context.db, await who(update, context), await my_today(update, context)
    )
    await query.edit_message_reply_markup(_survey_keyboard(t, board, chosen))
    return SURVEY_POSTS


async def survey_done(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    await answer_query(update.callback_query)
    await drop_buttons(update.callback_query)
    rows = [
        [button(t.gettext(label), f"posts:sv:av:{value}")]
        for value, label in AVAILABILITY_NAMES.items()
    ]
    await update.effective_message.reply_text(
        t.gettext("When do you have time for a post?"), reply_markup=keyboard(rows)
    )
    return SURVEY_TIME


async def survey_time(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = await matched(update, t, _TIME)
    if match is None:
        return SURVEY_TIME
    await answer_query(query)
    await drop_buttons(query)
    context.user_data[DRAFT]["time"] = match.group(1)
    await offer(
        update,
        context,
        t.gettext("What skills or experience could you bring? Write a line, or press Skip."),
        keyboard([[button(t.pgettext("button", "Skip"), "posts:sv:skip")]]),
    )
    return SURVEY_SKILLS


async def survey_skills(update: Update, context: BotContext) -> int | str:
    t = await tr(update, context)
    draft = context.user_data.get(DRAFT) or {}
    skills = update.effective_message.text if update.message else ""
    if update.callback_query:
        await answer_query(update.callback_query)
        await drop_buttons(update.callback_query)
    try:
        await rules.answer_survey(
            context.db,
            await who(update, context),
            draft.get("chosen", []),
            Availability(draft["time"]),
            skills or "",
            await my_today(update, context),
        )
    except DomainError as exc:
        await update.effective_message.reply_text(post_error(t, exc))
        return ConversationHandler.END
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(
        t.gettext("Thank you, your answer is saved. You can answer again to change it.")
    )
    return ConversationHandler.END


# ------------------------------------------------------------------------- duty records


async def _held_posts(update: Update, context: BotContext) -> tuple[int, list[Post]]:
    """The cycle's year and the posts this member holds, when duties may be recorded."""
    board = await rules.member_board(
        context.db, await who(update, context), await my_today(update, context)
    )
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
    update: Update, context: BotContext, question: str, prefix: str, state: str
) -> str | int:
    """Start a holder's flow: the posts they hold as buttons, remembered as the only
    acceptable answers."""
    t = await tr(update, context)
    try:
        year, held = await _held_posts(update, context)
    except DomainError as exc:
        await _fail(update, t, exc)
        return ConversationHandler.END
    await answer_query(update.callback_query)
    context.user_data[DRAFT] = {"offered": [p.id for p in held], "year": year}
    await update.effective_message.reply_text(
        t.gettext(question), reply_markup=keyboard(post_buttons(t, held, prefix))
    )
    return state


async def start_duty(update: Update, context: BotContext) -> str | int:
    return await _offer_held_posts(
        update, context, N_("Which post is this record for?"), "posts:dp", DUTY_POST
    )


async def duty_post(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    draft = context.user_data.get(DRAFT) or {}
    match = await matched(update, t, _DUTY_POST, draft.get("offered", []))
    if match is None:
        return DUTY_POST
    await answer_query(query)
    await drop_buttons(query)
    draft["post"] = int(match.group(1))
    rows = [
        [
            button(t.pgettext("button", "Today"), "posts:dd:0"),
            button(t.pgettext("button", "Yesterday"), "posts:dd:1"),
        ]
    ]
    await offer(
        update,
        context,
        t.gettext("When was it? Press a button or send a date like 2026-05-01 or 5月1日."),
        keyboard(rows),
    )
    return DUTY_DATE


async def _ask_text(update: Update, t: Translator) -> str:
    await update.effective_message.reply_text(
        t.gettext("What did you do? Please describe it briefly.")
    )
    return DUTY_TEXT


async def duty_day(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = await matched(update, t, _DUTY_DAY)
    if match is None:
        return DUTY_DATE
    await answer_query(query)
    await drop_buttons(query)
    context.user_data[DRAFT]["date"] = (
        await my_today(update, context) - timedelta(days=int(match.group(1)))
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
        return DUTY_DATE
    context.user_data[DRAFT]["date"] = done_on.isoformat()
    return await _ask_text(update, t)


async def duty_text(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    context.user_data[DRAFT]["text"] = update.effective_message.text
    await offer(
        update,
        context,
        t.gettext("Send a photo of it, or press Skip."),
        keyboard([[button(t.pgettext("button", "Skip"), "posts:dskip:photo")]]),
    )
    return DUTY_PHOTO


async def duty_photo(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    if update.callback_query:
        await answer_query(update.callback_query)
        await drop_buttons(update.callback_query)
    else:
        context.user_data[DRAFT]["photo"] = update.effective_message.photo[-1].file_id
    await offer(
        update,
        context,
        t.gettext(
            "How many hours did it take? Press one or type it: steps of half an hour, at "
            "most {max}, for example 1.5. Or press Skip.",
            max=hours.MAX_HALF_HOURS_PER_RECORD // 2,
        ),
        amount_buttons(t, "posts:dh", [button(t.pgettext("button", "Skip"), "posts:dskip:hours")]),
    )
    return DUTY_HOURS


async def duty_hours(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    query = update.callback_query
    try:
        if query is None:
            draft["minutes"] = hours.parse_hours(update.effective_message.text) * 30
        elif (pressed := parse_callback(query.data, _DUTY_HOURS)) is not None:
            draft["minutes"] = hours.common_amount(int(pressed.group(1))) * 30
        else:
            draft.pop("minutes", None)  # Skip
    except DomainError as exc:
        await update.effective_message.reply_text(post_error(t, exc))
        return DUTY_HOURS
    if query is not None:
        await answer_query(query)
        await drop_buttons(query)
    board = await rules.member_board(
        context.db, await who(update, context), await my_today(update, context)
    )
    view = board.view(draft["post"])
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
    rows = [[button(t.pgettext("button", "✅ Save"), "posts:dsave")]]
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard(rows))
    return DUTY_CONFIRM


async def duty_save(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    draft = context.user_data.pop(DRAFT, None) or {}
    await answer_query(update.callback_query)
    await drop_buttons(update.callback_query)
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
        "posts:rq",
        REQUEST_TEXT,
    )


async def request_post(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    draft = context.user_data.get(DRAFT) or {}
    match = await matched(update, t, _REQUEST_POST, draft.get("offered", []))
    if match is None:
        return REQUEST_TEXT
    await answer_query(query)
    await drop_buttons(query)
    draft["post"] = int(match.group(1))
    await update.effective_message.reply_text(t.gettext("What did the resident ask for?"))
    return REQUEST_TEXT


async def request_text(update: Update, context: BotContext) -> int | str:
    t = await tr(update, context)
    draft = context.user_data.get(DRAFT) or {}
    if "post" not in draft:
        await update.effective_message.reply_text(t.gettext("Please choose the post above first."))
        return REQUEST_TEXT
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
        return REQUEST_TEXT if exc.code.startswith("post_text") else ConversationHandler.END
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(t.gettext("The resident's request is noted."))
    return ConversationHandler.END


# ------------------------------------------------------------------------- wiring


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(t.gettext("Cancelled. Nothing was saved."))
    return ConversationHandler.END


async def unexpected(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    if update.callback_query:
        await answer_stale(update.callback_query, t)
        return
    await update.effective_message.reply_text(
        t.gettext("I did not understand that. Please answer the question above, or send /cancel.")
    )


def conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[
            CommandHandler("posts", show_board),
            choice_handler("posts", show_board),
            CallbackQueryHandler(start_survey, pattern=r"^posts:survey$"),
            CallbackQueryHandler(start_duty, pattern=r"^posts:duty$"),
            CallbackQueryHandler(start_request, pattern=r"^posts:req$"),
            *posts_admin.entry_points(),
        ],
        states={
            SURVEY_POSTS: [
                CallbackQueryHandler(toggle_post, pattern=r"^posts:sv:t:"),
                CallbackQueryHandler(survey_done, pattern=r"^posts:sv:done$"),
            ],
            SURVEY_TIME: [CallbackQueryHandler(survey_time, pattern=r"^posts:sv:av:")],
            SURVEY_SKILLS: [
                MessageHandler(text, survey_skills),
                CallbackQueryHandler(survey_skills, pattern=r"^posts:sv:skip$"),
            ],
            DUTY_POST: [CallbackQueryHandler(duty_post, pattern=r"^posts:dp:")],
            DUTY_DATE: [
                CallbackQueryHandler(duty_day, pattern=r"^posts:dd:"),
                MessageHandler(text, duty_date_typed),
            ],
            DUTY_TEXT: [MessageHandler(text, duty_text)],
            DUTY_PHOTO: [
                MessageHandler(filters.PHOTO, duty_photo),
                CallbackQueryHandler(duty_photo, pattern=r"^posts:dskip:photo$"),
            ],
            DUTY_HOURS: [
                MessageHandler(text, duty_hours),
                CallbackQueryHandler(duty_hours, pattern=r"^posts:(dskip:hours|dh:\d{1,2})$"),
            ],
            DUTY_CONFIRM: [CallbackQueryHandler(duty_save, pattern=r"^posts:dsave$")],
            REQUEST_TEXT: [
                CallbackQueryHandler(request_post, pattern=r"^posts:rq:"),
                MessageHandler(text, request_text),
            ],
            **posts_admin.states(),
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(~filters.COMMAND, unexpected),
        ],
        allow_reentry=True,
        name="posts",
        persistent=True,
    )


def handlers() -> list:
    """The buttons that need no conversation; after `conversation()`."""
    return [
        CallbackQueryHandler(show_duties, pattern=r"^posts:duties$"),
        CallbackQueryHandler(list_to_claim, pattern=r"^posts:list$"),
        CallbackQueryHandler(view_post, pattern=r"^posts:view:"),
        CallbackQueryHandler(claim, pattern=r"^posts:(claim|wait):"),
        CallbackQueryHandler(my_posts, pattern=r"^posts:mine$"),
        CallbackQueryHandler(withdraw, pattern=r"^posts:withdraw:"),
        *posts_admin.handlers(),
    ]
