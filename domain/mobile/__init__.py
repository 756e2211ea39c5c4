"""Mobile members (流动党员): registration, approval, certificates, reports, return.

管住、管活、管好: every change of a registration is a new version, never an overwrite; each
step is also an event in the registration's history and in the audit log.

Where each flow lives: `registrations` (registering and the decision), `certificates`
(the activity certificate: issue, renewal, revocation, verification), `reports` (status
reports, reported changes, contacts), `returns` (how a registration ends), `lists` (what a
secretary looks through), `settings` (a branch's periods), `rules` (the fields and their
checks), `models` (the nouns), `history` (what every step shares). The names below are
the feature's entry points (the jobs, the command line, the tests), handed on from them.
"""

from domain import dates
from domain.mobile.certificates import certificate_number, remind_renewals, renew, revoke, verify
from domain.mobile.lists import counts, dossier, listing
from domain.mobile.models import MobileSettings, Registration
from domain.mobile.registrations import decide, overview, submit
from domain.mobile.reports import (
    REPORT_REMINDERS,
    contact_overdue,
    decide_change,
    mark_contacted,
    remind_reports,
    report,
    report_due,
)
from domain.mobile.returns import confirm_return, end_inflow, request_return
from domain.mobile.rules import check_details
from domain.mobile.settings import branch_settings, change_settings, check_settings

__all__ = [
    "REPORT_REMINDERS",
    "MobileSettings",
    "Registration",
    "branch_settings",
    "certificate_number",
    "change_settings",
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
    "listing",
    "mark_contacted",
    "overview",
    "remind_renewals",
    "remind_reports",
    "renew",
    "report",
    "report_due",
    "request_return",
    "revoke",
    "submit",
    "verify",
]
