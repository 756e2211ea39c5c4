"""Mobile members (流动党员): registration, approval, certificates, reports, return.

管住、管活、管好: every change of a registration is a new version, never an overwrite; each
step is also an event in the registration's history and in the audit log.

Where each flow lives: `registrations` (registering and the decision), `certificates`
(the activity certificate: issue, renewal, revocation, verification), `reports` (status
reports, reported changes, contacts), `returns` (how a registration ends), `lists` (what a
secretary looks through), `settings` (a branch's periods), `rules` (the fields and their
checks), `models` (the nouns). The names below are the feature's API, handed on from them.
"""

from domain import dates
from domain.mobile.certificates import (
    DATED_TEMPLATE,
    EXPIRING_DAYS,
    EXPIRING_TEMPLATE,
    CertificateCard,
    Verification,
    certificate_number,
    remind_renewals,
    renew,
    revoke,
    verify,
)
from domain.mobile.lists import PAGE_SIZE, Dossier, Page, counts, dossier, listing
from domain.mobile.models import (
    OPEN_STATUSES,
    Certificate,
    Change,
    Direction,
    Event,
    ListKind,
    MobileSettings,
    Registration,
    RegStatus,
    Version,
)
from domain.mobile.registrations import (
    NEW_TEMPLATE,
    REJECTED_TEMPLATE,
    Decided,
    Overview,
    Submitted,
    decide,
    overview,
    submit,
)
from domain.mobile.reports import (
    REPORT_DUE_TEMPLATE,
    REPORT_REMINDERS,
    REPORT_TEMPLATE,
    ChangeDecision,
    Reported,
    contact_overdue,
    decide_change,
    mark_contacted,
    open_change,
    remind_reports,
    report,
    report_due,
)
from domain.mobile.returns import RETURN_TEMPLATE, confirm_return, end_inflow, request_return
from domain.mobile.rules import (
    ALL_FIELDS,
    CHANGEABLE,
    DATES,
    FIELDS,
    NOTE_MAX,
    OPTIONAL,
    REPORT_FIELDS,
    TEXT_MAX,
    check_dates,
    check_details,
    field_value,
    text_field,
)
from domain.mobile.settings import branch_settings, change_settings, check_settings

__all__ = [
    "ALL_FIELDS",
    "CHANGEABLE",
    "DATED_TEMPLATE",
    "DATES",
    "EXPIRING_DAYS",
    "EXPIRING_TEMPLATE",
    "FIELDS",
    "NEW_TEMPLATE",
    "NOTE_MAX",
    "OPEN_STATUSES",
    "OPTIONAL",
    "PAGE_SIZE",
    "REJECTED_TEMPLATE",
    "REPORT_DUE_TEMPLATE",
    "REPORT_FIELDS",
    "REPORT_REMINDERS",
    "REPORT_TEMPLATE",
    "RETURN_TEMPLATE",
    "TEXT_MAX",
    "Certificate",
    "CertificateCard",
    "Change",
    "ChangeDecision",
    "Decided",
    "Direction",
    "Dossier",
    "Event",
    "ListKind",
    "MobileSettings",
    "Overview",
    "Page",
    "RegStatus",
    "Registration",
    "Reported",
    "Submitted",
    "Verification",
    "Version",
    "branch_settings",
    "certificate_number",
    "change_settings",
    "check_dates",
    "check_details",
    "check_settings",
    "confirm_return",
    "contact_overdue",
    "counts",
    "dates",
    "decide",
    "decide_change",
    "dossier",
    "end_inflow",
    "field_value",
    "listing",
    "mark_contacted",
    "open_change",
    "overview",
    "remind_renewals",
    "remind_reports",
    "renew",
    "report",
    "report_due",
    "request_return",
    "revoke",
    "submit",
    "text_field",
    "verify",
]
