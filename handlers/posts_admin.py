"""The secretary's side of /posts: the stage, pending claims, holders, the survey summary,
the assessment form, editing posts, publishing the holders to the branch's group chat,
and /linkgroup. Every action is checked again in `domain.posts`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters
from telegram.ext import ConversationHandler as Conv

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import posts as rules
from domain.access import Actor
from domain.errors import DomainError, InvalidInput, NotAllowed
from domain.i18n import N_, Translator
from domain.models import Person
from domain.post_models import (
    MAX_CAPACITY,
    MAX_MEMBER_LIMIT,
    ClaimStatus,
    Post,
    Rating,
    Stage,
    next_stage,
    previous_stage,
)
from handlers.branch_choice import acting_branch, branch_or_ask, choice_handler
from handlers.common import answer_query, branch_today, branch_zone, drop_buttons, my_today, tr, who
from handlers.post_views import (
    AVAILABILITY_NAMES,
    RATING_NAMES,
    button,
    keyboard,
    matched,
    names,
    post_buttons,
    post_duties,
    post_error,
    post_name,
    refuse,
    stage_name,
)
from storage import posts as post_store
from storage.db import Database

BACK_REASON, REJECT_REASON = "posts.admin.back_reason", "posts.admin.reject_reason"
ASSESS_COMMENT, DUTIES_TEXT = "posts.admin.assess_comment", "posts.admin.duties"
CAPACITY_TEXT, NEW_POST_NAME = "posts.admin.capacity", "posts.admin.new_post"
LIMIT_TEXT = "posts.admin.limit"
DRAFT = "posts_admin"

_ID = r"(\d{1,12})"
_STAGE = "(survey|apply|perform|assess)"
_FORWARD = re.compile(rf"posts:fwd(ok)?:{_STAGE}")
_BACK = re.compile(rf"posts:back:{_STAGE}")
_DECIDE = re.compile(rf"posts:(ok|no|lok|lno):{_ID}")
_RATE = re.compile(rf"posts:rt:{_ID}:(excellent|competent|basically_competent|incompetent)")
_RATE_PICK = re.compile(rf"posts:as:{_ID}")
_EDIT = re.compile(rf"posts:(ed|edd|cap|ret|retok):{_ID}")


def secretary_rows(t: Translator, stage: Stage) -> list:
    rows = [
        [
            button(t.pgettext("button", "⚙️ Stage"), "posts:stage"),
            button(t.pgettext("button", "📥 Pending"), "posts:pending"),
        ],
        [
            button(t.pgettext("button", "👥 Holders"), "posts:holders"),
            button(t.pgettext("button", "📊 Survey summary"), "posts:summary"),
        ],
        [button(t.pgettext("button", "🗣 Residents' requests"), "posts:requests")],
        [
            button(t.pgettext("button", "✏️ Edit posts"), "posts:admin"),
            button(t.pgettext("button", "📢 Publish holders"), "posts:publish"),
        ],
    ]
    if stage is Stage.ASSESS:
        rows.append([button(t.pgettext("button", "⭐ Assessment"), "posts:assess")])
    return rows


def _acting(context: BotContext, me: Actor) -> int | None:
    """The branch the secretary administers posts of (see handlers.branch_choice)."""
    try:
        return acting_branch(context, me)
    except NotAllowed:
        return None


async def _secretary(update: Update, context: BotContext) -> tuple[Translator, Actor, int | None]:
    t = await tr(update, context)
    me = await who(update, context)
    branch_id = _acting(context, me)
    if branch_id is None:
        await refuse(update, t, post_error(t, DomainError("not_allowed")))
    elif update.callback_query:
        await answer_query(update.callback_query)
    return t, me, branch_id


@dataclass(frozen=True)
class Press:
    t: Translator
    me: Actor
    branch_id: int
    match: re.Match[str]


async def _press(update: Update, context: BotContext, pattern: re.Pattern[str]) -> Press | None:
    """A secretary's button with well-formed data, else refused here; the domain checks
    the ids in it again."""
    t = await tr(update, context)
    match = await matched(update, t, pattern)
    if match is None:
        return None
    me = await who(update, context)
    branch_id = _acting(context, me)
    if branch_id is None:
        await refuse(update, t, post_error(t, DomainError("not_allowed")))
        return None
    return Press(t, me, branch_id, match)


async def _reply(update: Update, text: str, **kwargs) -> None:
    await update.effective_message.reply_text(text, **kwargs)


# ------------------------------------------------------------------------- the stage


async def show_stage(update: Update, context: BotContext) -> None:
    t, _me, branch_id = await _secretary(update, context)
    if branch_id is None:
        return
    board = await rules.board(context.db, branch_id, await branch_today(context, branch_id))
    stage = board.cycle.stage
    ahead, behind = next_stage(stage), previous_stage(stage)
    ahead_name = (
        stage_name(t, ahead) if ahead else t.gettext("survey of {year}", year=board.cycle.year + 1)
    )
    rows = [
        [
            button(
                t.pgettext("button", "➡️ Forward to: {stage}").format(stage=ahead_name),
                f"posts:fwd:{stage}",
            )
        ]
    ]
    if behind is not None:
        rows.append(
            [
                button(
                    t.pgettext("button", "⬅️ Back to: {stage}").format(stage=stage_name(t, behind)),
                    f"posts:back:{stage}",
                )
            ]
        )
    await _reply(
        update,
        t.gettext(
            "Year {year}, current stage: {stage}.",
            year=board.cycle.year,
            stage=stage_name(t, stage),
        ),
        reply_markup=keyboard(rows),
    )


async def forward(update: Update, context: BotContext) -> None:
    query = update.callback_query
    press = await _press(update, context, _FORWARD)
    if press is None:
        return
    t, me, branch_id, match = press.t, press.me, press.branch_id, press.match
    seen = Stage(match.group(2))
    if not match.group(1):
        await answer_query(query)
        await _reply(
            update,
            t.gettext(
                "Move on from “{stage}”? Members will be able to do only what the next stage allows.",
                stage=stage_name(t, seen),
            ),
            reply_markup=keyboard(
                [[button(t.pgettext("button", "✅ Confirm"), f"posts:fwdok:{seen}")]]
            ),
        )
        return
    try:
        moved = await rules.advance(
            context.db, me, branch_id, seen, await branch_today(context, branch_id)
        )
    except DomainError as exc:
        await refuse(update, t, post_error(t, exc))
        await drop_buttons(query)
        return
    await answer_query(query)
    await drop_buttons(query)
    await _reply(
        update,
        t.gettext(
            "The stage is now: {stage} ({year}).",
            stage=stage_name(t, moved.after.stage),
            year=moved.after.year,
        ),
    )


async def ask_back_reason(update: Update, context: BotContext) -> str | int:
    press = await _press(update, context, _BACK)
    if press is None:
        return Conv.END
    t = press.t
    await answer_query(update.callback_query)
    context.user_data[DRAFT] = {"seen": press.match.group(1)}
    await _reply(update, t.gettext("Why go back a stage? The reason is kept in the record."))
    return BACK_REASON


async def back_with_reason(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    me = await who(update, context)
    draft = context.user_data.get(DRAFT) or {}
    try:
        moved = await rules.go_back(
            context.db,
            me,
            _acting(context, me) or 0,
            Stage(draft["seen"]),
            update.effective_message.text,
            await my_today(update, context),
        )
    except DomainError as exc:
        await _reply(update, post_error(t, exc))
        return BACK_REASON if isinstance(exc, InvalidInput) else Conv.END
    context.user_data.pop(DRAFT, None)
    await _reply(
        update, t.gettext("The stage is back at: {stage}.", stage=stage_name(t, moved.after.stage))
    )
    return Conv.END


# ------------------------------------------------------------------------- claims


def claim_request_text(t: Translator, person: Person, post: Post) -> str:
    return t.gettext(
        "{name} claims the post {post}.", name=person.display_name, post=post_name(t, post)
    )


def claim_keyboard(t: Translator, claim_id: int):
    return keyboard(
        [
            [
                button(t.pgettext("button", "✅ Approve"), f"posts:ok:{claim_id}"),
                button(t.pgettext("button", "❌ Reject"), f"posts:no:{claim_id}"),
            ]
        ]
    )


def leave_request_text(t: Translator, person: Person, post: Post) -> str:
    return t.gettext(
        "{name} asks to withdraw from {post}.", name=person.display_name, post=post_name(t, post)
    )


def leave_keyboard(t: Translator, claim_id: int):
    return keyboard(
        [
            [
                button(t.pgettext("button", "✅ Agree"), f"posts:lok:{claim_id}"),
                button(t.pgettext("button", "✖️ Keep them on the post"), f"posts:lno:{claim_id}"),
            ]
        ]
    )


async def show_pending(update: Update, context: BotContext) -> None:
    t, me, branch_id = await _secretary(update, context)
    if branch_id is None:
        return
    waiting = await rules.pending(context.db, me, branch_id, await branch_today(context, branch_id))
    if not waiting:
        await _reply(update, t.gettext("Nothing is waiting for your decision."))
        return
    posts = {
        p.id: p
        for p in await rules.all_posts(
            context.db, me, branch_id, await branch_today(context, branch_id)
        )
    }
    for holder in waiting:
        post = posts[holder.claim.post_id]
        if holder.claim.status is ClaimStatus.LEAVING:
            await _reply(
                update,
                leave_request_text(t, holder.person, post),
                reply_markup=leave_keyboard(t, holder.claim.id),
            )
        else:
            await _reply(
                update,
                claim_request_text(t, holder.person, post),
                reply_markup=claim_keyboard(t, holder.claim.id),
            )


async def decide(update: Update, context: BotContext) -> None:
    """Approve a claim, or agree to / refuse a withdrawal; a rejection asks for a reason."""
    query = update.callback_query
    t = await tr(update, context)
    match = await matched(update, t, _DECIDE)
    if match is None:
        return
    kind, claim_id = match.group(1), int(match.group(2))
    me = await who(update, context)
    try:
        if kind == "ok":
            result = await rules.decide_claim(
                context.db,
                me,
                claim_id,
                approve=True,
                reason=None,
                today=await my_today(update, context),
            )
        else:
            result = await rules.decide_leave(
                context.db, me, claim_id, agree=kind == "lok", today=await my_today(update, context)
            )
    except DomainError as exc:
        await refuse(update, t, post_error(t, exc))
        return
    await answer_query(query)
    await drop_buttons(query)
    await _announce(update, context, t, result, kind)


# What the secretary reads for each decision (the member's news is in domain/posts.py).
_OUTCOMES = {
    "ok": N_("✅ Approved: {name}, {post}"),
    "lok": N_("✅ Withdrawal agreed: {name}, {post}"),
    "lno": N_("✖️ Kept on the post: {name}, {post}"),
    "no": N_("❌ Rejected: {name}, {post}"),
}


async def _announce(
    update: Update, context: BotContext, t: Translator, result: rules.ClaimResult, kind: str
) -> None:
    await _reply(
        update,
        t.gettext(_OUTCOMES[kind], name=result.person.display_name, post=post_name(t, result.post)),
    )


async def ask_reject_reason(update: Update, context: BotContext) -> str | int:
    press = await _press(update, context, _DECIDE)
    if press is None:
        return Conv.END
    t = press.t
    await answer_query(update.callback_query)
    context.user_data[DRAFT] = {"claim": int(press.match.group(2))}
    await _reply(update, t.gettext("Why is the claim rejected? The member will read your reason."))
    return REJECT_REASON


async def reject_with_reason(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    draft = context.user_data.get(DRAFT) or {}
    try:
        result = await rules.decide_claim(
            context.db,
            await who(update, context),
            draft.get("claim", 0),
            approve=False,
            reason=update.effective_message.text,
            today=await my_today(update, context),
        )
    except DomainError as exc:
        await _reply(update, post_error(t, exc))
        return REJECT_REASON if isinstance(exc, InvalidInput) else Conv.END
    context.user_data.pop(DRAFT, None)
    await _announce(update, context, t, result, "no")
    return Conv.END


# ------------------------------------------------------------------------- overviews


async def show_holders(update: Update, context: BotContext) -> None:
    t, _me, branch_id = await _secretary(update, context)
    if branch_id is None:
        return
    board = await rules.board(context.db, branch_id, await branch_today(context, branch_id))
    lines = [t.gettext("Holders in {year}:", year=board.cycle.year)]
    for view in board.posts:
        line = f"【{post_name(t, view.post)}】{len(view.holders)}/{view.post.capacity} {names(view.holders)}"
        if view.pending:
            line += "\n  " + t.gettext("Waiting for approval: {names}", names=names(view.pending))
        if view.waiting:
            line += "\n  " + t.gettext("Waiting list: {names}", names=names(view.waiting))
        lines.append(line)
    await _reply(update, "\n".join(lines))


async def show_summary(update: Update, context: BotContext) -> None:
    t, me, branch_id = await _secretary(update, context)
    if branch_id is None:
        return
    summary = await rules.survey_summary(
        context.db, me, branch_id, await branch_today(context, branch_id)
    )
    posts = await rules.all_posts(context.db, me, branch_id, await branch_today(context, branch_id))
    lines = [
        t.ngettext(
            "Survey {year}: {n} member answered.",
            "Survey {year}: {n} members answered.",
            summary.respondents,
            year=summary.cycle.year,
        )
    ]
    lines += [
        t.gettext("{post}: {n} willing", post=post_name(t, p), n=summary.willing.get(p.id, 0))
        for p in posts
        if not p.retired
    ]
    lines += [
        t.gettext("{time}: {n}", time=t.gettext(label), n=summary.availability.get(value, 0))
        for value, label in AVAILABILITY_NAMES.items()
    ]
    lines += [f"• {person.display_name}: {skills}" for person, skills in summary.skills]
    await _reply(update, "\n".join(lines))


async def show_requests(update: Update, context: BotContext) -> None:
    t, me, branch_id = await _secretary(update, context)
    if branch_id is None:
        return
    found = await rules.resident_requests(
        context.db, me, branch_id, await branch_today(context, branch_id)
    )
    if not found:
        await _reply(update, t.gettext("No residents' requests have been noted this year."))
        return
    lines = [t.gettext("Residents' requests this year:")]
    zone = await branch_zone(context, branch_id)
    lines += [
        f"• {t.date(r.noted_at.astimezone(zone).date())} {post_name(t, r.post)}"
        f" ({r.noted_by.display_name}): {r.text}"
        for r in found
    ]
    await _reply(update, "\n".join(lines))


# ------------------------------------------------------------------------- assessment

# How many of a holder's latest duty records the assessment shows.
RECENT = 5


def result_lines(t: Translator, results: list[rules.PostRecord]) -> list[str]:
    """A member's own assessment results, newest year first."""
    lines = []
    for record in sorted(results, key=lambda r: -r.year):
        if record.assessment is not None:
            rating = t.gettext(RATING_NAMES[record.assessment.rating])
            line = t.gettext(
                "Assessment {year}, {post}: {rating}",
                year=record.year,
                post=post_name(t, record.post),
                rating=rating,
            )
            if record.assessment.comment:
                line += f" — {record.assessment.comment}"
            lines.append(line)
    return lines


async def assessment_form(update: Update, context: BotContext) -> None:
    t, me, branch_id = await _secretary(update, context)
    if branch_id is None:
        return
    sheet = await rules.assessment_sheet(
        context.db, me, branch_id, await branch_today(context, branch_id)
    )
    if not sheet:
        await _reply(update, t.gettext("Nobody holds a post this year."))
        return
    rows = []
    for rated in sheet:
        label = f"{rated.holder.person.display_name} · {post_name(t, rated.post)}"
        if rated.assessment:
            label += f" · {t.gettext(RATING_NAMES[rated.assessment.rating])}"
        rows.append([button(label, f"posts:as:{rated.holder.claim.id}")])
    await _reply(update, t.gettext("Choose a holder to assess:"), reply_markup=keyboard(rows))


async def pick_rating(update: Update, context: BotContext) -> None:
    press = await _press(update, context, _RATE_PICK)
    if press is None:
        return
    t = press.t
    try:
        record = await rules.holder_record(context.db, press.me, int(press.match.group(1)))
    except DomainError as exc:
        await refuse(update, t, post_error(t, exc))
        return
    await answer_query(update.callback_query)
    lines = [
        f"{record.holder.person.display_name} · {post_name(t, record.post)}",
        t.ngettext(
            "{n} duty record, {hours} hours in all.",
            "{n} duty records, {hours} hours in all.",
            len(record.duties),
            hours=t.number(round(record.minutes / 60, 1)),
        ),
    ]
    lines += [f"• {t.date(d.done_on)} {d.text}" for d in record.duties[-RECENT:]]
    lines += ["", t.gettext("Which rating?")]
    rows = [
        [button(t.gettext(label), f"posts:rt:{record.holder.claim.id}:{value}")]
        for value, label in RATING_NAMES.items()
    ]
    await _reply(update, "\n".join(lines), reply_markup=keyboard(rows))


async def ask_comment(update: Update, context: BotContext) -> str | int:
    press = await _press(update, context, _RATE)
    if press is None:
        return Conv.END
    t, match = press.t, press.match
    await answer_query(update.callback_query)
    await drop_buttons(update.callback_query)
    context.user_data[DRAFT] = {"claim": int(match.group(1)), "rating": match.group(2)}
    await _reply(
        update,
        t.gettext("A comment for the member? Write it, or press Skip."),
        reply_markup=keyboard([[button(t.pgettext("button", "Skip"), "posts:rc:skip")]]),
    )
    return ASSESS_COMMENT


async def save_assessment(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    draft = context.user_data.pop(DRAFT, None) or {}
    if update.callback_query:
        await answer_query(update.callback_query)
        await drop_buttons(update.callback_query)
    comment = update.effective_message.text if update.message else ""
    try:
        rated = await rules.assess(
            context.db,
            await who(update, context),
            draft.get("claim", 0),
            Rating(draft.get("rating", "competent")),
            comment or "",
            await my_today(update, context),
        )
    except DomainError as exc:
        await _reply(update, post_error(t, exc))
        return Conv.END
    rating = RATING_NAMES[rated.assessment.rating]
    await _reply(
        update,
        t.gettext(
            "Saved: {name}, {post}: {rating}.",
            name=rated.holder.person.display_name,
            post=post_name(t, rated.post),
            rating=t.gettext(rating),
        ),
    )
    return Conv.END


# ------------------------------------------------------------------------- editing posts


async def list_posts(update: Update, context: BotContext) -> None:
    t, me, branch_id = await _secretary(update, context)
    if branch_id is None:
        return
    posts = await rules.all_posts(context.db, me, branch_id, await branch_today(context, branch_id))
    active = [p for p in posts if not p.retired]
    rows = [
        *post_buttons(t, active, "posts:ed"),
        [button(t.pgettext("button", "➕ Add a post"), "posts:add")],
        [
            button(
                t.pgettext("button", "👤 Posts per member: {n}").format(
                    n=await rules.member_limit(context.db, branch_id)
                ),
                f"posts:lim:{branch_id}",
            )
        ],
    ]
    retired = [post_name(t, p) for p in posts if p.retired]
    text = t.gettext("Which post do you want to change?")
    if retired:
        text += "\n" + t.gettext("Retired: {posts}", posts="、".join(retired))
    await _reply(update, text, reply_markup=keyboard(rows))


async def edit_post(update: Update, context: BotContext) -> None:
    """The post's card with its edit buttons, and the retirement with confirmation."""
    query = update.callback_query
    press = await _press(update, context, _EDIT)
    if press is None:
        return
    t, me, branch_id, match = press.t, press.me, press.branch_id, press.match
    kind, post_id = match.group(1), int(match.group(2))
    try:
        posts = {
            p.id: p
            for p in await rules.all_posts(
                context.db, me, branch_id, await branch_today(context, branch_id)
            )
        }
        if post_id not in posts:
            raise DomainError("post_unknown")
        post = posts[post_id]
        if kind == "retok":
            post = await rules.retire(context.db, me, post_id)
    except DomainError as exc:
        await refuse(update, t, post_error(t, exc))
        return
    await answer_query(query)
    name = post_name(t, post)
    if kind == "retok":
        await drop_buttons(query)
        await _reply(
            update, t.gettext("{post} is retired. Its holders stay in the history.", post=name)
        )
        return
    if kind == "ret":
        await _reply(
            update,
            t.gettext("Retire {post}? Nobody can claim it afterwards.", post=name),
            reply_markup=keyboard(
                [[button(t.pgettext("button", "✅ Confirm"), f"posts:retok:{post_id}")]]
            ),
        )
        return
    rows = [
        [
            button(t.pgettext("button", "✏️ Duties"), f"posts:edd:{post_id}"),
            button(t.pgettext("button", "🔢 Capacity"), f"posts:cap:{post_id}"),
        ],
        [button(t.pgettext("button", "🗄 Retire"), f"posts:ret:{post_id}")],
    ]
    text = f"【{name}】\n{post_duties(t, post)}\n" + t.gettext("Capacity: {n}", n=post.capacity)
    await _reply(update, text, reply_markup=keyboard(rows))


_ASK = {
    "edd": (DUTIES_TEXT, N_("Send the new description of the post's norms and duties.")),
    "cap": (CAPACITY_TEXT, N_("How many members may hold this post? Send a number.")),
    "lim": (LIMIT_TEXT, N_("How many posts may one member hold at most? Send a number.")),
}
_ASK_DATA = re.compile(rf"posts:(edd|cap|lim):{_ID}")


async def ask_edit(update: Update, context: BotContext) -> str | int:
    press = await _press(update, context, _ASK_DATA)
    if press is None:
        return Conv.END
    await answer_query(update.callback_query)
    state, question = _ASK[press.match.group(1)]
    context.user_data[DRAFT] = {"id": int(press.match.group(2))}
    await _reply(update, press.t.gettext(question))
    return state


async def save_duties(update: Update, context: BotContext) -> str | int:
    return await _save_edit(update, context, DUTIES_TEXT)


async def save_capacity(update: Update, context: BotContext) -> str | int:
    return await _save_edit(update, context, CAPACITY_TEXT)


async def save_limit(update: Update, context: BotContext) -> str | int:
    return await _save_edit(update, context, LIMIT_TEXT)


def _number(text: str, code: str, top: int) -> int:
    if not text.isdigit():
        raise InvalidInput(code, max=top)
    return int(text)


async def _save_edit(update: Update, context: BotContext, state: str) -> str | int:
    t = await tr(update, context)
    me = await who(update, context)
    target = (context.user_data.get(DRAFT) or {}).get("id", 0)
    text = update.effective_message.text.strip()
    try:
        if state == LIMIT_TEXT:
            limit = _number(text, "post_limit_range", MAX_MEMBER_LIMIT)
            await rules.set_member_limit(
                context.db, me, target, limit, await my_today(update, context)
            )
            saved = t.gettext("Saved: each member may hold up to {n} posts.", n=limit)
        else:
            if state == DUTIES_TEXT:
                post = await rules.edit_duties(context.db, me, target, text)
            else:
                capacity = _number(text, "post_capacity_range", MAX_CAPACITY)
                post, _promoted = await rules.set_capacity(context.db, me, target, capacity)
            saved = t.gettext(
                "Saved: {post}, capacity {n}.", post=post_name(t, post), n=post.capacity
            )
    except DomainError as exc:
        await _reply(update, post_error(t, exc))
        return state if isinstance(exc, InvalidInput) else Conv.END
    context.user_data.pop(DRAFT, None)
    await _reply(update, saved)
    return Conv.END


async def ask_new_post(update: Update, context: BotContext) -> str | int:
    t, _me, branch_id = await _secretary(update, context)
    if branch_id is None:
        return Conv.END
    await _reply(update, t.gettext("What is the new post called?"))
    return NEW_POST_NAME


async def save_new_post(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        post = await rules.add_post(
            context.db,
            me,
            _acting(context, me) or 0,
            update.effective_message.text,
            await my_today(update, context),
        )
    except DomainError as exc:
        await _reply(update, post_error(t, exc))
        return NEW_POST_NAME if isinstance(exc, InvalidInput) else Conv.END
    await _reply(
        update,
        t.gettext(
            "Added the post {post}. You can now describe its duties.", post=post_name(t, post)
        ),
    )
    return Conv.END


# ------------------------------------------------------------------------- the group chat


async def publish(update: Update, context: BotContext) -> None:
    t, me, branch_id = await _secretary(update, context)
    if branch_id is None:
        return
    try:
        await rules.publication(context.db, me, branch_id, await branch_today(context, branch_id))
    except DomainError as exc:
        await _reply(update, post_error(t, exc))
        return
    await _reply(update, t.gettext("Published to the group chat."))


@renderer(rules.PUBLICATION_TEMPLATE)
async def publication(t: Translator, db: Database, params: dict) -> Rendered:
    """Names and posts only, no contact data."""
    lines = [t.gettext("Party members' responsibility posts {year}:", year=params["year"])]
    for post_id, holders in params["holders"]:
        lines.append(f"【{post_name(t, await _post(db, post_id))}】{holders}")
    lines += [
        "",
        t.gettext("Residents are welcome to contact the post holders and to supervise their work."),
    ]
    return Rendered("\n".join(lines))


async def _post(db: Database, post_id: int) -> Post:
    post = await post_store.get_post(db, post_id)
    assert post is not None
    return post


@renderer(rules.NOTICE_TEMPLATE)
async def notice(t: Translator, db: Database, params: dict) -> Rendered:
    """A member's or a secretary's news about a post; see domain/posts.py."""
    values = dict(params)
    msgid = values.pop("text")
    comment = values.pop("comment", "")
    keyboard_of = {"claim": claim_keyboard, "leave": leave_keyboard}.get(values.pop("keyboard", ""))
    claim_id = values.pop("claim", None)
    values["post"] = post_name(t, await _post(db, params["post"]))
    if "rating" in values:
        values["rating"] = t.gettext(RATING_NAMES[Rating(values["rating"])])
    text = t.gettext(msgid, **values) + (f"\n{comment}" if comment else "")
    return Rendered(text, keyboard_of(t, claim_id) if keyboard_of else None)


async def link_group(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    chat = update.effective_chat
    if chat.type not in (chat.GROUP, chat.SUPERGROUP):
        await _reply(
            update, t.gettext("Add me to your branch's group chat and send /linkgroup there.")
        )
        return
    me = await who(update, context)
    try:
        branch_id = await branch_or_ask(update, context, me, "linkgroup")
        if branch_id is None:
            return  # asked which branch; the press links the group to it
        await rules.link_branch_chat(context.db, me, branch_id, chat.id, chat.title)
    except DomainError as exc:
        await _reply(update, post_error(t, exc))
        return
    await _reply(
        update,
        t.gettext(
            "This group is now the branch's group chat. Post holders will be published here."
        ),
    )


# ------------------------------------------------------------------------- wiring


def entry_points() -> list:
    return [
        CallbackQueryHandler(ask_back_reason, pattern=r"^posts:back:"),
        CallbackQueryHandler(ask_reject_reason, pattern=r"^posts:no:"),
        CallbackQueryHandler(ask_comment, pattern=r"^posts:rt:"),
        CallbackQueryHandler(ask_edit, pattern=r"^posts:(edd|cap|lim):"),
        CallbackQueryHandler(ask_new_post, pattern=r"^posts:add$"),
    ]


def states() -> dict:
    text = filters.TEXT & ~filters.COMMAND
    return {
        BACK_REASON: [MessageHandler(text, back_with_reason)],
        REJECT_REASON: [MessageHandler(text, reject_with_reason)],
        ASSESS_COMMENT: [
            MessageHandler(text, save_assessment),
            CallbackQueryHandler(save_assessment, pattern=r"^posts:rc:skip$"),
        ],
        DUTIES_TEXT: [MessageHandler(text, save_duties)],
        CAPACITY_TEXT: [MessageHandler(text, save_capacity)],
        LIMIT_TEXT: [MessageHandler(text, save_limit)],
        NEW_POST_NAME: [MessageHandler(text, save_new_post)],
    }


def handlers() -> list:
    return [
        CallbackQueryHandler(show_stage, pattern=r"^posts:stage$"),
        CallbackQueryHandler(forward, pattern=r"^posts:fwd"),
        CallbackQueryHandler(show_pending, pattern=r"^posts:pending$"),
        CallbackQueryHandler(decide, pattern=r"^posts:(ok|lok|lno):"),
        CallbackQueryHandler(show_holders, pattern=r"^posts:holders$"),
        CallbackQueryHandler(show_summary, pattern=r"^posts:summary$"),
        CallbackQueryHandler(show_requests, pattern=r"^posts:requests$"),
        CallbackQueryHandler(assessment_form, pattern=r"^posts:assess$"),
        CallbackQueryHandler(pick_rating, pattern=r"^posts:as:"),
        CallbackQueryHandler(list_posts, pattern=r"^posts:admin$"),
        CallbackQueryHandler(edit_post, pattern=r"^posts:(ed|ret|retok):"),
        CallbackQueryHandler(publish, pattern=r"^posts:publish$"),
        CommandHandler("linkgroup", link_group),
        choice_handler("linkgroup", link_group),
    ]
