"""Every button of member development, declared once (handlers/buttons.py). Each is
re-checked in domain/development/: the secretary's against the file's own branch, a
file's view against who may read it, an opinion against the notice's branch.

Most presses are about one file (`OnFile`) or one public notice (`OnNotice`)."""

from __future__ import annotations

from domain.access import Audience
from handlers.buttons import Button, family

EVERYONE, MEMBER, SECRETARY = Audience.EVERYONE, Audience.MEMBER, Audience.SECRETARY


class OnFile:
    file_id: int


class OnNotice:
    notice_id: int


# ---- reading a file -----------------------------------------------------------------------


class OpenFile(OnFile, Button, prefix="development:open", audience=EVERYONE):
    """A file's timeline: its secretary, the person and their 培养联系人 (checked)."""


# ---- the secretary ------------------------------------------------------------------------


# A new file, or a new applicant, in the branch.
NewFile, NewApplicant = family(
    SECRETARY, "development:new", "development:new-applicant", branch_id=int
)


class StartActivist(Button, prefix="development:start-activist", audience=SECRETARY):
    person_id: int


class RecordStep(OnFile, Button, prefix="development:step", audience=SECRETARY):
    step: str


class Introducers(OnFile, Button, prefix="development:introducers", audience=SECRETARY):
    """Choose the file's introducers (入党介绍人)."""


class ToggleIntroducer(OnFile, Button, prefix="development:introducer-toggle", audience=SECRETARY):
    person_id: int


class StartNotice(OnFile, Button, prefix="development:notice", audience=SECRETARY):
    """The public notice (公示) of the file's stage."""


class NoticeDays(Button, prefix="development:notice-days", audience=SECRETARY):
    """A proposed period of the notice, in working days."""

    days: int


class UseContact(Button, prefix="development:notice-contact", audience=SECRETARY):
    """The secretary's own name and phone as the notice's contact."""


class Publish(Button, prefix="development:notice-publish", audience=SECRETARY):
    """Publish the notice as previewed."""


class CloseNotice(OnNotice, Button, prefix="development:notice-close", audience=SECRETARY):
    passed: bool


class ShowOpinions(OnNotice, Button, prefix="development:opinions", audience=SECRETARY):
    """The opinions sent on the notice."""


# ---- the 培养联系人 and every member -------------------------------------------------------


class WriteReview(OnFile, Button, prefix="development:review", audience=MEMBER):
    """A 考察 note: the file's 培养联系人 (or its secretary, checked)."""


class Opinion(OnNotice, Button, prefix="development:opinion", audience=MEMBER):
    """An opinion on a public notice, sent privately to the secretaries."""
