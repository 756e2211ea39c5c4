"""The nouns of the democratic appraisal of members (民主评议党员). Plain data: storage reads
them, so this module imports nothing of storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from domain.i18n import N_, LabelledEnum


class Stage(StrEnum):
    """In this order; each allows only its own actions (domain/appraisal/rounds.py)."""

    STUDY = "study"  # 学习动员
    SUMMARY = "summary"  # 个人总结
    RATING = "rating"  # 民主评议
    GRADING = "grading"  # 组织定格
    DISPOSAL = "disposal"  # 处置
    CLOSED = "closed"


ORDER = (Stage.STUDY, Stage.SUMMARY, Stage.RATING, Stage.GRADING, Stage.DISPOSAL, Stage.CLOSED)

STAGE_NAMES = {
    Stage.STUDY: N_("study and mobilisation (学习动员)"),
    Stage.SUMMARY: N_("personal summary (个人总结)"),
    Stage.RATING: N_("democratic rating (民主评议)"),
    Stage.GRADING: N_("final grading by the branch (组织定格)"),
    Stage.DISPOSAL: N_("disposal (处置)"),
    Stage.CLOSED: N_("closed"),
}


def next_stage(stage: Stage) -> Stage | None:
    at = ORDER.index(stage)
    return ORDER[at + 1] if at + 1 < len(ORDER) else None


class Grade(LabelledEnum):
    """Labelled as a grade reads in a chat, in the reader's language."""

    EXCELLENT = "excellent", N_("excellent (优秀)")
    QUALIFIED = "qualified", N_("qualified (合格)")
    BASIC = "basic", N_("basically qualified (基本合格)")
    UNQUALIFIED = "unqualified", N_("unqualified (不合格)")


GRADES = (Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASIC, Grade.UNQUALIFIED)
# How the county's documents name them, whatever the reader's language.
GRADES_ZH = {
    Grade.EXCELLENT: "优秀",
    Grade.QUALIFIED: "合格",
    Grade.BASIC: "基本合格",
    Grade.UNQUALIFIED: "不合格",
}


class Disposal(StrEnum):
    """What the branch decides for a member graded 不合格."""

    CORRECT = "correct"  # 限期改正
    COUNSEL_OUT = "counsel_out"  # 劝退
    REMOVE = "remove"  # 除名


#: Fewer people than this rated someone: their counts are not shown, to anyone.
MIN_RATERS = 5
#: Reminders to one person in one stage, at most.
MAX_REMINDERS = 3


@dataclass(frozen=True)
class Round:
    id: int
    branch_id: int
    year: int
    period_start: date
    period_end: date
    stage: Stage
    stage_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True)
class Participant:
    round_id: int
    person_id: int
    name: str
    telegram_id: int | None
    outflow: str | None
    summary_text: str | None
    summary_file_id: str | None
    summary_file_name: str | None
    submitted_at: datetime | None
    has_rated: bool
    grade: Grade | None
    grade_note: str | None
    #: Still in the branch: one who left during the round is no longer rated or graded.
    active: bool = True

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


@dataclass(frozen=True)
class Counts:
    """The votes one participant received. `shown` is False when fewer than MIN_RATERS
    rated them: then `votes` is empty and nobody learns more than "too few to show"."""

    raters: int
    votes: dict[Grade, int] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.raters >= MIN_RATERS

    @property
    def majority(self) -> frozenset[Grade]:
        """The grades with the most votes (several on a tie); empty when not shown."""
        if not self.shown or not self.votes:
            return frozenset()
        most = max(self.votes.values())
        return frozenset(g for g, n in self.votes.items() if n == most and n > 0)


@dataclass(frozen=True)
class DisposalRecord:
    id: int
    round_id: int
    person_id: int
    kind: Disposal
    decided_on: date
    deadline: date | None
    follow_up: str | None
    followed_up_on: date | None


@dataclass(frozen=True)
class Progress:
    """Where a round stands, in numbers only (the district's overview reads it)."""

    year: int
    stage: Stage
    participants: int
    submitted: int
    rated: int
    graded: int
