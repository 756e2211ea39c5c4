"""Every button of the democratic appraisal, declared once (handlers/buttons.py). Each
carries the round it is about; the domain checks the presser against that round's branch
and its stage, so a forged or old press changes nothing.

Most presses carry only the round (`round_id`) or a participant of it (`person_id` too); a
confirmation (`-ok`) carries the same data as the press that asked for it."""

from __future__ import annotations

from domain.access import Audience
from domain.appraisal.models import Disposal, Grade, Stage
from handlers.buttons import Button, family

MEMBER, SECRETARY = Audience.MEMBER, Audience.SECRETARY


class OnRound:
    round_id: int


class OnPerson(OnRound):
    person_id: int


# ------------------------------------------------------------------ the secretary's


# Ask to open the year's round, and open it; ask to move the round on from the stage seen,
# and move it.
OpenRound, OpenConfirmed = family(SECRETARY, "appraisal:open", "appraisal:open-ok", year=int)
Forward, ForwardConfirmed = family(
    SECRETARY, "appraisal:forward", "appraisal:forward-ok", round_id=int, seen=Stage
)


class SetGrade(OnPerson, Button, prefix="appraisal:grade", audience=SECRETARY):
    grade: Grade


# The round's participants, and its file (XLSX).
People, Export = family(SECRETARY, "appraisal:people", "appraisal:export", round_id=int)
# One participant (summary, counts, grade and disposal), and how a 限期改正 has gone.
Someone, FollowUp = family(
    SECRETARY, "appraisal:person", "appraisal:follow-up", round_id=int, person_id=int
)


class NoNote(Button, prefix="appraisal:no-note", audience=SECRETARY):
    """Grade without a comment (where no reason is due)."""


# A disposal of a participant graded 不合格, asked and confirmed.
Dispose, DisposeConfirmed = family(
    SECRETARY,
    "appraisal:dispose",
    "appraisal:dispose-ok",
    round_id=int,
    person_id=int,
    kind=Disposal,
)


# ------------------------------------------------------------------ a participant's


class Rate(OnRound, Button, prefix="appraisal:rate", audience=MEMBER):
    ratee_id: int
    grade: Grade


# Write (or revise) one's summary; rate the other participants, skip the comment on the one
# just rated, submit the whole ballot, or start it over.
WriteSummary, StartBallot, NoComment, CastBallot, RestartBallot = family(
    MEMBER,
    "appraisal:summary",
    "appraisal:ballot",
    "appraisal:no-comment",
    "appraisal:cast",
    "appraisal:restart",
    round_id=int,
)
