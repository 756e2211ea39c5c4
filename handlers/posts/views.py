"""How the responsibility posts read: names in the reader's language, the board, labels,
refusal texts and the keyboards of posts."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from domain import posts as rules
from domain.errors import DomainError
from domain.i18n import N_, Translator
from domain.post_models import COUNTY_BY_CODE, Availability, ClaimStatus, Post, Rating, Stage
from handlers.buttons import Button
from handlers.common import add_errors, answer_query, error_text
from handlers.conversation import answer_stale

STAGE_NAMES: dict[Stage, str] = {
    Stage.SURVEY: N_("Survey"),
    Stage.APPLY: N_("Applying for posts"),
    Stage.PERFORM: N_("Performing duties"),
    Stage.ASSESS: N_("Assessment"),
}
RATING_NAMES: dict[Rating, str] = {
    Rating.EXCELLENT: N_("Excellent"),
    Rating.COMPETENT: N_("Competent"),
    Rating.BASICALLY_COMPETENT: N_("Basically competent"),
    Rating.INCOMPETENT: N_("Incompetent"),
}
AVAILABILITY_NAMES: dict[Availability, str] = {
    Availability.EVENINGS: N_("Weekday evenings"),
    Availability.WEEKENDS: N_("Weekends"),
    Availability.BOTH: N_("Weekday evenings and weekends"),
}
CLAIM_NAMES: dict[ClaimStatus, str] = {
    ClaimStatus.PENDING: N_("waiting for approval"),
    ClaimStatus.APPROVED: N_("holder"),
    ClaimStatus.WAITING: N_("on the waiting list"),
    ClaimStatus.LEAVING: N_("asked to withdraw"),
}

add_errors(
    {
        "post_members_only": N_("Responsibility posts are for registered members of a branch."),
        "post_unknown": N_("There is no such post in your branch. Nothing was changed."),
        "post_retired": N_(
            "This post has been retired and cannot be claimed. Nothing was changed."
        ),
        "post_wrong_stage": N_(
            "That is not possible at this stage ({stage}). Nothing was changed."
        ),
        "post_stage_changed": N_(
            "The stage has changed in the meantime. Nothing was changed; please look again."
        ),
        "post_stage_first": N_("The survey is the first stage; there is no stage before it."),
        "post_claim_twice": N_("You have already claimed this post. Nothing was changed."),
        "post_claim_limit": N_("You may hold at most {limit} posts. Nothing was changed."),
        "post_full": N_("This post is full."),
        "post_not_full": N_("This post still has a free place; please claim it directly."),
        "post_claim_unknown": N_("That claim no longer exists."),
        "post_withdraw_done": N_("That claim is already closed. Nothing was changed."),
        "post_not_holder": N_("You do not hold this post. Nothing was changed."),
        "post_not_holder_of_year": N_("This person does not hold the post this year."),
        "post_capacity_range": N_("Please send a whole number from 1 to {max}."),
        "post_limit_range": N_("Please send a whole number from 1 to {max}."),
        "post_capacity_below_holders": N_(
            "{holding} people already hold or claimed this post; the capacity cannot be lower."
        ),
        "post_text_empty": N_("Please write a few words."),
        "post_text_too_long": N_("That is too long (at most {max} characters)."),
        "post_reason_empty": N_("Please give a reason."),
        "post_name_empty": N_("Please send the name of the post."),
        "post_name_taken": N_("The branch already has a post with that name."),
        "post_date_future": N_("That date is in the future."),
        "post_date_before_year": N_("Only dates in {year} can be recorded."),
        "post_no_group": N_(
            "No group chat is linked yet. Add me to the branch's group and send /linkgroup there."
        ),
    }
)


def post_name(t: Translator, post: Post) -> str:
    if post.code in COUNTY_BY_CODE:
        return t.gettext(COUNTY_BY_CODE[post.code].name)
    return post.name or "—"


def post_duties(t: Translator, post: Post) -> str:
    if post.duties:
        return post.duties
    return t.gettext(COUNTY_BY_CODE[post.code].duties) if post.code in COUNTY_BY_CODE else ""


def stage_name(t: Translator, stage: Stage) -> str:
    return t.gettext(STAGE_NAMES[stage])


def names(holders: list[rules.Holder]) -> str:
    return "、".join(h.person.display_name for h in holders)


def board_text(t: Translator, board: rules.Board) -> str:
    lines = [
        t.gettext(
            "Responsibility posts {year} · stage: {stage}",
            year=board.cycle.year,
            stage=stage_name(t, board.cycle.stage),
        ),
        "",
    ]
    for number, view in enumerate(board.posts, start=1):
        line = f"{number}. {post_name(t, view.post)} ({len(view.holders)}/{view.post.capacity})"
        if view.holders:
            line += f" {names(view.holders)}"
        if view.pending:
            line += " " + t.gettext("+{n} waiting for approval", n=len(view.pending))
        lines.append(line)
    return "\n".join(lines)


def my_lines(t: Translator, board: rules.Board) -> list[str]:
    if not board.mine:
        return [
            t.gettext(
                "You hold no post yet. Each member may hold up to {limit}.", limit=board.limit
            )
        ]
    by_id = {v.post.id: v.post for v in board.posts}
    lines = [t.gettext("My posts:")]
    for claim in board.mine:
        post = by_id.get(claim.post_id)
        if post is not None:
            lines.append(f"• {post_name(t, post)}: {t.gettext(CLAIM_NAMES[claim.status])}")
    return lines


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


def keyboard(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    """None without buttons: Telegram refuses an empty inline keyboard."""
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def post_buttons(
    t: Translator, posts: list[Post], press: Callable[[int], Button]
) -> list[list[InlineKeyboardButton]]:
    """One button per post, two to a row, each `press(post id)`."""
    cells = [press(p.id).button(post_name(t, p)) for p in posts]
    return [cells[i : i + 2] for i in range(0, len(cells), 2)]


def post_error(t: Translator, error: DomainError) -> str:
    """The refusal text, with the stage named in the reader's language."""
    if "stage" in error.params and error.params["stage"] in set(Stage):
        stage = stage_name(t, Stage(error.params["stage"]))
        error = type(error)(error.code, **(error.params | {"stage": stage}))
    return error_text(t, error)


async def offered(update: Update, t: Translator, post_id: int, ids: list[int]) -> bool:
    """Whether the pressed post is one this person was offered in this conversation; an
    old or forged press is answered as stale."""
    if post_id in ids:
        return True
    await answer_stale(update.callback_query, t)
    return False


async def refuse(update: Update, t: Translator, text: str) -> None:
    """A refusal answers the button press and stays readable in the chat."""
    if update.callback_query is not None:
        await answer_query(update.callback_query, text, alert=True)
    else:
        await update.effective_message.reply_text(text)


async def refuse_error(update: Update, t: Translator, error: DomainError) -> None:
    await refuse(update, t, post_error(t, error))
