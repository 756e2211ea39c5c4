"""民主评议党员, the democratic appraisal of members: one round a branch and year, in stages
学习动员 → 个人总结 → 民主评议 → 组织定格 → 处置 (`rounds`), the summaries (`summaries`), the
secret ballots and their counts (`ballots`, which says how the secrecy is kept), the final
grades and disposals (`grading`), the jobs (`reminders`) and the file of the round
(`record`). The names below are the feature's entry points."""

from domain.appraisal.ballots import ballot, cast, check_comment, comments, counts
from domain.appraisal.grading import disposals, dispose, follow_up, needs_reason, set_grade
from domain.appraisal.record import lines
from domain.appraisal.reminders import deadlines, remind
from domain.appraisal.rounds import (
    advance,
    current,
    open_round,
    participants,
    preview,
    progress,
)
from domain.appraisal.rounds import (
    round_for_secretary as secretary_round,
)
from domain.appraisal.summaries import MyRound, can_submit, my_round, submit

__all__ = [
    "MyRound",
    "advance",
    "ballot",
    "can_submit",
    "cast",
    "check_comment",
    "comments",
    "counts",
    "current",
    "deadlines",
    "disposals",
    "dispose",
    "follow_up",
    "lines",
    "my_round",
    "needs_reason",
    "open_round",
    "participants",
    "preview",
    "progress",
    "remind",
    "secretary_round",
    "set_grade",
    "submit",
]
