"""Every button of the democratic appraisal, declared once (handlers/buttons.py). Each
carries the round it is about; the domain checks the presser against that round's branch
and its stage, so a forged or old press changes nothing.

Most presses carry only the round (`OnRound`) or a participant of it (`OnPerson`); a
confirmation (`-ok`) carries the same data as the press that asked for it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.access import Audience
from domain.appraisal.models import Disposal, Grade, Stage
from handlers.buttons import Button

MEMBER, SECRETARY = Audience.MEMBER, Audience.SECRETARY


@dataclass(frozen=True)
class OnRound:
    round_id: int


@dataclass(frozen=True)
class OnPerson(OnRound):
    person_id: int


# ------------------------------------------------------------------ the secretary's


class OpenRound(Button, prefix="appraisal:open", audience=SECRETARY):
    year: int


class OpenConfirmed(OpenRound, prefix="appraisal:open-ok", audience=SECRETARY):
    pass


class Forward(OnRound, Button, prefix="appraisal:forward", audience=SECRETARY):
    seen: Stage


class ForwardConfirmed(Forward, prefix="appraisal:forward-ok", audience=SECRETARY):
    pass


class People(OnRound, Button, prefix="appraisal:people", audience=SECRETARY):
    """The round's participants."""


class Someone(OnPerson, Button, prefix="appraisal:person", audience=SECRETARY):
    """One participant: summary, counts, grade and disposal."""


class SetGrade(OnPerson, Button, prefix="appraisal:grade", audience=SECRETARY):
    grade: Grade


class NoNote(Button, prefix="appraisal:no-note", audience=SECRETARY):
    """Grade without a comment (where no reason is due)."""


class Dispose(OnPerson, Button, prefix="appraisal:dispose", audience=SECRETARY):
    kind: Disposal


class DisposeConfirmed(Dispose, prefix="appraisal:dispose-ok", audience=SECRETARY):
    pass


class FollowUp(OnPerson, Button, prefix="appraisal:follow-up", audience=SECRETARY):
    """How a 限期改正 has gone."""


class Export(OnRound, Button, prefix="appraisal:export", audience=SECRETARY):
    """The round's file (XLSX)."""


# ------------------------------------------------------------------ a participant's


class WriteSummary(OnRound, Button, prefix="appraisal:summary", audience=MEMBER):
    """Write (or revise) one's personal summary."""


class StartBallot(OnRound, Button, prefix="appraisal:ballot", audience=MEMBER):
    """Rate the other participants."""


class Rate(OnRound, Button, prefix="appraisal:rate", audience=MEMBER):
    ratee_id: int
    grade: Grade


class NoComment(OnRound, Button, prefix="appraisal:no-comment", audience=MEMBER):
    """No comment on the participant just rated."""


class CastBallot(OnRound, Button, prefix="appraisal:cast", audience=MEMBER):
    """Submit the whole ballot."""


class RestartBallot(OnRound, Button, prefix="appraisal:restart", audience=MEMBER):
    """Start the ballot over."""
