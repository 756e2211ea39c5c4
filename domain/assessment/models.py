"""The nouns of the year-end assessment (五个好, policy 二(三)3 and 三、2–3), as plain data.

The scale is data: four grades, best first, each a word the policy's own tables use. Their
labels (and the criteria's) are translated where they are shown (handlers/district_guidance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Criterion(StrEnum):
    """The five "goods" a community branch is assessed by, in the policy's order."""

    LEADERSHIP = "leadership"  # 领导班子好
    CADRES = "cadres"  # 党员干部队伍好
    MECHANISM = "mechanism"  # 工作机制好
    PERFORMANCE = "performance"  # 工作业绩好
    MASSES = "masses"  # 群众反映好


class Grade(StrEnum):
    """Best first: 好, 较好, 一般, 差."""

    GOOD = "good"
    FAIRLY_GOOD = "fairly_good"
    AVERAGE = "average"
    POOR = "poor"


CRITERIA: tuple[Criterion, ...] = tuple(Criterion)
GRADES: tuple[Grade, ...] = tuple(Grade)


@dataclass(frozen=True)
class YearFigures:
    """What the bot knows of a branch's year, shown beside the grades."""

    members: int
    mobile: int  # registered outflow and inflow members now
    half_hours_verified: int
    posts_held: int
    cadres_registered: int
    cadres_due: int


@dataclass(frozen=True)
class Targets:
    """A branch's creation targets (创建目标) and responsibility pledge (责任状) of a year."""

    branch_id: int
    year: int
    targets: str | None
    pledge_signed_on: date | None
    pledge_file_id: str | None
    pledge_file_kind: str | None  # "photo" or "document"


@dataclass(frozen=True)
class Assessment:
    branch_id: int
    year: int
    grades: dict[Criterion, Grade]
    comment: str
    figures: YearFigures
    revision: int
    assessed_at: datetime
    branch_name: str = ""
    district_name: str = ""
