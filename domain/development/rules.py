"""The stages of member development (中国共产党发展党员工作细则) as data, and the checks each
step makes. Pure: no storage, no Telegram; tests/test_development_rules.py holds them.

A file moves 入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员. Each stage has its
steps, each recorded with the day it happened (entered at the time or after the fact).
A stage's first step (`Stage.entry`) is the move into it: it needs every step before it
done, no day earlier than theirs, the minimum periods passed, the 考察 notes written and
the public notice (公示) passed, and says which of these are missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.dates import add_months
from domain.errors import InvalidInput
from domain.i18n import N_


class Stage(StrEnum):
    APPLICANT = "applicant"  # 入党申请人
    ACTIVIST = "activist"  # 入党积极分子
    CANDIDATE = "candidate"  # 发展对象
    PROBATIONARY = "probationary"  # 预备党员
    FULL = "full"  # 正式党员


STAGE_NAMES = {
    Stage.APPLICANT: N_("Applicant for membership"),
    Stage.ACTIVIST: N_("Activist"),
    Stage.CANDIDATE: N_("Candidate for development"),
    Stage.PROBATIONARY: N_("Probationary member"),
    Stage.FULL: N_("Full member"),
}
ORDER = list(Stage)

# The 培养联系人 of an activist: one or two of the branch's full members.
INTRODUCERS_MIN, INTRODUCERS_MAX = 1, 2
# A 公示 lasts at least this many working days of the branch's calendar.
NOTICE_MIN_WORKING_DAYS = 5
# The 考察 note comes every half year while the person is cultivated.
REVIEW_MONTHS = 6
# Reminded this long before a 考察 note is due.
REVIEW_REMIND_BEFORE = timedelta(days=14)


@dataclass(frozen=True)
class Step:
    key: str
    stage: Stage
    label: str
    # Steps that must be recorded first; this step's day is not before theirs.
    after: tuple[str, ...] = ()
    # At least this many months after that step (e.g. a year of cultivation).
    at_least: tuple[str, int] | None = None
    # Due within this many months of that step (the talk within a month).
    due_within: tuple[str, int] | None = None
    # The 考察 notes written by then.
    reviews: int = 0
    # The 培养联系人 chosen by then.
    introducers: bool = False
    # A passed public notice of that stage, ended before this day.
    notice: Stage | None = None
    # A short text recorded with the day (a vote).
    detail: str | None = None

    @property
    def entry(self) -> bool:
        return STAGE_ENTRY[self.stage] == self.key


def _vote(
    key: str,
    stage: Stage,
    label: str,
    after: tuple[str, ...],
    at_least: tuple[str, int] | None = None,
) -> Step:
    """A branch meeting's vote: after a passed public notice of its stage (公示), with the
    vote recorded as the step's detail."""
    detail = N_("The vote of the branch meeting (e.g. 18 present, 18 for)")
    return Step(key, stage, label, after, at_least, notice=stage, detail=detail)


STEPS: tuple[Step, ...] = (
    Step("applied", Stage.APPLICANT, N_("Application for membership submitted")),
    Step(
        "talked",
        Stage.APPLICANT,
        N_("Talk with the applicant by the branch"),
        after=("applied",),
        due_within=("applied", 1),
    ),
    Step(
        "activist",
        Stage.ACTIVIST,
        N_("Decided as an activist"),
        after=("applied", "talked"),
        introducers=True,
    ),
    Step(
        "candidate",
        Stage.CANDIDATE,
        N_("Decided as a candidate for development"),
        after=("activist",),
        at_least=("activist", 12),
        reviews=2,
    ),
    Step("political_review", Stage.CANDIDATE, N_("Political review done"), after=("candidate",)),
    Step("training", Stage.CANDIDATE, N_("Concentrated training done"), after=("candidate",)),
    _vote(
        "admitted",
        Stage.CANDIDATE,
        N_("Branch meeting: admission voted"),
        after=("candidate", "political_review", "training"),
    ),
    Step(
        "approved",
        Stage.PROBATIONARY,
        N_("Admission approved by the higher party committee"),
        after=("admitted",),
    ),
    Step("oath", Stage.PROBATIONARY, N_("Oath taken"), after=("approved",)),
    Step(
        "full_applied",
        Stage.PROBATIONARY,
        N_("Application for full membership submitted"),
        after=("approved",),
    ),
    _vote(
        "full_meeting",
        Stage.PROBATIONARY,
        N_("Branch meeting: full membership voted"),
        after=("approved", "oath", "full_applied"),
        at_least=("admitted", 12),
    ),
    Step(
        "full",
        Stage.FULL,
        N_("Full membership approved by the higher party committee"),
        after=("full_meeting",),
    ),
)
STEP = {step.key: step for step in STEPS}
STAGE_ENTRY = {
    Stage.APPLICANT: "applied",
    Stage.ACTIVIST: "activist",
    Stage.CANDIDATE: "candidate",
    Stage.PROBATIONARY: "approved",
    Stage.FULL: "full",
}
# The public notice of a stage may start once these steps are done.
NOTICE_AFTER = {
    Stage.CANDIDATE: ("political_review", "training"),
    Stage.PROBATIONARY: ("full_applied",),
}


@dataclass(frozen=True)
class Notice:
    """A public notice as the rules see it."""

    stage: Stage
    starts_on: date
    ends_on: date
    passed: bool | None  # None while it runs or waits for the outcome


@dataclass(frozen=True)
class FileState:
    """What a file holds, for the rules: the days of the recorded steps, how many 考察
    notes (and the day of the last), the 培养联系人 and the notices."""

    days: Mapping[str, date]
    reviews: tuple[date, ...] = ()
    introducers: int = 0
    notices: tuple[Notice, ...] = ()

    @property
    def stage(self) -> Stage:
        reached = [stage for stage in ORDER if STAGE_ENTRY[stage] in self.days]
        return reached[-1] if reached else Stage.APPLICANT

    def passed_notice(self, stage: Stage) -> Notice | None:
        return next((n for n in self.notices if n.stage is stage and n.passed), None)

    def open_notice(self) -> Notice | None:
        return next((n for n in self.notices if n.passed is None), None)


@dataclass(frozen=True)
class Missing:
    """One thing a step still needs: a refusal code's name and its parameters."""

    code: str
    params: Mapping[str, object]


def missing(state: FileState, key: str) -> list[Missing]:
    """What recording step `key` still needs, whatever its day."""
    step = STEP[key]
    found: list[Missing] = []
    if key in state.days:
        return [Missing("dev_step_done", {"step": step.label})]
    if step.stage is not state.stage and not step.entry:
        return [Missing("dev_wrong_stage", {"step": step.label})]
    if step.entry and ORDER.index(step.stage) != ORDER.index(state.stage) + 1:
        return [Missing("dev_wrong_stage", {"step": step.label})]
    for before in step.after:
        if before not in state.days:
            found.append(Missing("dev_needs_step", {"step": STEP[before].label}))
    if step.introducers and state.introducers < INTRODUCERS_MIN:
        found.append(Missing("dev_needs_introducers", {}))
    if len(state.reviews) < step.reviews:
        found.append(Missing("dev_needs_reviews", {"n": step.reviews, "have": len(state.reviews)}))
    if step.notice is not None and state.passed_notice(step.notice) is None:
        found.append(Missing("dev_needs_notice", {}))
    return found


def check_day(state: FileState, key: str, day: date, today: date) -> None:
    """Step `key` on `day`: refused with the reason when something is missing, the day is
    to come, earlier than a step before it, the minimum period has not passed, or the
    public notice had not ended."""
    found = missing(state, key)
    if found:
        raise InvalidInput(found[0].code, **found[0].params)
    step = STEP[key]
    if day > today:
        raise InvalidInput("dev_day_future")
    for before in step.after:
        if day < state.days[before]:
            raise InvalidInput(
                "dev_day_before",
                step=STEP[before].label,
                day=state.days[before].isoformat(),
            )
    if step.at_least is not None:
        since, months = step.at_least
        earliest = add_months(state.days[since], months)
        if day < earliest:
            raise InvalidInput(
                "dev_too_early", step=STEP[since].label, months=months, day=earliest.isoformat()
            )
    if step.notice is not None:
        notice = state.passed_notice(step.notice)
        assert notice is not None
        if day <= notice.ends_on:
            raise InvalidInput("dev_notice_not_over", day=notice.ends_on.isoformat())


def review_due(state: FileState) -> date | None:
    """When the next 考察 note is due: half a year after the decision as an activist or the
    last note, until the branch meeting votes the admission."""
    if "activist" not in state.days or "admitted" in state.days:
        return None
    last = max((state.days["activist"], *state.reviews))
    return add_months(last, REVIEW_MONTHS)


@dataclass(frozen=True)
class Due:
    """What comes next in a file: a step (or a 考察 note, a notice) and by when, if the
    rules set a date."""

    what: str  # a step's key, or "review", "notice", "introducers"
    by: date | None = None
    # Not before this day (a minimum period).
    not_before: date | None = None

    def overdue(self, today: date) -> bool:
        return self.by is not None and today > self.by


def next_due(state: FileState) -> list[Due]:
    """The steps open now, in order, with the date a rule sets for each."""
    stage = state.stage
    if stage is Stage.FULL:
        return []
    found: list[Due] = []
    if stage in (Stage.ACTIVIST, Stage.CANDIDATE) and state.introducers < INTRODUCERS_MIN:
        found.append(Due("introducers"))
    review = review_due(state)
    if review is not None:
        found.append(Due("review", review))
    for notice_stage, needs in NOTICE_AFTER.items():
        if (
            notice_stage is stage
            and all(k in state.days for k in needs)
            and state.passed_notice(stage) is None
            and state.open_notice() is None
        ):
            found.append(Due("notice"))
    following = ORDER[ORDER.index(stage) + 1]
    for step in STEPS:
        if step.key in state.days or step.stage not in (stage, following):
            continue
        if step.stage is following and not step.entry:
            continue
        if any(before not in state.days for before in step.after):
            continue
        by = None
        if step.due_within is not None:
            since, months = step.due_within
            by = add_months(state.days[since], months)
        found.append(Due(step.key, by, earliest(state, step.key)))
    return found


def earliest(state: FileState, key: str) -> date | None:
    """The first day step `key` may be recorded for, by its minimum period."""
    step = STEP[key]
    if step.at_least is None or step.at_least[0] not in state.days:
        return None
    since, months = step.at_least
    return add_months(state.days[since], months)


def overdue(state: FileState, today: date) -> bool:
    return any(due.overdue(today) for due in next_due(state))


# ------------------------------------------------------------------ the public notice


def working_days(is_working_day: Callable[[date], bool], start: date, end: date) -> int:
    """Working days from `start` to `end`, both included, by the branch's calendar."""
    count, day = 0, start
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def end_after(is_working_day: Callable[[date], bool], start: date, days: int) -> date:
    """The day the `days`-th working day from `start` (included) falls on."""
    day, counted = start, 0
    while True:
        counted += is_working_day(day)
        if counted >= days:
            return day
        day += timedelta(days=1)


def check_notice(
    state: FileState,
    stage: Stage,
    starts_on: date,
    ends_on: date,
    is_working_day: Callable[[date], bool],
    today: date,
) -> int:
    """A notice of `stage` from `starts_on` to `ends_on`; its working days, or refused."""
    if state.stage is not stage or stage not in NOTICE_AFTER:
        raise InvalidInput("dev_notice_stage")
    for key in NOTICE_AFTER[stage]:
        if key not in state.days:
            raise InvalidInput("dev_needs_step", step=STEP[key].label)
        if starts_on < state.days[key]:
            raise InvalidInput(
                "dev_day_before", step=STEP[key].label, day=state.days[key].isoformat()
            )
    if state.open_notice() is not None:
        raise InvalidInput("dev_notice_open")
    if state.passed_notice(stage) is not None:
        raise InvalidInput("dev_notice_passed")
    if starts_on < today:
        raise InvalidInput("dev_notice_past")
    if ends_on < starts_on:
        raise InvalidInput("dev_notice_order")
    counted = working_days(is_working_day, starts_on, ends_on)
    if counted < NOTICE_MIN_WORKING_DAYS:
        raise InvalidInput(
            "dev_notice_short", n=NOTICE_MIN_WORKING_DAYS, have=counted, day=ends_on.isoformat()
        )
    return counted
