"""Resident units (驻区单位) and co-building in the chat: the secretary's list and unit
cards (cards.py), registering and editing a unit (registry.py), agreements and requests
(asking.py), the unit contact's answers, the yearly opinion and the year's record both
sides see (answering.py)."""

from __future__ import annotations

from telegram.ext import ConversationHandler

from domain.i18n import N_
from handlers.common import add_errors
from handlers.resident_units import answering, asking, cards, registry

add_errors(
    {
        "resident_unit_name_too_short": N_("Please type the unit's full name."),
        "resident_unit_name_too_long": N_("That name is too long (at most {max} characters)."),
        "resident_contact_name_too_short": N_("Please type the contact person's name."),
        "resident_contact_name_too_long": N_("That name is too long (at most {max} characters)."),
        "resident_unit_exists": N_("The branch has a unit named {name} already."),
        "resident_unit_unknown": N_("That unit is not registered."),
        "resident_contact_unknown": N_("That person does not speak for the unit (any more)."),
        "not_resident_contact": N_("Only the contact of that resident unit can do this."),
        "cobuild_request_unknown": N_("That request does not exist."),
        "cobuild_answered": N_("This request has been answered already; nothing was changed."),
        "cobuild_opinion_given": N_(
            "Your unit has given its opinion for {year} already; nothing was changed."
        ),
        "cobuild_date_past": N_("That day is long past. Please type a coming day."),
        "cobuild_date_far": N_("That is more than a year ahead. Please type a nearer day."),
        "cobuild_request_text_too_short": N_("Please describe the request in a few words."),
        "cobuild_request_text_too_long": N_("That is too long (at most {max} characters)."),
        "cobuild_commits_too_short": N_("Please write what is committed, in a few words."),
        "cobuild_commits_too_long": N_("That is too long (at most {max} characters)."),
        "cobuild_answer_too_short": N_("Please write a few words."),
        "cobuild_answer_too_long": N_("That is too long (at most {max} characters)."),
        "cobuild_opinion_too_short": N_("Please write your opinion in a few words."),
        "cobuild_opinion_too_long": N_("That is too long (at most {max} characters)."),
        "invite_resident_unit_missing": N_(
            "A resident unit's invitation needs the unit: --resident-unit ID."
        ),
    }
)


def conversations() -> list[ConversationHandler]:
    return [registry.conversation(), *asking.conversations(), *answering.conversations()]


def handlers() -> list:
    return [*cards.handlers(), *answering.handlers()]
