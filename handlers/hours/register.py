"""The branch's register for the secretary: every member's hours this quarter, in name
order (a register, not a ranking)."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from domain import hours
from domain.errors import DomainError
from domain.i18n import Translator
from handlers.branch_choice import acting_branch
from handlers.common import answer_query, branch_today, error_text, who
from handlers.conversation import on_press
from handlers.hours.views import chunks, show


@on_press()
async def show_branch(update: Update, context: BotContext, t) -> None:
    await answer_query(update.callback_query)
    me = await who(update, context)
    try:
        branch_id = acting_branch(context, me)
        start, end = hours.period_bounds(
            hours.Period.QUARTER, await branch_today(context, branch_id)
        )
        lines = [
            t.gettext(
                "Hours of the branch members from {start} to {end}:",
                start=t.date(start),
                end=t.date(end),
            )
        ]
        members = await hours.branch_totals(context.db, me, branch_id, start, end)
        counting = await hours.counting_of(context.db, branch_id)
        lines += [register_line(t, member, counting) for member in members]
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    for chunk in chunks(lines):
        await update.effective_message.reply_text(chunk)


def register_line(t: Translator, member: hours.MemberTotals, counting: hours.Counting) -> str:
    """A member's line in the register; the counted figure is labelled when the branch
    counts attested hours too."""
    totals = member.totals
    if counting is hours.Counting.WITH_ATTESTED:
        return t.gettext(
            "{name}: {counted} h (verified + self-reported): {verified} h verified, "
            "{attested} h pending",
            name=member.name,
            counted=show(t, hours.counted_total(totals, counting)),
            verified=show(t, totals.total_verified),
            attested=show(t, totals.total_attested),
        )
    return t.gettext(
        "{name}: {verified} h verified, {attested} h pending",
        name=member.name,
        verified=show(t, totals.total_verified),
        attested=show(t, totals.total_attested),
    )
