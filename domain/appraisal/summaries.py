"""个人总结: each participant submits a self-assessment, as text or a document, and may
revise it until the stage ends; and what a member sees of their own round."""

from __future__ import annotations

from dataclasses import dataclass

from domain import mydata
from domain.access import Actor
from domain.appraisal.models import Participant, Round, Stage
from domain.appraisal.rounds import in_stage, round_for_member, written
from domain.effects import effect
from domain.errors import NotAllowed
from domain.unit_of_work import unit_of_work
from domain.validation import clean_text
from storage import appraisal as store
from storage.db import Database, utcnow

SUMMARY_MAX = 3000
# From here on the branch's final grade is fixed and its member may read it.
GRADE_SHOWN = (Stage.DISPOSAL, Stage.CLOSED)


@dataclass(frozen=True)
class MyRound:
    """What a member sees of the round: their own part, nobody else's."""

    round: Round
    me: Participant
    others: int

    @property
    def grade_shown(self) -> bool:
        return self.round.stage in GRADE_SHOWN and self.me.grade is not None


async def my_round(db: Database, actor: Actor) -> MyRound | None:
    """The latest round of the member's branch, if they take part in it."""
    if not actor.member:
        raise NotAllowed("not_allowed")
    found = await store.latest_round(db, actor.person.branch_id)
    if found is None:
        return None
    me = await store.participant(db, found.id, actor.person.id)
    if me is None:
        return None
    everyone = await store.participants(db, found.id)
    return MyRound(found, me, len(everyone) - 1)


@mydata.provider("appraisal")
async def _personal(db: Database, telegram_id: int, person) -> list[dict] | None:
    """The person's own part in the appraisal rounds, for /mydata."""
    return None if person is None else await store.personal(db, person.id)


@effect
async def submit(
    db: Database,
    actor: Actor,
    round_id: int,
    *,
    text: str | None = None,
    file_id: str | None = None,
    file_name: str | None = None,
) -> bool:
    """The participant's summary, replacing an earlier one; True when it was a revision."""
    round_, me = await round_for_member(db, actor, round_id)
    in_stage(round_, Stage.SUMMARY)
    if file_id is None:
        text = written(text, SUMMARY_MAX)
    else:
        text = clean_text(text)[:SUMMARY_MAX] if text else None
        file_name = clean_text(file_name or "")[:120] or None
    async with unit_of_work(db, actor, branch_id=round_.branch_id) as work:
        await store.save_summary(
            work.conn,
            round_id,
            me.person_id,
            text=text,
            file_id=file_id,
            file_name=file_name,
            now=utcnow(),
        )
        await work.audit(
            "appraisal.submitted",
            "appraisal_round",
            round_id,
            revised=me.submitted,
            document=file_id is not None,
        )
    return me.submitted


async def can_submit(db: Database, actor: Actor, round_id: int) -> Participant:
    """Before asking for the summary: the actor takes part and the stage is 个人总结."""
    round_, me = await round_for_member(db, actor, round_id)
    in_stage(round_, Stage.SUMMARY)
    return me
