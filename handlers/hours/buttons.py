"""Every button of /hours, declared once (handlers/buttons.py): who may press it and what
it carries. The domain checks the role and the values again on each press."""

from __future__ import annotations

from typing import Literal

from domain.access import Audience
from domain.activity import ActivityKind
from domain.hours import Counting
from handlers.buttons import Button, family

# ---------------------------------------------------------------- a member's own hours


class LogHours(Button, prefix="hours:log", audience=Audience.MEMBER):
    pass


class MyTotals(Button, prefix="hours:totals", audience=Audience.MEMBER):
    """This quarter and this year, or the week or the month instead."""

    period: Literal["week", "month"] | None = None


class MyHistory(Button, prefix="hours:history", audience=Audience.MEMBER):
    page: int


Edit, Withdraw = family(Audience.MEMBER, "hours:edit", "hours:withdraw", record_id=int)


# ---------------------------------------------------------------- logging


class Kind(Button, prefix="hours:kind", audience=Audience.MEMBER):
    kind: ActivityKind


class Day(Button, prefix="hours:day", audience=Audience.MEMBER):
    day: Literal["today", "yesterday", "pick"]


class Amount(Button, prefix="hours:amount", audience=Audience.MEMBER):
    half_hours: int


class NoPhoto(Button, prefix="hours:no-photo", audience=Audience.MEMBER):
    pass


Submit, Cancel = family(Audience.MEMBER, "hours:submit", "hours:cancel")


class EditAmount(Button, prefix="hours:edit-amount", audience=Audience.MEMBER):
    half_hours: int


# ---------------------------------------------------------------- the secretary's


class ToApprove(Button, prefix="hours:pending", audience=Audience.SECRETARY):
    pass


class Register(Button, prefix="hours:branch", audience=Audience.SECRETARY):
    """The branch's register of this quarter."""


class Window(Button, prefix="hours:window", audience=Audience.SECRETARY):
    """How many days back members may log; without `days`, the question."""

    days: int | None = None


class Count(Button, prefix="hours:count", audience=Audience.SECRETARY):
    """What the branch's summaries count; without `counting`, the question."""

    counting: Counting | None = None


Approve, Reject, Correct = family(
    Audience.SECRETARY, "hours:approve", "hours:reject", "hours:correct", record_id=int
)


class CorrectAmount(Button, prefix="hours:correct-amount", audience=Audience.SECRETARY):
    half_hours: int
