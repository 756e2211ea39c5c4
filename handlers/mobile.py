"""/mobile: the member's registration as outflow (外出) or inflow (流入), status reports,
return, the certificate; and /verify for anyone."""

from __future__ import annotations

import re
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from domain import mobile
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, Translator
from domain.mobile_models import Direction, RegStatus
from handlers.common import (
    answer_query,
    branch_zone,
    drop_buttons,
    error_text,
    my_today,
    now,
    parse_callback,
    tr,
    who,
)
from handlers.conversation import CANCEL_HINT, answer_stale, offer
from handlers.mobile_views import (
    DAY_DATA,
    FIELD_LABELS,
    MONTH_DATA,
    certificate_message,
    date_picker,
    details_lines,
    field_value_text,
    labelled,
    registration_text,
)
from storage import branches

DRAFT, REPORT = "mobile", "mobile_report"
REVIEW, CHANGES, CHANGE_VALUE = "mob.review", "mob.changes", "mob.change_value"
FIELD_STATE = {field: f"mob.f.{field}" for field in mobile.ALL_FIELDS}
REPORT_STATE = {field: f"mob.r.{field}" for field in mobile.REPORT_FIELDS}

PROMPTS: dict[str, str] = {
    "destination": N_(
        "Where are you going? Please give the province and city (e.g. Hangzhou, Zhejiang)."
    ),
    "address": N_("What is your address there?"),
    "employer": N_("Who is your employer, or what work will you do?"),
    "org": N_(
        "Which party organisation will you join there? If you do not know yet, press the button."
    ),
    "org_contact": N_("Who is the contact person of that party organisation?"),
    "org_phone": N_("What is the contact person's phone number?"),
    "departure": N_("When do you leave (or when did you leave)? Type the date or pick it."),
    "expected_return": N_("When do you expect to come back? Type the date or pick it."),
    "reason": N_("Why are you going? Choose or type the reason."),
    "phone": N_("On which phone number can the branch reach you?"),
    "origin_branch": N_("Which party branch do you come from?"),
    "origin_contact": N_("Who is the contact person at that branch?"),
    "origin_phone": N_("What is that contact person's phone number?"),
    "arrival": N_("When did you arrive in the community? Type the date or pick it."),
    "whereabouts": N_("Where are you now, and what work are you doing?"),
    "study": N_("What have you studied recently (documents, lessons)?"),
    "activities": N_("Which party activities have you joined?"),
}
REASONS: dict[str, str] = {
    "work": N_("Work"),
    "business": N_("Business"),
    "study": N_("Study"),
    "family": N_("Moving with family"),
}

_NEW = re.compile(r"mob:new:(outflow|inflow)")
_EDIT = re.compile(r"mob:edit:([a-z_]{1,20})")
_REASON = re.compile(r"mob:why:([a-z]{1,10})")
_ID = re.compile(r"mob:(rep|ret|retok|cert):(\d{1,12})")
_CHANGE = re.compile(r"mob:chg:([a-z_]{1,20})")


# ---- /mobile ------------------------------------------------------------------------------


async def show(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    try:
        seen = await mobile.overview(context.db, await who(update, context))
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    registration = seen.registration
    if registration is None:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t.pgettext("button", "🚶 Register outflow"),
                        callback_data="mob:new:outflow",
                    )
                ],
                [
                    InlineKeyboardButton(
                        t.pgettext("button", "🏠 Register inflow"), callback_data="mob:new:inflow"
                    )
                ],
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
        lines.append(
            t.gettext(
                "Certificate {number}, valid until {day}",
                number=seen.certificate.number,
                day=t.date(seen.certificate.valid_until),
            )
        )
    due = mobile.report_due(registration, seen.settings)
    if due is not None:
        lines.append(
            t.gettext(
                "Next status report due: {day}",
                day=t.date(
                    due.astimezone(await branch_zone(context, registration.branch_id)).date()
                ),
            )
        )
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=_actions(t, registration, seen.certificate)
    )


def _actions(t: Translator, registration, certificate) -> InlineKeyboardMarkup | None:
    rows = []
    if registration.status is RegStatus.ACTIVE:
        rows.append(
            [
                InlineKeyboardButton(
                    t.pgettext("button", "📝 Status report"),
                    callback_data=f"mob:rep:{registration.id}",
                )
            ]
        )
        if registration.direction is Direction.OUTFLOW:
            rows.append(
                [
                    InlineKeyboardButton(
                        t.pgettext("button", "🏠 I have returned"),
                        callback_data=f"mob:ret:{registration.id}",
                    )
                ]
            )
    if certificate is not None and not certificate.revoked:
        rows.append(
            [
                InlineKeyboardButton(
                    t.pgettext("button", "🪪 Show my certificate"),
                    callback_data=f"mob:cert:{registration.id}",
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


# ---- registering --------------------------------------------------------------------------


def _draft(context: BotContext) -> dict:
    return context.user_data[DRAFT]


async def begin(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _NEW)
    await answer_query(query)
    await drop_buttons(query)
    try:
        seen = await mobile.overview(context.db, await who(update, context))
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    direction = Direction(match.group(1))
    if seen.registration is not None:
        # Checked again on submit; said now so nobody fills in ten fields for nothing.
        same = seen.registration.direction is direction
        code = f"{direction}_already_open" if same else "other_direction_open"
        await update.effective_message.reply_text(error_text(t, DomainError(code)))
        return ConversationHandler.END
    context.user_data[DRAFT] = {"direction": str(direction), "details": {}, "editing": False}
    await update.effective_message.reply_text(t.gettext(CANCEL_HINT))
    return await _ask(update, context, t, mobile.FIELDS[direction][0])


async def _ask(update: Update, context: BotContext, t: Translator, field: str) -> str:
    rows = []
    if field in mobile.OPTIONAL:
        rows.append(
            [InlineKeyboardButton(t.pgettext("button", "Not known yet"), callback_data="mob:skip")]
        )
    if field == "reason":
        rows += [
            [InlineKeyboardButton(t.gettext(label), callback_data=f"mob:why:{key}")]
            for key, label in REASONS.items()
        ]
    if field == "phone":
        # The number given when joining is offered rather than typed again.
        me = (await who(update, context)).person
        if me is not None and me.phone:
            rows.append(
                [
                    InlineKeyboardButton(
                        t.gettext("📞 Use {phone}", phone=me.phone), callback_data="mob:phone"
                    )
                ]
            )
    markup = InlineKeyboardMarkup(rows) if rows else None
    if field in mobile.DATES:
        markup = _picker(t, await my_today(update, context))
    _draft(context)["field"] = field
    if markup is None:
        await update.effective_message.reply_text(t.gettext(PROMPTS[field]))
    else:
        await offer(update, context, t.gettext(PROMPTS[field]), markup)
    return FIELD_STATE[field]


def _picker(t: Translator, today: date) -> InlineKeyboardMarkup:
    return date_picker(t, today.year, today.month)


async def _accept(update: Update, context: BotContext, t: Translator, value: str) -> str:
    """Store one field's checked value and go on: the next field, or back to the review."""
    draft = _draft(context)
    field, direction = draft["field"], Direction(draft["direction"])
    today = await my_today(update, context)
    try:
        checked = mobile.field_value(field, value, today) if value else ""
        mobile.check_dates(draft["details"] | {field: checked}, today)
    except DomainError as exc:
        if field in mobile.DATES:
            # A fresh picker comes with the refusal and takes the place of the one above.
            await offer(update, context, error_text(t, exc), _picker(t, today))
        else:
            await update.effective_message.reply_text(error_text(t, exc))
        return FIELD_STATE[field]
    draft["details"][field] = checked
    if field == "org" and not checked:
        draft["details"].update(org_contact="", org_phone="")
    order = mobile.FIELDS[direction]
    remaining = [f for f in order[order.index(field) + 1 :] if f not in draft["details"]]
    if draft["editing"] or not remaining:
        return await _review(update, context, t)
    return await _ask(update, context, t, remaining[0])


async def typed(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    return await _accept(update, context, t, update.effective_message.text)


async def skipped(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    await answer_query(update.callback_query)
    await drop_buttons(update.callback_query)
    return await _accept(update, context, t, "")


async def phone_chosen(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    me = (await who(update, context)).person
    if _draft(context).get("field") != "phone" or me is None or not me.phone:
        await answer_stale(update.callback_query, t)
        return FIELD_STATE[_draft(context).get("field", "phone")]
    await answer_query(update.callback_query)
    await drop_buttons(update.callback_query)
    return await _accept(update, context, t, me.phone)


async def reason_chosen(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _REASON)
    if match is None or match.group(1) not in REASONS:
        await answer_stale(query, t)
        return FIELD_STATE["reason"]
    await answer_query(query)
    await drop_buttons(query)
    return await _accept(update, context, t, t.gettext(REASONS[match.group(1)]))


async def day_picked(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, DAY_DATA)
    field = _draft(context)["field"]
    if match is None:
        await answer_stale(query, t)
        return FIELD_STATE[field]
    await answer_query(query)
    await drop_buttons(query)
    return await _accept(update, context, t, match.group(1))


async def month_turned(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, MONTH_DATA)
    field = _draft(context)["field"]
    if match is None or not 1 <= int(match.group(2)) <= 12:
        await answer_stale(query, t)
        return FIELD_STATE[field]
    await answer_query(query)
    await query.edit_message_reply_markup(date_picker(t, int(match.group(1)), int(match.group(2))))
    return FIELD_STATE[field]


async def noop(update: Update, context: BotContext) -> None:
    """The picker's title and blank cells: nothing to do."""
    await answer_query(update.callback_query)


async def _review(update: Update, context: BotContext, t: Translator) -> str:
    draft = _draft(context)
    draft["editing"] = True
    direction = Direction(draft["direction"])
    lines = [t.gettext("Please check your registration:")]
    lines += details_lines(t, direction, draft["details"])
    rows = [
        [
            InlineKeyboardButton(
                "✏️ " + t.gettext(FIELD_LABELS[field]),
                callback_data=f"mob:edit:{field}",
            )
        ]
        for field in mobile.FIELDS[direction]
    ]
    rows.append(
        [InlineKeyboardButton(t.pgettext("button", "✅ Submit"), callback_data="mob:submit")]
    )
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows)
    )
    return REVIEW


async def edit(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _EDIT)
    direction = Direction(_draft(context)["direction"])
    if match is None or match.group(1) not in mobile.FIELDS[direction]:
        await answer_stale(query, t)
        return REVIEW
    await answer_query(query)
    await drop_buttons(query)
    return await _ask(update, context, t, match.group(1))


async def submit(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    t = await tr(update, context)
    draft = _draft(context)
    await answer_query(query)
    try:
        submitted = await mobile.submit(
            context.db,
            await who(update, context),
            Direction(draft["direction"]),
            draft["details"],
            await my_today(update, context),
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        if isinstance(exc, InvalidInput):
            return REVIEW
        context.user_data.pop(DRAFT, None)
        return ConversationHandler.END
    await drop_buttons(query)
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(
        t.gettext(
            "Thank you. Your registration has been sent to the secretary of {branch}. I will tell you the decision here.",
            branch=submitted.branch.name,
        )
    )
    return ConversationHandler.END


# ---- status report ------------------------------------------------------------------------


async def begin_report(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _ID)
    await answer_query(query)
    try:
        registration = (await mobile.overview(context.db, await who(update, context))).registration
        if match is None or registration is None or registration.id != int(match.group(2)):
            raise DomainError("registration_unknown")
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    await drop_buttons(query)
    context.user_data[REPORT] = {
        "id": registration.id,
        "direction": str(registration.direction),
        "answers": {},
        "changes": {},
    }
    await update.effective_message.reply_text(
        t.gettext(CANCEL_HINT) + "\n" + t.gettext(PROMPTS[mobile.REPORT_FIELDS[0]])
    )
    return REPORT_STATE[mobile.REPORT_FIELDS[0]]


def _report_answer(field: str):
    async def answered(update: Update, context: BotContext) -> str:
        t = await tr(update, context)
        try:
            value = mobile.text_field(update.effective_message.text, mobile.NOTE_MAX)
        except DomainError as exc:
            await update.effective_message.reply_text(error_text(t, exc))
            return REPORT_STATE[field]
        context.user_data[REPORT]["answers"][field] = value
        order = mobile.REPORT_FIELDS
        if field != order[-1]:
            following = order[order.index(field) + 1]
            await update.effective_message.reply_text(t.gettext(PROMPTS[following]))
            return REPORT_STATE[following]
        return await _changes(update, context, t)

    return answered


async def _changes(update: Update, context: BotContext, t: Translator) -> str:
    draft = context.user_data[REPORT]
    direction = Direction(draft["direction"])
    lines = [t.gettext("Has anything changed? Choose what to update, or send the report.")]
    lines += [
        labelled(t, FIELD_LABELS[f], field_value_text(t, f, v)) for f, v in draft["changes"].items()
    ]
    rows = [
        [
            InlineKeyboardButton(
                "✏️ " + t.gettext(FIELD_LABELS[field]),
                callback_data=f"mob:chg:{field}",
            )
        ]
        for field in mobile.CHANGEABLE[direction]
    ]
    rows.append(
        [
            InlineKeyboardButton(
                t.pgettext("button", "✅ Send the report"), callback_data="mob:repsend"
            )
        ]
    )
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows)
    )
    return CHANGES


async def change_chosen(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _CHANGE)
    draft = context.user_data[REPORT]
    if match is None or match.group(1) not in mobile.CHANGEABLE[Direction(draft["direction"])]:
        await answer_stale(query, t)
        return CHANGES
    await answer_query(query)
    await drop_buttons(query)
    draft["field"] = match.group(1)
    await update.effective_message.reply_text(
        t.gettext(
            "Please type the new value of “{field}”.",
            field=t.gettext(FIELD_LABELS[match.group(1)]),
        )
    )
    return CHANGE_VALUE


async def change_typed(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    draft = context.user_data[REPORT]
    try:
        value = mobile.field_value(
            draft["field"], update.effective_message.text, await my_today(update, context)
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return CHANGE_VALUE
    draft["changes"][draft["field"]] = value
    return await _changes(update, context, t)


async def send_report(update: Update, context: BotContext) -> int | str:
    query = update.callback_query
    t = await tr(update, context)
    draft = context.user_data.pop(REPORT)
    await answer_query(query)
    await drop_buttons(query)
    try:
        reported = await mobile.report(
            context.db,
            await who(update, context),
            draft["id"],
            draft["answers"],
            draft["changes"],
            await my_today(update, context),
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    thanks = t.gettext(
        "Thank you, your report is recorded (version {version}).",
        version=reported.registration.version,
    )
    if reported.change is not None:
        thanks += "\n" + t.gettext(
            "Your changes take effect when the secretary approves them; I will tell you."
        )
    await update.effective_message.reply_text(thanks)
    return ConversationHandler.END


# ---- return and the certificate (no conversation: one press each) -------------------------


async def by_id(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _ID)
    if match is None:
        await answer_stale(query, t)
        return
    action, registration_id = match.group(1), int(match.group(2))
    me = await who(update, context)
    try:
        seen = await mobile.overview(context.db, me)
        if seen.registration is None or seen.registration.id != registration_id:
            raise DomainError("registration_unknown")
        if action == "ret":
            await answer_query(query)
            await _ask_return(update, t, registration_id)
        elif action == "retok":
            await mobile.request_return(context.db, me, registration_id)
            await answer_query(query)
            await drop_buttons(query)
            await update.effective_message.reply_text(
                t.gettext(
                    "Welcome back! Please hand your activity certificate back to the branch secretary; the secretary will then close your outflow registration."
                )
            )
        else:
            if seen.certificate is None:
                raise DomainError("no_valid_certificate")
            await answer_query(query)
            await send_certificate(update, context, t, seen.certificate, seen.registration)
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)


async def _ask_return(update: Update, t: Translator, registration_id: int) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✅ Yes, I am back"),
                    callback_data=f"mob:retok:{registration_id}",
                )
            ]
        ]
    )
    await update.effective_message.reply_text(
        t.gettext("Have you come back for good? This ends your outflow registration."),
        reply_markup=keyboard,
    )


async def send_certificate(update: Update, context: BotContext, t, certificate, registration):
    branch = await branches.get(context.db, registration.branch_id)
    caption, card = await certificate_message(context, t, certificate, branch.name)
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
        found = await mobile.verify(
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


# ---- wiring -------------------------------------------------------------------------------


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    context.user_data.pop(DRAFT, None)
    context.user_data.pop(REPORT, None)
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


def _field_handlers(field: str) -> list:
    found = [MessageHandler(filters.TEXT & ~filters.COMMAND, typed)]
    if field in mobile.OPTIONAL:
        found.append(CallbackQueryHandler(skipped, pattern=r"^mob:skip$"))
    if field == "reason":
        found.append(CallbackQueryHandler(reason_chosen, pattern=r"^mob:why:"))
    if field == "phone":
        found.append(CallbackQueryHandler(phone_chosen, pattern=r"^mob:phone$"))
    if field in mobile.DATES:
        found += [
            CallbackQueryHandler(day_picked, pattern=r"^mob:d:"),
            CallbackQueryHandler(month_turned, pattern=r"^mob:dm:"),
            CallbackQueryHandler(noop, pattern=r"^mob:noop$"),
        ]
    return found


def conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    states: dict[object, list] = {
        state: _field_handlers(field) for field, state in FIELD_STATE.items()
    }
    states |= {
        state: [MessageHandler(text, _report_answer(field))]
        for field, state in REPORT_STATE.items()
    }
    states[REVIEW] = [
        CallbackQueryHandler(edit, pattern=r"^mob:edit:"),
        CallbackQueryHandler(submit, pattern=r"^mob:submit$"),
    ]
    states[CHANGES] = [
        CallbackQueryHandler(change_chosen, pattern=r"^mob:chg:"),
        CallbackQueryHandler(send_report, pattern=r"^mob:repsend$"),
    ]
    states[CHANGE_VALUE] = [MessageHandler(text, change_typed)]
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(begin, pattern=r"^mob:new:(outflow|inflow)$"),
            CallbackQueryHandler(begin_report, pattern=r"^mob:rep:\d{1,12}$"),
        ],
        states=states,
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(filters.ALL & ~filters.COMMAND, unexpected),
            CallbackQueryHandler(
                unexpected, pattern=r"^mob:(skip|why:|d:|dm:|edit:|submit|chg:|repsend|noop)"
            ),
        ],
        allow_reentry=True,
        name="mobile",
        persistent=True,
    )


def handlers() -> list:
    return [
        CommandHandler("mobile", show),
        CommandHandler("verify", verify_command),
        CallbackQueryHandler(by_id, pattern=r"^mob:(ret|retok|cert):"),
    ]
