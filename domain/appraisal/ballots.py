"""民主评议: each participant rates every other participant 优秀 / 合格 / 基本合格 / 不合格,
optionally with a comment, and nobody, the secretary included, ever learns who gave which.

How the database keeps that secret: it never holds who rated whom, in any form.

* A participant's ratings are cast together, as one ballot (every other participant a
  grade), in one transaction. Until then they are a draft in the rater's own conversation.
* On the rater's side only `appraisal_participants.has_rated` is set: that they voted, so
  they cannot vote twice and the reminders know whom to remind. Not when, not for whom.
* On the ratees' side the grades are counters (`appraisal_tallies`: round, ratee, grade,
  votes), created at zero for everyone when the round opens and only ever incremented, so
  there is no row per vote whose order, time or id could be lined up with the raters.
* Comments are rows without rater and without time, under an id drawn at random
  (`storage/appraisal.py`), so their order says nothing of who wrote them or when.
* The audit entry of a ballot names the rater (who acted) and the round, nothing of its
  content; the effect's result is the number of people rated; no notification is queued.
* Counts are shown only once the stage is over (组织定格 onward), and only for a person at
  least MIN_RATERS people rated; otherwise "too few to show". There is no ranking and no
  list of the best anywhere.

Why not a keyed hash of (rater, ratee) to stop double rating: the key would live next to
the data (the database, the configuration), and with a few dozen members every pair can be
tried; a hash would hide nothing from whoever reads the file. Keeping no pair at all does.

Around the tables: the presses and comments of a ballot arrive as updates, which the inbox
stores before handling them; the ballot's handlers call `effects.forget_content()`, so once
handled only a digest of each is kept (storage/inbox.py). A ballot being filled in is a
draft in the rater's own conversation (`ptb_user_data`) until it is cast or cancelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.access import Actor
from domain.appraisal.models import GRADES, Counts, Grade, Stage
from domain.appraisal.rounds import in_stage, round_for_member, round_for_secretary, written
from domain.effects import effect
from domain.errors import Conflict, InvalidInput
from domain.unit_of_work import unit_of_work
from storage import appraisal as store
from storage.db import Database

COMMENT_MAX = 300
# Stages in which the counts are shown: the rating is over.
COUNTS_SHOWN = (Stage.GRADING, Stage.DISPOSAL, Stage.CLOSED)


@dataclass(frozen=True)
class Ratee:
    person_id: int
    name: str


@dataclass(frozen=True)
class Cast:
    rated: int


async def ballot(db: Database, actor: Actor, round_id: int) -> list[Ratee]:
    """Whom the actor is to rate: every other participant, in a fixed order."""
    round_, me = await round_for_member(db, actor, round_id)
    in_stage(round_, Stage.RATING)
    if me.has_rated:
        raise Conflict("appraisal_rated_twice")
    return [
        Ratee(p.person_id, p.name)
        for p in await store.participants(db, round_id)
        if p.person_id != me.person_id and p.active
    ]


def check_comment(text: str) -> str:
    return written(text, COMMENT_MAX)


@effect
async def cast(
    db: Database,
    actor: Actor,
    round_id: int,
    grades: Mapping[int, Grade],
    comments: Mapping[int, str],
) -> Cast:
    """The actor's whole ballot: a grade for every other participant, no one left out,
    no one twice, never themselves."""
    round_, me = await round_for_member(db, actor, round_id)
    in_stage(round_, Stage.RATING)
    if me.has_rated:
        raise Conflict("appraisal_rated_twice")
    if me.person_id in grades or me.person_id in comments:
        raise InvalidInput("appraisal_self")
    everyone = await store.participants(db, round_id)
    others = {p.person_id for p in everyone if p.active} - {me.person_id}
    if set(grades) != others or not set(comments) <= others:
        raise InvalidInput("appraisal_ballot_incomplete")
    grades = {ratee: Grade(grade) for ratee, grade in grades.items()}
    comments = {ratee: check_comment(text) for ratee, text in comments.items()}
    async with unit_of_work(db, actor, branch_id=round_.branch_id) as work:
        if not await store.cast_ballot(work.conn, round_id, me.person_id, grades, comments):
            raise Conflict("appraisal_rated_twice")
        # Who voted, in which round: nothing of whom they rated or how.
        await work.audit("appraisal.rated", "appraisal_round", round_id)
    return Cast(len(grades))


def counts_of(tally: Mapping[Grade, int]) -> Counts:
    # Hidden counts keep not even the number of raters: "too few to show" is all there is.
    shown = Counts(sum(tally.values()), {g: tally.get(g, 0) for g in GRADES})
    return shown if shown.shown else Counts(0)


async def counts(db: Database, actor: Actor, round_id: int) -> dict[int, Counts]:
    """Per participant, for the secretary, once the rating is over: the votes per grade, or
    only that too few rated to show them."""
    round_ = await round_for_secretary(db, actor, round_id)
    in_stage(round_, *COUNTS_SHOWN)
    tallies = await store.tallies(db, round_id)
    return {person_id: counts_of(tally) for person_id, tally in tallies.items()}


async def comments(db: Database, actor: Actor, round_id: int, person_id: int) -> list[str]:
    """The raters' comments on one participant, without raters, after the rating, and only
    when enough people rated them that the counts are shown."""
    found = await counts(db, actor, round_id)
    if person_id not in found or not found[person_id].shown:
        return []
    return await store.comments(db, round_id, person_id)
