"""The appraisal conversation's steps (their values are stored with the conversation) and
where its drafts are kept in user_data."""

from __future__ import annotations

from enum import StrEnum

# A participant's ballot until it is cast: who is rated, the grades and comments so far.
BALLOT = "appraisal_ballot"
# A secretary's decision in the making: the round, the person, the grade or disposal.
DECISION = "appraisal_decision"
# The round whose summary is being written.
SUMMARY = "appraisal_summary"


class Step(StrEnum):
    SUMMARY = "appraisal-summary"
    GRADE = "appraisal-grade"
    COMMENT = "appraisal-comment"
    REVIEW = "appraisal-review"
    GRADE_NOTE = "appraisal-grade-note"
    DEADLINE = "appraisal-deadline"
    FOLLOW_UP = "appraisal-follow-up"
