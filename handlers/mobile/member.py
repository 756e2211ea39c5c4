"""/mobile for the member: their registration, what they can do with it (a status report,
their return, their certificate), and /verify for anyone holding a certificate's code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.context import BotContext
from domain.access import Actor
from domain.errors import DomainError
from domain.i18n import Translator
from domain.mobile import certificates, lists, registrations, returns
from domain.mobile.models import Certificate, Direction, Registration, RegStatus
from domain.mobile.registrations import Overview
from domain.mobile.reports import report_due
from handlers.common import (
    answer_and_drop,
    answer_query,
    branch_zone,
    error_text,
    my_today,
    now,
    tr,
    who,
)
from handlers.conversation import on_press
from handlers.mobile.buttons import (
    Register,
    Returned,
    ReturnedForGood,
    ShowCertificate,
    StartReport,
)
from handlers.mobile.views import certificate_line, certificate_message, registration_text


async def show(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    try:
        seen = await registrations.overview(context.db, await who(update, context))
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    registration = seen.registration
    if registration is None:
        keyboard = InlineKeyboardMarkup(
            [
                [Register(Direction.OUTFLOW).button(t.pgettext("button", "🚶 Register outflow"))],
                [Register(Direction.INFLOW).button(t.pgettext("button", "🏠 Register inflow"))],
            ]
        )
        await update.effective_message.reply_text(
            t.gettext(
                "You have no mobile-member registration. Are you leaving to work or live elsewhere (outflow), or did you move into this community (inflow)?"
            ),
            reply_markup=keyboard,
        )
        return
    lines = [t.gettext("Your mobile-member registration:"), *registration_text(t, registration)]
    if seen.certificate is not None:
        lines.append(certificate_line(t, seen.certificate))
    due = report_due(registration, seen.settings)
    if due is not None:
        zone = await branch_zone(context, registration.branch_id)
        lines.append(
            t.gettext("Next status report due: {day}", day=t.date(due.astimezone(zone).date()))
        )
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=_actions(t, registration, seen.certificate)
    )


def _actions(
    t: Translator, registration: Registration, certificate: Certificate | None
) -> InlineKeyboardMarkup | None:
    rows = []
    if registration.status is RegStatus.ACTIVE:
        rows.append([StartReport(registration.id).button(t.pgettext("button", "📝 Status report"))])
        if registration.direction is Direction.OUTFLOW:
            rows.append(
                [Returned(registration.id).button(t.pgettext("button", "🏠 I have returned"))]
            )
    if certificate is not None and not certificate.revoked:
        rows.append(
            [
                ShowCertificate(registration.id).button(
                    t.pgettext("button", "🪪 Show my certificate")
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


# ---- one press each: the return, the certificate ------------------------------------------

# What a press on the member's own registration does, given the update, the presser's
# language and who they are, and what /mobile would show them.
Act = Callable[[Update, BotContext, Translator, Actor, Overview], Awaitable[None]]
OwnButton = type[Returned] | type[ReturnedForGood] | type[ShowCertificate]


def on_own(codec: OwnButton, act: Act) -> CallbackQueryHandler:
    """The handler of `codec`'s presses, for the presser's own open registration only; a
    refusal is an alert on the button."""

    @on_press()
    async def pressed(update: Update, context: BotContext, t, me) -> None:
        try:
            seen = await registrations.overview(context.db, me)
            mine = seen.registration
            if mine is None or mine.id != codec.of(update).registration_id:
                raise DomainError("registration_unknown")
            await act(update, context, t, me, seen)
        except DomainError as exc:
            await answer_query(update.callback_query, error_text(t, exc), alert=True)

    return codec.handler(pressed)


async def ask_return(
    update: Update, context: BotContext, t: Translator, me: Actor, seen: Overview
) -> None:
    await answer_query(update.callback_query)
    confirm = ReturnedForGood(seen.registration.id)
    keyboard = InlineKeyboardMarkup([[confirm.button(t.pgettext("button", "✅ Yes, I am back"))]])
    await update.effective_message.reply_text(
        t.gettext("Have you come back for good? This ends your outflow registration."),
        reply_markup=keyboard,
    )


async def confirm_return(
    update: Update, context: BotContext, t: Translator, me: Actor, seen: Overview
) -> None:
    await returns.request_return(context.db, me, seen.registration.id)
    await answer_and_drop(update.callback_query)
    await update.effective_message.reply_text(
        t.gettext(
            "Welcome back! Please hand your activity certificate back to the branch secretary; the secretary will then close your outflow registration."
        )
    )


async def show_certificate(
    update: Update, context: BotContext, t: Translator, me: Actor, seen: Overview
) -> None:
    if seen.certificate is None:
        raise DomainError("no_valid_certificate")
    await answer_query(update.callback_query)
    branch_name = await lists.branch_name(context.db, seen.registration.branch_id)
    caption, card = await certificate_message(context, t, seen.certificate, branch_name)
    if card is None:
        await update.effective_message.reply_text(caption)
    else:
        await update.effective_message.reply_photo(card, caption=caption)


# ---- /verify ------------------------------------------------------------------------------


async def verify_command(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    if not context.args:
        await update.effective_message.reply_text(
            t.gettext("Send /verify followed by the code printed on the certificate.")
        )
        return
    await reply_verification(update, context, context.args[0])


async def reply_verification(update: Update, context: BotContext, code: str) -> None:
    """Also the answer to a scanned QR code (`/start verify-CODE`)."""
    t = await tr(update, context)
    try:
        found = await certificates.verify(
            context.db,
            code,
            await my_today(update, context),
            telegram_id=update.effective_user.id,
            now=now(context),
        )
    except DomainError as exc:
        await update.effective_message.reply_text("❌ " + error_text(t, exc))
        return
    facts = t.gettext(
        "Holder: {name}\nBranch: {branch}\nValid until: {day}",
        name=found.holder,
        branch=found.branch,
        day=t.date(found.valid_until),
    )
    verdict = (
        t.gettext("✅ This certificate is genuine and valid.")
        if found.valid
        else t.gettext("⚠️ This certificate is genuine but no longer valid.")
    )
    await update.effective_message.reply_text(f"{verdict}\n{facts}")
