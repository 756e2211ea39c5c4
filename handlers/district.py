"""/district: a district contact's view of its branches, and each branch's summary."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import district_figures, district_reports, districts, periods, quarterly_feedback
from domain.access import Audience
from domain.district_figures import NAMES_SHOWN, BranchFigures, Line
from domain.errors import DomainError
from domain.i18n import N_, NP_, Translator
from domain.models import InviteRole, Role
from handlers.buttons import Button
from handlers.common import add_errors, answer_query, error_text, now, tr, who
from handlers.conversation import on_press
from handlers.flow_kit import chunks, or_alert, reply_invitation
from storage.db import Database

# Telegram takes 4096 characters a message; a long district goes in several.
MESSAGE_LIMIT = 3800

add_errors(
    {
        "not_district": N_(
            "Sorry, only a contact of the branch's district can see that. Nothing was changed."
        ),
        "invite_role": N_("That invitation is not one a district makes. Nothing was changed."),
    }
)

INVITATION = N_(
    "Send this invitation to {whom}: {link}\nIt can be used once within 14 days; "
    "you approve them when they have joined."
)


@renderer(district_reports.TEMPLATE)
async def summary_message(t: Translator, db: Database, params: dict) -> Rendered:
    """Already in the recipient's language, chosen when it was queued with its file."""
    return Rendered(params["text"])


class BranchSummary(Button, prefix="district:branch", audience=Audience.DISTRICT):
    branch_id: int


class InviteToBranch(Button, prefix="district:invite", audience=Audience.DISTRICT):
    branch_id: int
    role: InviteRole


INVITE_LABELS = {
    InviteRole.INSTRUCTOR: NP_("button", "➕ Invite an instructor"),
    InviteRole.PATRON: NP_("button", "➕ Invite a patron"),
}


def line_text(t: Translator, line: Line, *, names: bool) -> str:
    text = f"• {line.text(t)}"
    if names and line.names:
        shown = list(line.names[:NAMES_SHOWN])
        more = len(line.names) - len(shown)
        if more > 0:
            shown.append(t.ngettext("{n} more", "{n} more", more))
        text += "\n  " + t.join(shown)
    return text


def branch_text(t: Translator, figures: BranchFigures, *, names: bool) -> str:
    lines = [figures.branch.name] + [line_text(t, line, names=names) for line in figures.lines]
    return "\n".join(lines)


async def district(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    if not me.has(Role.DISTRICT):
        await update.effective_message.reply_text(error_text(t, DomainError("not_district")))
        return
    moment = now(context)
    quarter = periods.quarter_of(moment.astimezone(context.settings.tz).date())
    for district_id in me.districts_where(Role.DISTRICT):
        seen = await district_figures.overview(
            context.db, me, district_id, quarter, moment, context.settings.tz
        )
        heading = t.gettext(
            "{district}: the branches in {period}",
            district=seen.name,
            period=quarterly_feedback.period_label(t, quarter),
        )
        if not seen.branches:
            await update.effective_message.reply_text(
                heading + "\n\n" + t.gettext("The district has no branches yet.")
            )
            continue
        parts = [heading] + [branch_text(t, f, names=False) for f in seen.branches]
        keyboard = InlineKeyboardMarkup(
            [[BranchSummary(f.branch.id).button(f"📋 {f.branch.name}")] for f in seen.branches]
        )
        messages = chunks(parts, MESSAGE_LIMIT)
        for chunk in messages[:-1]:
            await update.effective_message.reply_text(chunk)
        await update.effective_message.reply_text(messages[-1], reply_markup=keyboard)


@on_press(BranchSummary)
async def branch_summary(update: Update, context: BotContext, query, t, pressed, me) -> None:
    moment = now(context)
    quarter = periods.quarter_of(moment.astimezone(context.settings.tz).date())
    figures = await or_alert(
        query,
        t,
        district_figures.branch_summary(
            context.db, me, pressed.branch_id, quarter, moment, context.settings.tz
        ),
    )
    if figures is None:
        return
    await answer_query(query)
    heading = t.gettext(
        "Summary of {branch}, {period} (read only)",
        branch=figures.branch.name,
        period=quarterly_feedback.period_label(t, quarter),
    )
    body = "\n".join(line_text(t, line, names=True) for line in figures.lines)
    keyboard = InlineKeyboardMarkup(
        [
            [InviteToBranch(figures.branch.id, role).button(t.pgettext("button", label))]
            for role, label in INVITE_LABELS.items()
        ]
    )
    await update.effective_message.reply_text(f"{heading}\n\n{body}", reply_markup=keyboard)


@on_press(InviteToBranch)
async def invite_to_branch(update: Update, context: BotContext, query, t, pressed, me) -> None:
    invite = await or_alert(
        query, t, districts.invite_for_branch(context.db, me, pressed.branch_id, pressed.role)
    )
    if invite is None:
        return
    await answer_query(query)
    whom = (
        t.gettext("the branch's party-building instructor")
        if pressed.role is InviteRole.INSTRUCTOR
        else t.gettext("the branch's county patron")
    )
    await reply_invitation(update, context, t, INVITATION, invite.code, whom=whom)


def handlers() -> list:
    return [
        CommandHandler("district", district),
        BranchSummary.handler(branch_summary),
        InviteToBranch.handler(invite_to_branch),
    ]
