"""The assessment (考核评岗) as the secretary makes it: choose a holder, read what they
recorded, rate them and add a comment for the member."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler as Conv

from bot.context import BotContext
from domain import posts as rules
from domain.errors import DomainError
from domain.i18n import N_
from domain.post_models import Rating
from handlers.common import answer_and_drop, answer_query, drop_buttons, my_today, tr, who
from handlers.conversation import skip_keyboard
from handlers.posts import buttons as press
from handlers.posts.secretary import (
    Secretary,
    reply,
    secretary_list,
    secretary_of,
)
from handlers.posts.steps import ADMIN_DRAFT, Step
from handlers.posts.views import RATING_NAMES, keyboard, post_error, post_name, refuse_error

# How many of a holder's latest duty records the assessment shows.
RECENT = 5


@secretary_list(rules.assessment_sheet, N_("Nobody holds a post this year."))
async def assessment_form(
    update: Update, context: BotContext, secretary: Secretary, sheet: list
) -> None:
    t = secretary.t
    rows = []
    for rated in sheet:
        label = f"{rated.holder.person.display_name} · {post_name(t, rated.post)}"
        if rated.assessment:
            label += f" · {t.gettext(RATING_NAMES[rated.assessment.rating])}"
        rows.append([press.AssessHolder(rated.holder.claim.id).button(label)])
    await reply(update, t.gettext("Choose a holder to assess:"), reply_markup=keyboard(rows))


async def pick_rating(update: Update, context: BotContext) -> None:
    secretary = await secretary_of(update, context, answer=False)
    if secretary is None:
        return
    t = secretary.t
    try:
        record = await rules.holder_record(
            context.db, secretary.me, press.AssessHolder.of(update).claim_id
        )
    except DomainError as exc:
        await refuse_error(update, t, exc)
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
        [press.Rate(record.holder.claim.id, value).button(t.gettext(label))]
        for value, label in RATING_NAMES.items()
    ]
    await reply(update, "\n".join(lines), reply_markup=keyboard(rows))


async def ask_comment(update: Update, context: BotContext) -> str | int:
    secretary = await secretary_of(update, context)
    if secretary is None:
        return Conv.END
    await drop_buttons(update.callback_query)
    pressed = press.Rate.of(update)
    context.user_data[ADMIN_DRAFT] = {"claim": pressed.claim_id, "rating": str(pressed.rating)}
    await reply(
        update,
        secretary.t.gettext("A comment for the member? Write it, or press Skip."),
        reply_markup=skip_keyboard(secretary.t, press.RateNoComment()),
    )
    return Step.ASSESS_COMMENT


async def save_assessment(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    draft = context.user_data.pop(ADMIN_DRAFT, None) or {}
    if update.callback_query:
        await answer_and_drop(update.callback_query)
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
        await reply(update, post_error(t, exc))
        return Conv.END
    rating = RATING_NAMES[rated.assessment.rating]
    await reply(
        update,
        t.gettext(
            "Saved: {name}, {post}: {rating}.",
            name=rated.holder.person.display_name,
            post=post_name(t, rated.post),
            rating=t.gettext(rating),
        ),
    )
    return Conv.END
