"""What a registration holds: its fields by direction, and the checks each answer passes."""

from __future__ import annotations

from datetime import date, timedelta

from domain import dates, validation
from domain.errors import InvalidInput
from domain.mobile.models import Direction

OUTFLOW_FIELDS = (
    "destination",
    "address",
    "employer",
    "org",
    "org_contact",
    "org_phone",
    "departure",
    "expected_return",
    "reason",
    "phone",
)
INFLOW_FIELDS = (
    "origin_branch",
    "origin_contact",
    "origin_phone",
    "address",
    "employer",
    "arrival",
    "phone",
)
ALL_FIELDS = tuple(dict.fromkeys(OUTFLOW_FIELDS + INFLOW_FIELDS))
FIELDS = {Direction.OUTFLOW: OUTFLOW_FIELDS, Direction.INFLOW: INFLOW_FIELDS}

# The destination organisation is often not known yet when a member leaves.
OPTIONAL = frozenset({"org", "org_contact", "org_phone"})
PHONES = frozenset({"org_phone", "origin_phone", "phone"})
DATES = frozenset({"departure", "expected_return", "arrival"})

# What a status report may change (the rest would be a new registration).
CHANGEABLE = {
    Direction.OUTFLOW: ("destination", "address", "employer", "org", "org_contact", "org_phone"),
    Direction.INFLOW: ("address", "employer", "phone"),
}
REPORT_FIELDS = ("whereabouts", "study", "activities")

TEXT_MAX = 200
NOTE_MAX = 500
PAST_DAYS = 3650
AHEAD_DAYS = 365


def text_field(value: str, limit: int = TEXT_MAX) -> str:
    cleaned = validation.clean_text(value).replace("\n", " ")
    if not cleaned:
        raise InvalidInput("text_empty")
    if len(cleaned) > limit:
        raise InvalidInput("text_too_long", max=limit)
    return cleaned


def field_value(field: str, value: str, today: date) -> str:
    """One field as typed, checked and normalised on its own (dates as YYYY-MM-DD)."""
    if field in PHONES:
        return validation.mainland_phone(value)
    if field in DATES:
        day = dates.parse_date(value, today)
        if not dates.within(day, today, past_days=PAST_DAYS, future_days=10 * AHEAD_DAYS):
            raise InvalidInput("date_out_of_range")
        return day.isoformat()
    return text_field(value)


def check_dates(details: dict[str, str], today: date) -> None:
    """The rules between dates; also run on every single date step, with what is known."""
    for field in ("departure", "arrival"):
        if details.get(field) and date.fromisoformat(details[field]) > today + timedelta(
            days=AHEAD_DAYS
        ):
            raise InvalidInput("date_too_far_ahead", days=AHEAD_DAYS)
    departure, back = details.get("departure"), details.get("expected_return")
    if departure and back and date.fromisoformat(back) <= date.fromisoformat(departure):
        raise InvalidInput("return_before_departure")


def check_details(direction: Direction, details: dict[str, str], today: date) -> dict[str, str]:
    """The whole registration, as confirmed on the review screen."""
    checked: dict[str, str] = {}
    for field in FIELDS[direction]:
        value = details.get(field)
        if not value:
            if field in OPTIONAL:
                continue
            raise InvalidInput("field_missing", field=field)
        checked[field] = field_value(field, value, today)
    if not checked.get("org"):
        # Contact details of an organisation nobody named mean nothing.
        checked.pop("org_contact", None)
        checked.pop("org_phone", None)
    check_dates(checked, today)
    return checked
