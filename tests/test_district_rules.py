"""The district summary's rules below the chat: sheet names Excel takes, a message Telegram
takes, and the figures' wording in each language."""

from __future__ import annotations

from decimal import Decimal

from domain import district_reports
from domain.district_figures import BranchFigures, Line
from domain.i18n import translator
from domain.models import Branch


def test_sheet_titles_are_unique_short_and_without_forbidden_characters():
    taken: set[str] = set()
    long = "幸福" * 20
    titles = [district_reports._sheet_title(name, taken) for name in (long, long, "a/b:c?", "")]
    assert all(len(t) <= 31 for t in titles) and len(set(titles)) == 4
    assert titles[1].endswith(" (2)") and titles[2] == "a b c " and titles[3] == "-"


def branch(number: int) -> BranchFigures:
    lines = [Line("Members: {n}", {"n": 1200}), Line("Survey")]
    return BranchFigures(Branch(number, f"第{number}社区党支部" + "很长" * 40, "", 1, None), lines)


def test_a_long_district_is_cut_at_a_branch_and_points_to_the_spreadsheet():
    t = translator("en")
    text = district_reports.summary_text(t, "Heading", [branch(n) for n in range(200)])
    assert len(text) <= district_reports.TEXT_LIMIT + 100
    assert text.endswith("more branches: see the spreadsheet.") and "Members: 1,200" in text


def test_figures_read_in_each_language():
    line = Line("Activity hours verified this quarter: {hours}", {"hours": Decimal("1234.5")})
    assert line.text(translator("en")) == "Activity hours verified this quarter: 1,234.5"
    assert line.text(translator("zh_Hans")) == "本季度已核实活动时长：1,234.5 小时"
    stage = Line(
        "Responsibility posts ({stage}): {taken} of {places} places filled",
        {"stage": "Survey", "taken": 3, "places": 10},
        terms=("stage",),
    )
    assert stage.text(translator("zh_Hans")) == "设岗定责（调查摸底）：10 个岗位名额已上岗 3 个"
