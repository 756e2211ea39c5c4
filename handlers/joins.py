"""The secretary's side of joining: the request with Approve / Reject, and the outcome."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import admin, onboarding
from domain.access import Audience, actor
from domain.errors import Conflict, DomainError
from domain.i18n import N_, Translator
from domain.models import Category, InviteRole, Role
from handlers.buttons import Button, family, matching
from handlers.cadres.registration import StartRegistration
from handlers.common import answer_query, drop_buttons, error_text, who
from handlers.conversation import decision_keyboard, on_press
from handlers.flow_kit import text_renderer
from handlers.labels import CATEGORY_NAMES
from handlers.menu import help_text
from storage.db import Database

Approve, Reject = family(Audience.SECRETARY, "join:approve", "join:reject", request_id=int)
# An instructor's or a patron's request, decided by the district contact of the branch.
ApproveForDistrict, RejectForDistrict = family(
    Audience.DISTRICT, "join:district-approve", "join:district-reject", request_id=int
)
# A district contact's request, decided by a county contact.
ApproveForCounty, RejectForCounty = family(
    Audience.COUNTY, "join:county-approve", "join:county-reject", request_id=int
)


def _buttons(role: str) -> tuple[type[Button], type[Button]]:
    if role == InviteRole.DISTRICT:
        return ApproveForCounty, RejectForCounty
    if role in onboarding.DECIDED_BY_DISTRICT:
        return ApproveForDistrict, RejectForDistrict
    return Approve, Reject


@renderer(onboarding.REQUEST_TEMPLATE)
async def request_message(t: Translator, db: Database, params: dict) -> Rendered:
    request_id = params["request"]
    approve, reject = _buttons(params["role"])
    return Rendered(
        request_text(t, params), decision_keyboard(t, approve(request_id), reject(request_id))
    )


def request_text(t: Translator, params: dict) -> str:
    heading = (
        t.gettext(
            "New request to become a contact of the district {district}:", district=params["branch"]
        )
        if params["role"] == InviteRole.DISTRICT
        else t.gettext("New request to join the branch {branch}:", branch=params["branch"])
    )
    lines = [
        heading,
        t.gettext("Name: {name}", name=params["name"]),
        t.gettext("Phone: {phone}", phone=params["phone"] or "—"),
    ]
    if params["category"]:
        category = t.gettext(CATEGORY_NAMES[Category(params["category"])])
        lines.append(t.gettext("Category: {category}", category=category))
    if params["role"] == InviteRole.CADRE:
        lines.append(t.gettext("Joins as: cadre living in the community"))
    elif params["role"] in onboarding.CONTACT_INVITES:
        lines.append(contact_line(t, params))
    return "\n".join(lines)


# What each newer contact role joins as, for the decider; none becomes a member by it.
CONTACT_LINES = {
    InviteRole.DISTRICT: N_(
        "Joins as: contact of the district party working committee. They will see the "
        "figures of the district's branches and receive the quarterly district summary; "
        "they do not become a member of any branch."
    ),
    InviteRole.INSTRUCTOR: N_(
        "Joins as: party-building instructor of the branch. They will see the branch's work "
        "read-only, without members' contact details; they do not become a member of the "
        "branch."
    ),
    InviteRole.PATRON: N_(
        "Joins as: county patron of the community. They will receive the branch's quarterly "
        "summary; they do not become a member of the branch."
    ),
}


def contact_line(t: Translator, params: dict) -> str:
    """What the decider lets in: whose contact, what they will receive, and no member."""
    if params["role"] == InviteRole.RESIDENT_UNIT:
        return t.gettext(
            "Joins as: contact of the resident unit {unit}, which co-builds with the branch. "
            "They will answer the branch's requests and give the unit's yearly opinion; they "
            "do not become a member of the branch.",
            unit=params.get("unit") or "—",
        )
    if params["role"] in CONTACT_LINES:
        return t.gettext(CONTACT_LINES[InviteRole(params["role"])])
    if params["role"] == InviteRole.COUNTY:
        return t.gettext(
            "Joins as: contact of the county organisation department. They will receive the "
            "half-yearly report on the cadres under dual management; they do not become a "
            "member of the branch."
        )
    return t.gettext(
        "Joins as: contact of the unit party organisation {unit}. They will receive the "
        "quarterly feedback on that unit's cadres living in the community; they do not "
        "become a member of the branch.",
        unit=params.get("unit") or "—",
    )


WELCOMES = {
    InviteRole.DISTRICT: N_(
        "You are registered as a contact of the district party working committee {place}: "
        "/district shows the figures of its branches, and each quarter you will receive "
        "the district summary."
    ),
    InviteRole.INSTRUCTOR: N_("You are registered as the party-building instructor of {place}."),
    InviteRole.PATRON: N_(
        "You are registered as the county patron of {place}: each quarter you will receive "
        "its summary."
    ),
}


@renderer(onboarding.APPROVED_TEMPLATE)
async def approved_message(t: Translator, db: Database, params: dict) -> Rendered:
    role = params.get("role")
    if role == InviteRole.UNIT:
        welcome = t.gettext(
            "You are registered as the contact of the unit party organisation {unit}: each "
            "quarter you will receive feedback on your unit's cadres in the community.",
            unit=params.get("unit") or "—",
        )
    elif role == InviteRole.RESIDENT_UNIT:
        welcome = t.gettext(
            "You are registered as the contact of the resident unit {unit}: the branch's "
            "requests to your unit reach you here, and /cobuild shows this year's co-building.",
            unit=params.get("unit") or "—",
        )
    elif role == InviteRole.COUNTY:
        welcome = t.gettext(
            "You are registered as the contact of the county organisation department: every "
            "half year you will receive the report on the cadres under dual management in "
            "{branch}.",
            branch=params["branch"],
        )
    elif role in WELCOMES:
        welcome = t.gettext(WELCOMES[InviteRole(role)], place=params["branch"])
    else:
        welcome = t.gettext(
            "Your application to {branch} has been approved. Welcome!", branch=params["branch"]
        )
    someone = await actor(db, params["telegram_id"])
    text = f"{welcome}\n\n{help_text(t, someone)}"
    contact = role in onboarding.CONTACT_INVITES
    if contact or someone.person is None or someone.person.category != Category.CADRE:
        return Rendered(text)
    # A cadre's first task is the year's registration: one press away from the welcome.
    invitation = t.gettext("As a cadre, please register for this year now:")
    button = StartRegistration().button(t.pgettext("button", "📝 Register now"))
    return Rendered(f"{text}\n\n{invitation}", InlineKeyboardMarkup([[button]]))


@renderer(admin.HANDOVER_TEMPLATE)
async def handover_message(t: Translator, db: Database, params: dict) -> Rendered:
    """To an account that took over as secretary: what waits comes with or after this."""
    me = await actor(db, params["telegram_id"])
    waiting = await onboarding.waiting_count(db, me)
    intro = t.gettext(
        "You are now the secretary of {branch}. Everything waiting for a decision is in /pending.",
        branch=params["branch"],
    )
    return Rendered(f"{intro}\n\n{help_text(t, me, waiting)}")


text_renderer(
    onboarding.REJECTED_TEMPLATE,
    N_(
        "Your application to {branch} was not approved. Please contact your branch "
        "secretary if you think this is a mistake."
    ),
)


@on_press()
async def decide(update: Update, context: BotContext, query, t) -> None:
    pressed = _pressed(update)
    approve = isinstance(pressed, (Approve, ApproveForDistrict, ApproveForCounty))
    me = await who(update, context)
    try:
        decision = await onboarding.decide(
            context.db,
            me,
            pressed.request_id,
            approve=approve,
            deciding_as=DECIDES_AS[type(pressed)],
        )
    except Conflict as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        await drop_buttons(query)
        return
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    applicant = decision.applicant
    outcome = (
        t.gettext("✅ Approved: {name}", name=applicant.display_name)
        if approve
        else t.gettext("❌ Rejected: {name}", name=applicant.display_name)
    )
    await answer_query(query, outcome)
    await query.edit_message_text(f"{query.message.text}\n\n{outcome}")


# Whom each decision button is for: the domain refuses it on a request another decides.
DECIDES_AS: dict[type[Button], Role] = {
    Approve: Role.SECRETARY,
    Reject: Role.SECRETARY,
    ApproveForDistrict: Role.DISTRICT,
    RejectForDistrict: Role.DISTRICT,
    ApproveForCounty: Role.COUNTY,
    RejectForCounty: Role.COUNTY,
}
DECISION_BUTTONS = tuple(DECIDES_AS)


def _pressed(update: Update) -> Button:
    data = update.callback_query.data
    codec = matching(data)  # the handler's pattern matched: one of DECISION_BUTTONS
    assert codec in DECISION_BUTTONS
    return codec.of(update)


def handlers() -> list:
    return [button.handler(decide) for button in DECISION_BUTTONS]
