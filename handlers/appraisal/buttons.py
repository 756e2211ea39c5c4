"""Every button of the democratic appraisal, declared once (handlers/buttons.py). Each
carries the round it is about; the domain checks the presser against that round's branch
and its stage, so a forged or old press changes nothing."""

from __future__ import annotations

from domain.access import Audience
from domain.appraisal.models import Disposal, Grade, Stage
from handlers.buttons import Button

MEMBER, SECRETARY = Audience.MEMBER, Audience.SECRETARY

# ------------------------------------------------------------------ the secretary's


class OpenRound(Button, prefix="appraisal:open", audience=SECRETARY):
    year: int


class OpenConfirmed(Button, prefix="appraisal:open-ok", audience=SECRETARY):
    year: int


class Forward(Button, prefix="appraisal:forward", audience=SECRETARY):
    round_id: int
    seen: Stage


class ForwardConfirmed(Button, prefix="appraisal:forward-ok", audience=SECRETARY):
    round_id: int
    seen: Stage


class People(Button, prefix="appraisal:people", audience=SECRETARY):
    round_id: int


class Someone(Button, prefix="appraisal:person", audience=SECRETARY):
    round_id: int
    person_id: int


class SetGrade(Button, prefix="appraisal:grade", audience=SECRETARY):
    round_id: int
    person_id: int
    grade: Grade


class NoNote(Button, prefix="appraisal:no-note", audience=SECRETARY):
    """Grade without a comment (where no reason is due)."""


class Dispose(Button, prefix="appraisal:dispose", audience=SECRETARY):
    round_id: int
    person_id: int
    kind: Disposal


class DisposeConfirmed(Button, prefix="appraisal:dispose-ok", audience=SECRETARY):
    round_id: int
    person_id: int
    kind: Disposal


class FollowUp(Button, prefix="appraisal:follow-up", audience=SECRETARY):
    round_id: int
    person_id: int


class Export(Button, prefix="appraisal:export", audience=SECRETARY):
    round_id: int


# ------------------------------------------------------------------ a participant's


class WriteSummary(Button, prefix="appraisal:summary", audience=MEMBER):
    round_id: int


class StartBallot(Button, prefix="appraisal:ballot", audience=MEMBER):
    round_id: int


class Rate(Button, prefix="appraisal:rate", audience=MEMBER):
    round_id: int
    ratee_id: int
    grade: Grade


class NoComment(Button, prefix="appraisal:no-comment", audience=MEMBER):
    round_id: int


class CastBallot(Button, prefix="appraisal:cast", audience=MEMBER):
    round_id: int


class RestartBallot(Button, prefix="appraisal:restart", audience=MEMBER):
    round_id: int
