"""Every button of member development, declared once (handlers/buttons.py). Each is
re-checked in domain/development/: the secretary's against the file's own branch, a
file's view against who may read it, an opinion against the notice's branch."""

from __future__ import annotations

from domain.access import Audience
from handlers.buttons import Button

# ---- reading a file -----------------------------------------------------------------------


class OpenFile(Button, prefix="development:open", audience=Audience.EVERYONE):
    """A file's timeline: its secretary, the person and their 培养联系人 (checked)."""

    file_id: int


# ---- the secretary ------------------------------------------------------------------------


class NewFile(Button, prefix="development:new", audience=Audience.SECRETARY):
    branch_id: int


class NewApplicant(Button, prefix="development:new-applicant", audience=Audience.SECRETARY):
    branch_id: int


class StartActivist(Button, prefix="development:start-activist", audience=Audience.SECRETARY):
    person_id: int


class RecordStep(Button, prefix="development:step", audience=Audience.SECRETARY):
    file_id: int
    step: str


class Introducers(Button, prefix="development:introducers", audience=Audience.SECRETARY):
    file_id: int


class ToggleIntroducer(Button, prefix="development:introducer-toggle", audience=Audience.SECRETARY):
    file_id: int
    person_id: int


class StartNotice(Button, prefix="development:notice", audience=Audience.SECRETARY):
    file_id: int


class NoticeDays(Button, prefix="development:notice-days", audience=Audience.SECRETARY):
    """A proposed period of the notice, in working days."""

    days: int


class UseContact(Button, prefix="development:notice-contact", audience=Audience.SECRETARY):
    """The secretary's own name and phone as the notice's contact."""


class Publish(Button, prefix="development:notice-publish", audience=Audience.SECRETARY):
    pass


class CloseNotice(Button, prefix="development:notice-close", audience=Audience.SECRETARY):
    notice_id: int
    passed: bool


class ShowOpinions(Button, prefix="development:opinions", audience=Audience.SECRETARY):
    notice_id: int


# ---- the 培养联系人 and every member -------------------------------------------------------


class WriteReview(Button, prefix="development:review", audience=Audience.MEMBER):
    """A 考察 note: the file's 培养联系人 (or its secretary, checked)."""

    file_id: int


class Opinion(Button, prefix="development:opinion", audience=Audience.MEMBER):
    """An opinion on a public notice, sent privately to the secretaries."""

    notice_id: int
