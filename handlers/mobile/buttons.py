"""Every button of the mobile-member feature, declared once (handlers/buttons.py).

The old `mob:…` data of buttons still in chats matches none of these and is answered as
stale. A member's buttons are for everyone: each acts only on the presser's own
registration (checked in domain/mobile/). A secretary's are re-checked against the
registration's own branch.
"""

from __future__ import annotations

from typing import Literal

from domain.access import Audience
from domain.mobile.models import Direction, ListKind
from handlers.buttons import Button, family

# ---- the member: registering --------------------------------------------------------------


class Register(Button, prefix="mobile:register", audience=Audience.EVERYONE):
    direction: Direction


class NotKnownYet(Button, prefix="mobile:not-known", audience=Audience.EVERYONE):
    """An optional field (the organisation there) left empty."""


class UsePhone(Button, prefix="mobile:use-phone", audience=Audience.EVERYONE):
    """The phone number given when joining, instead of typing it again."""


class Reason(Button, prefix="mobile:reason", audience=Audience.EVERYONE):
    reason: Literal["work", "business", "study", "family"]


class Day(Button, prefix="mobile:day", audience=Audience.EVERYONE):
    """A day of the date picker; the date is checked again when it is pressed."""

    year: int
    month: int
    day: int


class Month(Button, prefix="mobile:month", audience=Audience.EVERYONE):
    """The date picker turned to another month."""

    year: int
    month: int


class Blank(Button, prefix="mobile:calendar-blank", audience=Audience.EVERYONE):
    """The picker's title and empty cells: nothing to do."""


class Edit(Button, prefix="mobile:edit", audience=Audience.EVERYONE):
    """A field of the review screen to type again."""

    field: str


class Submit(Button, prefix="mobile:submit", audience=Audience.EVERYONE):
    pass


# ---- the member: status report, return, certificate --------------------------------------


class StartReport(Button, prefix="mobile:report", audience=Audience.EVERYONE):
    registration_id: int


class ChangeField(Button, prefix="mobile:change", audience=Audience.EVERYONE):
    """A detail the status report says has changed."""

    field: str


class SendReport(Button, prefix="mobile:send-report", audience=Audience.EVERYONE):
    pass


# "I have returned" asks whether for good.
Returned, ReturnedForGood = family(
    Audience.EVERYONE, "mobile:returned", "mobile:returned-for-good", registration_id=int
)


class ShowCertificate(Button, prefix="mobile:certificate", audience=Audience.EVERYONE):
    registration_id: int


# ---- the secretary ------------------------------------------------------------------------


Approve, Reject = family(Audience.SECRETARY, "mobile:approve", "mobile:reject", registration_id=int)


class Open(Button, prefix="mobile:open", audience=Audience.SECRETARY):
    """One member's file (the dossier)."""

    registration_id: int


# The certificate of one registration: renew it, revoke it, or note that it came back.
Renew, Revoke, CertificateReceived = family(
    Audience.SECRETARY,
    "mobile:renew",
    "mobile:revoke",
    "mobile:certificate-received",
    registration_id=int,
)


class MovedAway(Button, prefix="mobile:moved-away", audience=Audience.SECRETARY):
    """An inflow member has left the community."""

    registration_id: int


class Contacted(Button, prefix="mobile:contacted", audience=Audience.SECRETARY):
    registration_id: int


ApproveChanges, RejectChanges = family(
    Audience.SECRETARY, "mobile:changes-approve", "mobile:changes-reject", change_id=int
)


class ListPage(Button, prefix="mobile:list", audience=Audience.SECRETARY):
    branch_id: int
    kind: ListKind
    page: int
