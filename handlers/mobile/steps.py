"""The steps of the mobile-member conversations.

The values are persisted (ptb_conversations, as JSON strings): a conversation left open
goes on at its step after a restart. Keep a value when renaming a member, or add a
migration rewriting the stored rows.
"""

from __future__ import annotations

from enum import StrEnum

from domain.mobile.rules import ALL_FIELDS, REPORT_FIELDS


class MemberStep(StrEnum):
    """The member's conversation ("mobile"): a registration's fields one by one and its
    review, or a status report's answers and the changes it reports."""

    DESTINATION = "mob.f.destination"
    ADDRESS = "mob.f.address"
    EMPLOYER = "mob.f.employer"
    ORG = "mob.f.org"
    ORG_CONTACT = "mob.f.org_contact"
    ORG_PHONE = "mob.f.org_phone"
    DEPARTURE = "mob.f.departure"
    EXPECTED_RETURN = "mob.f.expected_return"
    REASON = "mob.f.reason"
    PHONE = "mob.f.phone"
    ORIGIN_BRANCH = "mob.f.origin_branch"
    ORIGIN_CONTACT = "mob.f.origin_contact"
    ORIGIN_PHONE = "mob.f.origin_phone"
    ARRIVAL = "mob.f.arrival"
    REVIEW = "mob.review"
    WHEREABOUTS = "mob.r.whereabouts"
    STUDY = "mob.r.study"
    ACTIVITIES = "mob.r.activities"
    CHANGES = "mob.changes"
    CHANGE_VALUE = "mob.change_value"


class NoteStep(StrEnum):
    """The secretary's conversation ("mobile_secretary"): the note a decision needs."""

    NOTE = "mob.note"


# The step that asks each field, and each status report question.
FIELD_STEP = {field: MemberStep(f"mob.f.{field}") for field in ALL_FIELDS}
REPORT_STEP = {field: MemberStep(f"mob.r.{field}") for field in REPORT_FIELDS}
