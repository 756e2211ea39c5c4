"""What the secretary reads: the holders of each post, the survey's counts and the year's
residents' requests."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from domain import posts as rules
from domain.i18n import N_
from handlers.common import branch_zone
from handlers.posts.secretary import Secretary, reply, secretary_list, secretary_screen
from handlers.posts.views import AVAILABILITY_NAMES, names, post_name


@secretary_screen
async def show_holders(update: Update, context: BotContext, secretary: Secretary) -> None:
    t = secretary.t
    board = await rules.board(context.db, secretary.branch_id, secretary.today)
    lines = [t.gettext("Holders in {year}:", year=board.cycle.year)]
    for view in board.posts:
        line = f"【{post_name(t, view.post)}】{len(view.holders)}/{view.post.capacity} {names(view.holders)}"
        if view.pending:
            line += "\n  " + t.gettext("Waiting for approval: {names}", names=names(view.pending))
        if view.waiting:
            line += "\n  " + t.gettext("Waiting list: {names}", names=names(view.waiting))
        lines.append(line)
    await reply(update, "\n".join(lines))


@secretary_screen
async def show_summary(update: Update, context: BotContext, secretary: Secretary) -> None:
    t = secretary.t
    summary = await secretary.read(rules.survey_summary)
    posts = await secretary.read(rules.all_posts)
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
    await reply(update, "\n".join(lines))


@secretary_list(rules.resident_requests, N_("No residents' requests have been noted this year."))
async def show_requests(
    update: Update, context: BotContext, secretary: Secretary, found: list
) -> None:
    t = secretary.t
    lines = [t.gettext("Residents' requests this year:")]
    zone = await branch_zone(context, secretary.branch_id)
    lines += [
        f"• {t.date(r.noted_at.astimezone(zone).date())} {post_name(t, r.post)}"
        f" ({r.noted_by.display_name}): {r.text}"
        for r in found
    ]
    await reply(update, "\n".join(lines))
