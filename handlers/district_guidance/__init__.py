"""The district's guidance of its branches (issue 19): instructors and their monthly
notes, targets and pledges, and the year-end "五个好" assessment."""

from __future__ import annotations

from handlers.district_guidance import assessing, guidance, instructors, targets, texts

__all__ = ["conversations", "handlers", "texts"]


def conversations() -> list:
    return [guidance.conversation(), assessing.conversation(), targets.conversation()]


def handlers() -> list:
    return [*instructors.handlers(), *guidance.handlers(), *assessing.handlers()]
