"""/export: branch data as XLSX files; /audit: the branch's audit log, page by page."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Literal

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain import exports
from domain.access import Audience
from domain.appraisal.models import Disposal
from domain.appraisal.record import TOO_FEW, TooFew
from domain.errors import DomainError
from domain.feature_exports import MobileEventKind
from domain.hours import Counting
from domain.i18n import N_, LabelledEnum, Translator
from domain.mobile.models import Direction, RegStatus
from domain.models import Category
from domain.post_models import ClaimStatus
from domain.spreadsheets import Sheet, write_workbook
from handlers.appraisal.views import DISPOSAL_NAMES
from handlers.branch_choice import acting_branch, branch_command, branch_or_ask
from handlers.buttons import Button
from handlers.common import (
    answer_query,
    branch_today,
    branch_zone,
    edit_text,
    error_text,
    tr,
    who,
)
from handlers.console import XLSX, send_file
from handlers.conversation import on_press
from handlers.hours import COUNTING_LABELS
from handlers.labels import CATEGORY_NAMES
from handlers.mobile.views import DIRECTION_NAMES, EVENT_NAMES
from handlers.mobile.views import STATUS_NAMES as MOBILE_STATUS_NAMES
from handlers.posts.views import CLAIM_NAMES


class PickExport(Button, prefix="export", audience=Audience.SECRETARY):
    key: str  # exports.EXPORTS
    period: Literal["d7", "d30", "year"] | None = None  # exports.PERIOD_CHOICES, if dated


class AuditPage(Button, prefix="audit", audience=Audience.SECRETARY):
    page: int  # 0: the newest entries


AUDIT_PAGE = 10
_TYPED = "export_typed"  # /export's arguments while a secretary of several chooses the branch

# Every audit action by name (tests/test_audit_names.py finds every code the code records).
ACTION_NAMES = {
    "branch.created": N_("branch created"),
    "district.created": N_("district created"),
    "resident_unit.registered": N_("resident unit registered"),
    "cobuild.requested": N_("co-building request sent to a resident unit"),
    "resident_unit.edited": N_("resident unit's record edited"),
    "resident_unit.invited": N_("resident unit's contact invited"),
    "resident_unit.contact_left": N_("resident unit's contact left"),
    "cobuild.agreement": N_("co-building agreement recorded"),
    "cobuild.answered": N_("co-building request answered"),
    "cobuild.opinion": N_("resident unit's yearly opinion given"),
    "development.started": N_("member development file opened"),
    "development.step": N_("development step recorded"),
    "development.review": N_("cultivation review (考察) written"),
    "development.introducer_chosen": N_("cultivation contact (培养联系人) assigned"),
    "development.introducer_removed": N_("cultivation contact removed"),
    "development.notice_started": N_("public notice (公示) started"),
    "development.notice_closed": N_("public notice closed"),
    "development.outcome": N_("outcome of a public notice recorded"),
    "development.opinion": N_("opinion sent during a public notice"),
    "secretary.granted": N_("secretary appointed"),
    "secretary.removed": N_("secretary removed"),
    "secretary.replaced": N_("secretary replaced by another account"),
    "invite.created": N_("invitation created"),
    "invite.claimed": N_("personal invitation used"),
    "join.requested": N_("request to join the branch"),
    "join.approved": N_("request to join the branch approved"),
    "join.rejected": N_("request to join the branch rejected"),
    "roster.imported": N_("roster imported"),
    "person.imported": N_("member imported"),
    "person.departed": N_("departure recorded"),
    "person.erased": N_("personal data erased"),
    "broadcast.sent": N_("broadcast sent"),
    "chat.linked": N_("group chat linked"),
    "digest.scheduled": N_("summary schedule set"),
    "unit.created": N_("unit added"),
    "unit.chat_linked": N_("unit's group chat linked"),
    "cadre.registration_submitted": N_("cadre registration submitted"),
    "cadre.registration_confirmed": N_("cadre registration confirmed"),
    "cadre.registration_rejected": N_("cadre registration rejected"),
    "cadre.leave": N_("cadre's leave recorded"),
    "cadre.remark": N_("remark on a cadre"),
    "cadre.feedback_resent": N_("unit feedback sent again"),
    "event.created": N_("event created"),
    "event.answered": N_("event answered"),
    "event.checked_in": N_("checked in at an event"),
    "event.checked_out": N_("checked out of an event"),
    "event.marked_present": N_("marked present at an event"),
    "hours.logged": N_("hours logged"),
    "hours.edited": N_("hours edited"),
    "hours.withdrawn": N_("hours withdrawn"),
    "hours.approved": N_("hours approved"),
    "hours.rejected": N_("hours rejected"),
    "hours.corrected": N_("hours corrected"),
    "hours.credited": N_("event hours credited"),
    "hours.window_set": N_("hours window set"),
    "hours.counting_set": N_("hours counting set"),
    "mobile.submitted": N_("mobile-member registration submitted"),
    "mobile.approved": N_("mobile-member registration approved"),
    "mobile.rejected": N_("mobile-member registration rejected"),
    "mobile.certificate_issued": N_("activity certificate issued"),
    "mobile.certificate_renewed": N_("activity certificate renewed"),
    "mobile.certificate_revoked": N_("activity certificate revoked"),
    "mobile.report": N_("mobile member's status report"),
    "mobile.return_requested": N_("mobile member reported return"),
    "mobile.returned": N_("mobile member's return confirmed"),
    "mobile.ended": N_("inflow ended"),
    "mobile.contacted": N_("mobile member contacted"),
    "mobile.change_approved": N_("mobile-member changes approved"),
    "mobile.change_rejected": N_("mobile-member changes not approved"),
    "mobile.settings": N_("mobile-member settings changed"),
    "posts.seeded": N_("posts set up"),
    "posts.added": N_("post added"),
    "posts.duties_edited": N_("post duties edited"),
    "posts.capacity_set": N_("post capacity set"),
    "posts.limit_set": N_("posts per member set"),
    "posts.retired": N_("post retired"),
    "posts.stage_forward": N_("posts stage moved on"),
    "posts.stage_back": N_("posts stage moved back"),
    "posts.published": N_("post holders published"),
    "posts.survey_answered": N_("posts survey answered"),
    "posts.claimed": N_("post claimed"),
    "posts.waiting": N_("on a post's waiting list"),
    "posts.promoted": N_("moved up from a post's waiting list"),
    "posts.claim_approved": N_("post claim approved"),
    "posts.claim_rejected": N_("post claim rejected"),
    "posts.withdrawn": N_("post claim withdrawn"),
    "posts.leave_asked": N_("asked to leave a post"),
    "posts.leave_agreed": N_("leaving a post agreed"),
    "posts.leave_refused": N_("leaving a post not agreed"),
    "posts.duty_recorded": N_("duty recorded"),
    "posts.request_noted": N_("resident's request noted"),
    "posts.assessed": N_("post holder assessed"),
    "appraisal.opened": N_("democratic appraisal opened"),
    "appraisal.stage": N_("democratic appraisal moved to its next stage"),
    "appraisal.closed": N_("democratic appraisal closed"),
    "appraisal.submitted": N_("personal summary submitted"),
    "appraisal.rated": N_("appraisal ballot cast"),
    "appraisal.graded": N_("final appraisal grade set"),
    "appraisal.disposed": N_("disposal of an unqualified member decided"),
    "appraisal.followed_up": N_("correction followed up"),
    "instructor.assigned": N_("instructor assigned"),
    "instructor.unassigned": N_("instructor's assignment ended"),
    "instructor.note_filed": N_("instructor's monthly note filed"),
    "targets.set": N_("creation targets recorded"),
    "pledge.recorded": N_("responsibility pledge recorded"),
    "assessment.entered": N_("year-end assessment entered"),
}

# How the features' codes read in their sheets; a code without a name shows as it is.
ENUM_LABELS: dict[type, dict[Any, str]] = {
    Direction: DIRECTION_NAMES,
    Counting: COUNTING_LABELS,
    RegStatus: MOBILE_STATUS_NAMES,
    MobileEventKind: EVENT_NAMES,
    ClaimStatus: CLAIM_NAMES
    | {ClaimStatus.REJECTED: N_("rejected"), ClaimStatus.WITHDRAWN: N_("withdrawn")},
    exports.AuditAction: ACTION_NAMES,
    Disposal: DISPOSAL_NAMES,
    TooFew: {TOO_FEW: N_("too few to show")},
}


def cell(t: Translator, value: Any, tz) -> Any:
    if isinstance(value, Category):
        return t.gettext(CATEGORY_NAMES[value])
    if isinstance(value, LabelledEnum):
        return t.gettext(value.label)
    if isinstance(value, bool):
        return t.gettext("yes") if value else t.gettext("no")
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None)
    if type(value) in ENUM_LABELS:
        name = ENUM_LABELS[type(value)].get(value)
        return t.gettext(name) if name else str(value)
    if isinstance(value, Enum):
        return str(value)
    return value


def workbook(t: Translator, built: exports.Built, tz) -> bytes:
    export = built.export
    return write_workbook(
        [
            Sheet(
                t.gettext(export.title),
                [t.gettext(h) for h in export.headers],
                [[cell(t, v, tz) for v in row] for row in built.rows],
            )
        ]
    )


def export_keyboard(t: Translator) -> InlineKeyboardMarkup:
    rows = []
    for export in exports.EXPORTS.values():
        title = t.gettext(export.title)
        if not export.dated:
            rows.append([PickExport(export.key).button(title)])
            continue
        for choice, label in exports.PERIOD_CHOICES.items():
            text = f"{title} · {t.gettext(label)}"
            rows.append([PickExport(export.key, choice).button(text)])
    return InlineKeyboardMarkup(rows)


async def show_exports(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    # A command has its own args; the press on a branch button resumes the typed ones.
    typed = context.user_data.pop(_TYPED, [])
    args = context.args if context.args is not None else typed
    try:
        branch_id = await branch_or_ask(update, context, me, "export")
        if branch_id is None:
            context.user_data[_TYPED] = list(args)
            return  # asked which branch; the press goes on for it
        if len(args) == 3:
            period = exports.period_typed(args[1], args[2], await branch_today(context, branch_id))
            await send_export(update, context, t, branch_id, args[0], period)
            return
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await update.effective_message.reply_text(
        t.gettext(
            "What would you like to export? For another period send, for example, /export audit 2026-01-01 2026-03-31."
        ),
        reply_markup=export_keyboard(t),
    )


async def send_export(
    update: Update,
    context: BotContext,
    t: Translator,
    branch_id: int,
    key: str,
    period: exports.Period | None,
) -> None:
    tz = await branch_zone(context, branch_id)
    me = await who(update, context)
    # Refusals come before the progress message, which is deleted when the file is sent.
    exports.check(me, branch_id, key, period)
    progress = await update.effective_message.reply_text(t.gettext("Preparing the file…"))
    try:
        built = await exports.build(context.db, me, branch_id, key, period, tz)
        title = t.gettext(built.export.title)
        if built.period:
            title += f" {built.period.start}~{built.period.end}"
        await send_file(
            update,
            workbook(t, built, tz),
            title + XLSX,
            t.ngettext("{title}: {n} row.", "{title}: {n} rows.", len(built.rows), title=title),
        )
    finally:
        await progress.delete()


@on_press(PickExport)
async def export_pressed(update: Update, context: BotContext, query, t, pressed) -> None:
    try:
        branch_id = acting_branch(context, await who(update, context))
        today = await branch_today(context, branch_id)
        period = exports.period_choice(pressed.period, today) if pressed.period else None
        await answer_query(query)
        await send_export(update, context, t, branch_id, pressed.key, period)
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)


def audit_line(t: Translator, entry: dict, tz) -> str:
    when = t.datetime(datetime.fromisoformat(entry["at"]), tz)
    action = ACTION_NAMES.get(entry["action"])
    name = entry["actor_name"] or (f"#{entry['actor_id']}" if entry["actor_id"] else "—")
    subject = f"{entry['subject_type']} #{entry['subject_id']}" if entry["subject_id"] else ""
    return f"{when} · {name} · {t.gettext(action) if action else entry['action']} {subject}"


async def audit_page(update: Update, context: BotContext, page: int) -> tuple[str, Any]:
    t = await tr(update, context)
    me = await who(update, context)
    branch_id = acting_branch(context, me)
    entries = await exports.audit_page(context.db, me, branch_id, page, AUDIT_PAGE)
    tz = await branch_zone(context, branch_id)
    shown = entries[:AUDIT_PAGE]
    if not shown:
        return t.gettext("The audit log has no entries here."), None
    lines = [t.gettext("Audit log, page {page} (newest first):", page=page + 1), ""]
    lines += [audit_line(t, e, tz) for e in shown]
    buttons = []
    if page > 0:
        buttons.append(AuditPage(page - 1).button(t.gettext("◀ Newer")))
    if len(entries) > AUDIT_PAGE:
        buttons.append(AuditPage(page + 1).button(t.gettext("Older ▶")))
    return "\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


async def show_audit(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    try:
        if await branch_or_ask(update, context, await who(update, context), "audit") is None:
            return  # asked which branch; the press shows its log
        text, markup = await audit_page(update, context, 0)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await update.effective_message.reply_text(text, reply_markup=markup)


@on_press()
async def audit_pressed(update: Update, context: BotContext, query, t) -> None:
    try:
        text, markup = await audit_page(update, context, AuditPage.of(update).page)
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query)
    await edit_text(query, text, markup)


def handlers() -> list:
    return [
        *branch_command("export", show_exports),
        *branch_command("audit", show_audit),
        PickExport.handler(export_pressed),
        AuditPage.handler(audit_pressed),
    ]
