"""How the district's guidance reads: the year's figures, an assessment, a note, and the
notifications they are sent as (rendered at send time in the recipient's language)."""

from __future__ import annotations

from datetime import date

from bot.sender import Rendered, renderer
from domain import instructors
from domain.activity import as_hours
from domain.assessment import assessing
from domain.assessment.labels import CRITERION_LABELS, GRADE_LABELS
from domain.assessment.models import CRITERIA, Criterion, Grade, YearFigures
from domain.i18n import N_, Translator
from handlers.common import add_errors
from handlers.flow_kit import text_renderer
from storage.db import Database

add_errors(
    {
        "note_guided_too_short": N_("Please write a few words on what you guided."),
        "note_guided_too_long": N_("Please keep it under {max} characters."),
        "note_problems_too_short": N_(
            "Please write the problems you found (or “none”) in a few words."
        ),
        "note_problems_too_long": N_("Please keep it under {max} characters."),
        "note_already_filed": N_("You have already filed this month's note for this branch."),
        "targets_too_short": N_("Please write the branch's creation targets in a few words."),
        "targets_too_long": N_("Please keep the targets under {max} characters."),
        "pledge_day_outside": N_(
            "The pledge for {year} is signed late in the year before or during {year}; "
            "please check the date."
        ),
        "pledge_file_missing": N_("Please send a photo or a document of the signed pledge."),
        "assessment_incomplete": N_("Please grade every criterion first."),
        "assessment_comment_too_short": N_("Please write a comment of a few words."),
        "assessment_comment_too_long": N_("Please keep the comment under {max} characters."),
        "district_unknown": N_("There is no such district."),
        "district_only": N_(
            "Only the contact of the branch's district party working committee can do that. "
            "Nothing was changed."
        ),
        "not_instructor": N_(
            "Only the party-building instructor of that branch can do that. Nothing was changed."
        ),
        "not_county": N_("Only the contact of the county organisation department can do that."),
    }
)


def month_label(t: Translator, month: str) -> str:
    year, number = month.split("-")
    return t.month(date(int(year), int(number), 1))


def figure_lines(t: Translator, figures: YearFigures) -> list[str]:
    return [
        t.gettext("Members: {n}", n=figures.members),
        t.gettext("Mobile members: {n}", n=figures.mobile),
        t.gettext(
            "Hours verified this year: {hours} h",
            hours=t.number(as_hours(figures.half_hours_verified)),
        ),
        t.gettext("Posts held: {n}", n=figures.posts_held),
        t.gettext(
            "Cadres registered: {registered} of {due}",
            registered=figures.cadres_registered,
            due=figures.cadres_due,
        ),
    ]


def grade_lines(t: Translator, grades: dict[str, str]) -> list[str]:
    return [
        t.gettext(
            "{criterion}: {grade}",
            criterion=t.gettext(CRITERION_LABELS[c]),
            grade=t.gettext(GRADE_LABELS[Grade(grades[str(c)])]) if str(c) in grades else "—",
        )
        for c in CRITERIA
    ]


def assessment_text(
    t: Translator, branch: str, year: int, grades: dict[str, str], comment: str, figures: dict
) -> str:
    lines = [t.gettext("Year-end assessment {year} of {branch}:", year=year, branch=branch)]
    lines += grade_lines(t, grades)
    lines += [t.gettext("Comment: {comment}", comment=comment), ""]
    lines += [t.gettext("The bot's figures of the year:")]
    lines += figure_lines(t, YearFigures(**figures))
    return "\n".join(lines)


def criterion_label(t: Translator, criterion: Criterion) -> str:
    return t.gettext(CRITERION_LABELS[criterion])


@renderer(assessing.TEMPLATE)
async def assessment_message(t: Translator, db: Database, params: dict) -> Rendered:
    return Rendered(
        assessment_text(
            t,
            params["branch"],
            params["year"],
            params["grades"],
            params["comment"],
            params["figures"],
        )
    )


text_renderer(
    instructors.NOTE_TEMPLATE,
    N_(
        "Instructor {instructor}'s note on {branch} for {month}:\n"
        "Guided: {guided}\nProblems found: {problems}"
    ),
    month=month_label,
)
text_renderer(
    instructors.REMINDER_TEMPLATE,
    N_("Your note on {branch} for {month} is still missing. Send /guidance to write it."),
    month=month_label,
)
text_renderer(
    instructors.ASSIGNED_TEMPLATE,
    N_(
        "The district has assigned you as party-building instructor of {branch}. "
        "Send /guidance to read its console and write your monthly note."
    ),
)
