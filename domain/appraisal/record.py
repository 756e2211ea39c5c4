"""The round as a file for the branch's records (XLSX, secretary only): participants, away
or not, summary submitted or not, the votes per grade where at least MIN_RATERS rated
(never who gave them), the final grades and the disposals. Rows in the participants' fixed
order, never ranked."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from domain.access import Actor
from domain.appraisal.ballots import COUNTS_SHOWN, counts_of
from domain.appraisal.models import GRADES, Disposal, Grade, Round
from domain.appraisal.rounds import round_for_secretary
from storage import appraisal as store
from storage import appraisal_disposals as disposal_store
from storage.db import Database

log = logging.getLogger(__name__)


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
    decided_on: str | None
    deadline: str | None
    follow_up: str | None


async def lines(db: Database, actor: Actor, round_id: int) -> tuple[Round, list[Line]]:
    round_ = await round_for_secretary(db, actor, round_id)
    everyone = await store.participants(db, round_id)
    tallies = await store.tallies(db, round_id) if round_.stage in COUNTS_SHOWN else {}
    disposals = await disposal_store.disposals(db, round_id)
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
                decided_on=d.decided_on.isoformat() if d else None,
                deadline=d.deadline.isoformat() if d and d.deadline else None,
                follow_up=d.follow_up if d else None,
            )
        )
    # Logged, not audited: reading changes nothing (docs/data-retention.md).
    log.info("appraisal round %s exported by person %s", round_id, actor.person.id)
    return round_, found
