"""The round as a file for the branch's records (XLSX, secretary only): participants, away
or not, summary submitted or not, the votes per grade where at least MIN_RATERS rated
(never who gave them), the final grades and the disposals. Rows in the participants' fixed
order, never ranked."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, tzinfo

from domain.access import Actor
from domain.appraisal.ballots import COUNTS_SHOWN, counts_of
from domain.appraisal.models import GRADES, Disposal, Grade, Round
from domain.appraisal.rounds import round_for_secretary
from domain.exports import Export, Period, register
from domain.i18n import N_
from storage import appraisal as store
from storage import appraisal_disposals as disposal_store
from storage.db import Database

log = logging.getLogger(__name__)

# The headers of the vote columns (a msgid each, for /export's translated headers).
GRADE_VOTES = {
    Grade.EXCELLENT: N_("Votes: excellent"),
    Grade.QUALIFIED: N_("Votes: qualified"),
    Grade.BASIC: N_("Votes: basically qualified"),
    Grade.UNQUALIFIED: N_("Votes: unqualified"),
}


@dataclass(frozen=True)
class Line:
    name: str
    outflow: str | None
    submitted: bool
    #: Votes per grade in GRADES order; None before the rating is over or when too few rated.
    votes: tuple[int, ...] | None
    grade: Grade | None
    note: str | None
    disposal: Disposal | None
    # Dates, typed cells in the round's file and /export (docs/i18n.md).
    decided_on: date | None
    deadline: date | None
    follow_up: str | None


class TooFew(str):
    """A vote count nobody may see: fewer than MIN_RATERS rated the person."""


TOO_FEW = TooFew("too-few")


async def _lines(db: Database, round_: Round) -> list[Line]:
    everyone = await store.participants(db, round_.id)
    tallies = await store.tallies(db, round_.id) if round_.stage in COUNTS_SHOWN else {}
    disposals = await disposal_store.disposals(db, round_.id)
    found = []
    for p in everyone:
        counts = counts_of(tallies[p.person_id]) if p.person_id in tallies else None
        d = disposals.get(p.person_id)
        found.append(
            Line(
                name=p.name,
                outflow=p.outflow,
                submitted=p.submitted,
                votes=tuple(counts.votes[g] for g in GRADES) if counts and counts.shown else None,
                grade=p.grade,
                note=p.grade_note,
                disposal=d.kind if d else None,
                decided_on=d.decided_on if d else None,
                deadline=d.deadline if d else None,
                follow_up=d.follow_up if d else None,
            )
        )
    return found


async def lines(db: Database, actor: Actor, round_id: int) -> tuple[Round, list[Line]]:
    round_ = await round_for_secretary(db, actor, round_id)
    found = await _lines(db, round_)
    # Logged, not audited: reading changes nothing (docs/data-retention.md).
    log.info("appraisal round %s exported by person %s", round_id, actor.person.id)
    return round_, found


# The columns of a participant's line, before and after the votes per grade: the same in
# the round's file (handlers/appraisal/deciding.py) and in /export's sheet.
PARTICIPANT_COLUMNS = (N_("Name"), N_("Away (mobile member)"), N_("Summary submitted"))
DECISION_COLUMNS = (
    N_("Final grade"),
    N_("Branch's comment"),
    N_("Disposal"),
    N_("Decided on"),
    N_("Deadline"),
    N_("Follow-up"),
)


async def _export_rows(db: Database, branch_id: int, period: Period | None, tz: tzinfo) -> list:
    """/export's sheet: the branch's latest round (domain/exports.py checked the secretary)."""
    round_ = await store.latest_round(db, branch_id)
    if round_ is None:
        return []
    rows = []
    for line in await _lines(db, round_):
        votes = list(line.votes) if line.votes is not None else [TOO_FEW, "", "", ""]
        rows.append(
            [
                round_.year,
                line.name,
                line.outflow,
                line.submitted,
                *votes,
                line.grade,
                line.note,
                line.disposal,
                line.decided_on,
                line.deadline,
                line.follow_up,
            ]
        )
    return rows


register(
    Export(
        "appraisal",
        N_("Democratic appraisal (latest round)"),
        (
            N_("Year"),
            *PARTICIPANT_COLUMNS,
            *(GRADE_VOTES[g] for g in GRADES),
            *DECISION_COLUMNS,
        ),
        _export_rows,
    )
)
