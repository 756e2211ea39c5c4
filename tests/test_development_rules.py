"""The stages of member development as data (domain/development/rules.py), without Telegram."""

from __future__ import annotations

from datetime import date

import pytest

from domain.development.rules import (
    STAGE_ENTRY,
    STEPS,
    FileState,
    Notice,
    Stage,
    check_day,
    check_notice,
    end_after,
    missing,
    next_due,
    overdue,
    review_due,
    working_days,
)
from domain.errors import InvalidInput
from domain.workdays import Calendar

TODAY = date(2026, 12, 1)


def state(*steps: tuple[str, date], reviews=(), introducers=1, notices=()) -> FileState:
    return FileState(dict(steps), tuple(reviews), introducers, tuple(notices))


def refused(code: str, st: FileState, key: str, day: date, today: date = TODAY) -> dict:
    with pytest.raises(InvalidInput) as caught:
        check_day(st, key, day, today)
    assert caught.value.code == code
    return caught.value.params


APPLIED = ("applied", date(2024, 3, 1))
TALKED = ("talked", date(2024, 3, 20))
ACTIVIST = ("activist", date(2024, 4, 1))
CANDIDATE = ("candidate", date(2025, 4, 10))
REVIEWS = (date(2024, 10, 1), date(2025, 4, 1))
# A candidate's file ready for the notice: the political review and the training are in.
READY = (
    APPLIED,
    TALKED,
    ACTIVIST,
    CANDIDATE,
    ("political_review", date(2025, 5, 10)),
    ("training", date(2025, 5, 20)),
)


def test_every_stage_has_its_entry_step_and_the_steps_are_in_stage_order():
    keys = [s.key for s in STEPS]
    assert set(STAGE_ENTRY.values()) <= set(keys)
    stages = [list(Stage).index(s.stage) for s in STEPS]
    assert stages == sorted(stages)
    for step in STEPS:
        assert all(keys.index(before) < keys.index(step.key) for before in step.after)


def test_the_stage_follows_the_entry_steps_recorded():
    assert state().stage is Stage.APPLICANT
    assert state(APPLIED, TALKED).stage is Stage.APPLICANT
    assert state(APPLIED, TALKED, ACTIVIST).stage is Stage.ACTIVIST
    assert state(ACTIVIST).stage is Stage.ACTIVIST  # a file started from the category


def test_the_move_to_activist_says_what_is_missing():
    found = missing(state(APPLIED, introducers=0), "activist")
    assert [m.code for m in found] == ["dev_needs_step", "dev_needs_introducers"]
    assert missing(state(APPLIED, TALKED), "activist") == []


def test_a_stage_cannot_be_skipped_and_a_step_not_recorded_twice():
    assert refused("dev_wrong_stage", state(APPLIED, TALKED), "candidate", TODAY)
    assert refused("dev_step_done", state(APPLIED, TALKED), "talked", TODAY)
    assert refused("dev_wrong_stage", state(APPLIED), "political_review", TODAY)


def test_a_day_before_an_earlier_step_is_refused_with_that_step_and_day():
    params = refused("dev_day_before", state(APPLIED), "talked", date(2024, 2, 1))
    assert params["day"] == "2024-03-01"


def test_a_day_to_come_is_refused():
    refused("dev_day_future", state(APPLIED), "talked", date(2026, 12, 2))


def test_cultivation_lasts_a_year_with_two_half_yearly_notes():
    early = state(APPLIED, TALKED, ACTIVIST, reviews=REVIEWS)
    params = refused("dev_too_early", early, "candidate", date(2025, 3, 31))
    assert params == {"step": params["step"], "months": 12, "day": "2025-04-01"}
    check_day(early, "candidate", date(2025, 4, 1), TODAY)
    one_note = state(APPLIED, TALKED, ACTIVIST, reviews=REVIEWS[:1])
    assert refused("dev_needs_reviews", one_note, "candidate", date(2025, 4, 10)) == {
        "n": 2,
        "have": 1,
    }


def test_the_branch_meeting_needs_a_passed_notice_that_has_ended():
    refused("dev_needs_notice", state(*READY, reviews=REVIEWS), "admitted", date(2025, 6, 10))
    running = Notice(Stage.CANDIDATE, date(2025, 6, 2), date(2025, 6, 6), None)
    refused(
        "dev_needs_notice",
        state(*READY, reviews=REVIEWS, notices=[running]),
        "admitted",
        date(2025, 6, 10),
    )
    passed = Notice(Stage.CANDIDATE, date(2025, 6, 2), date(2025, 6, 6), True)
    done = state(*READY, reviews=REVIEWS, notices=[passed])
    refused("dev_notice_not_over", done, "admitted", date(2025, 6, 6))
    check_day(done, "admitted", date(2025, 6, 9), TODAY)


def test_probation_lasts_a_year_from_the_branch_meeting():
    base = state(
        ("admitted", date(2025, 6, 10)),
        ("approved", date(2025, 6, 20)),
        ("oath", date(2025, 7, 1)),
        ("full_applied", date(2026, 6, 1)),
        notices=[Notice(Stage.PROBATIONARY, date(2026, 6, 1), date(2026, 6, 5), True)],
    )
    assert base.stage is Stage.PROBATIONARY
    assert refused("dev_too_early", base, "full_meeting", date(2026, 6, 9))["day"] == "2026-06-10"
    check_day(base, "full_meeting", date(2026, 6, 10), TODAY)


def test_what_comes_next_with_the_talk_due_within_a_month():
    due = next_due(state(APPLIED, introducers=0))
    assert [d.what for d in due] == ["talked"]
    assert due[0].by == date(2024, 4, 1)
    assert overdue(state(APPLIED), date(2024, 4, 2))
    assert not overdue(state(APPLIED), date(2024, 4, 1))


def test_the_half_yearly_note_is_due_six_months_after_the_last():
    st = state(APPLIED, TALKED, ACTIVIST, reviews=REVIEWS[:1])
    assert review_due(st) == date(2025, 4, 1)
    assert "review" in [d.what for d in next_due(st)]
    assert review_due(state(ACTIVIST, ("admitted", date(2025, 6, 1)))) is None


def test_an_activist_without_introducers_is_told_to_choose_them():
    assert "introducers" in [d.what for d in next_due(state(ACTIVIST, introducers=0))]


# ------------------------------------------------------------------ the public notice

# 2026's National Day: Sunday 20 September is a make-up working day (调休), Saturday 19 is off.
CALENDAR = Calendar()


def test_working_days_count_the_make_up_sunday():
    start = date(2026, 9, 17)  # a Thursday
    assert CALENDAR.is_working_day(date(2026, 9, 20))
    assert not CALENDAR.is_working_day(date(2026, 9, 19))
    assert working_days(CALENDAR.is_working_day, start, date(2026, 9, 22)) == 5
    assert end_after(CALENDAR.is_working_day, start, 5) == date(2026, 9, 22)
    # On weekdays alone the fifth working day would be Wednesday the 23rd.
    assert end_after(lambda d: d.weekday() < 5, start, 5) == date(2026, 9, 23)


def candidate_notice(st: FileState, start: date, end: date) -> int:
    return check_notice(st, Stage.CANDIDATE, start, end, CALENDAR.is_working_day, start)


def notice_refused(st: FileState, start: date, end: date) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        candidate_notice(st, start, end)
    return caught.value


def test_a_notice_shorter_than_five_working_days_is_refused():
    ready = state(*READY, reviews=REVIEWS)
    start = date(2026, 9, 17)
    refusal = notice_refused(ready, start, date(2026, 9, 21))
    assert refusal.code == "dev_notice_short"
    assert refusal.params["have"] == 4
    assert candidate_notice(ready, start, date(2026, 9, 22)) == 5


def test_a_notice_waits_for_the_review_and_training_and_is_not_run_twice():
    early = state(APPLIED, TALKED, ACTIVIST, CANDIDATE, reviews=REVIEWS)
    assert notice_refused(early, TODAY, date(2026, 12, 31)).code == "dev_needs_step"
    running = Notice(Stage.CANDIDATE, TODAY, date(2026, 12, 8), None)
    ready = state(*READY, reviews=REVIEWS, notices=[running])
    assert notice_refused(ready, TODAY, date(2026, 12, 31)).code == "dev_notice_open"
