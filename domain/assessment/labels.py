"""The criteria's and grades' names, translated where they are shown (the chat, the
county's table); msgids in English, the policy's own words in the Chinese catalog."""

from __future__ import annotations

from domain.assessment.models import Criterion, Grade
from domain.i18n import N_

CRITERION_LABELS: dict[Criterion, str] = {
    Criterion.LEADERSHIP: N_("Good leadership team"),
    Criterion.CADRES: N_("Good contingent of members and cadres"),
    Criterion.MECHANISM: N_("Good working mechanisms"),
    Criterion.PERFORMANCE: N_("Good work results"),
    Criterion.MASSES: N_("Good response from the public"),
}

GRADE_LABELS: dict[Grade, str] = {
    Grade.GOOD: N_("Good"),
    Grade.FAIRLY_GOOD: N_("Fairly good"),
    Grade.AVERAGE: N_("Average"),
    Grade.POOR: N_("Poor"),
}
