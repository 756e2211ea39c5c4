"""Cadres (副科级以上党员干部) under dual management (双重管理) in the chat: the annual
registration conversation (registration.py), the secretary's confirmation
(confirming.py), and the cadre's own /cadre and /away (my_cadre.py)."""

from __future__ import annotations

from domain.i18n import N_
from handlers.cadres.confirming import decide_handlers
from handlers.cadres.my_cadre import my_cadre_handlers
from handlers.cadres.registration import conversation
from handlers.common import add_errors

add_errors(
    {
        "cadre_not_member": N_(
            "Only registered members of a branch can register as cadres. Please join your branch first."
        ),
        "registration_pending": N_(
            "Your registration is already waiting for the secretary's confirmation."
        ),
        "registration_none": N_("You have no earlier registration to renew. Please register."),
        "cadre_registration_unknown": N_("This registration no longer exists."),
        "already_registered": N_("You are already registered for {year}."),
        "unit_missing": N_("Please choose your unit."),
        "unit_unknown": N_("That unit organisation does not exist."),
        "unit_exists": N_("A unit organisation named {name} already exists."),
        "unit_name_too_short": N_(
            "Please enter the full name of the unit (at least 2 characters)."
        ),
        "unit_name_too_long": N_("That name is too long (at most {max} characters)."),
        "position_too_short": N_("Please enter your position (at least 2 characters)."),
        "position_too_long": N_("That is too long (at most {max} characters)."),
        "address_too_short": N_("Please enter your full home address."),
        "address_too_long": N_("That is too long (at most {max} characters)."),
        "rank_invalid": N_("Please choose your rank with the buttons."),
        "leave_date_invalid": N_(
            "Please give a date from today up to a year ahead, like 2026-12-31."
        ),
        "leave_note_too_long": N_("That is too long (at most {max} characters)."),
        "not_unit_contact": N_("Only the contact of a unit party organisation can do that."),
        "link_code_unknown": N_("This link code is not valid or was already used."),
        "remark_too_short": N_("Please write a remark of at least 2 characters."),
        "remark_too_long": N_("That is too long (at most {max} characters)."),
    }
)


def handlers() -> list:
    return [*my_cadre_handlers(), *decide_handlers()]


__all__ = ["conversation", "handlers"]
