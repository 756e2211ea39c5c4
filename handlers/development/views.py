"""How a development file reads in the chat: its timeline and what comes next, the
secretary's list by stage, the notice's text, and the refusals' wording."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.access import Actor
from domain.development.cultivation import may_review
from domain.development.files import File, is_secretary_of
from domain.development.rules import STAGE_NAMES, STEP, STEPS, Due, Stage, next_due
from domain.errors import DomainError
from domain.i18n import N_, Translator
from handlers.common import add_errors, error_text
from handlers.development.buttons import (
    CloseNotice,
    Introducers,
    NewFile,
    OpenFile,
    RecordStep,
    ShowOpinions,
    StartNotice,
    WriteReview,
)

add_errors(
    {
        "dev_file_unknown": N_("That development file does not exist, or it is not yours to see."),
        "dev_file_exists": N_("This person already has a development file."),
        "dev_not_activist": N_(
            "Only someone whose category is activist can start from that stage."
        ),
        "dev_step_done": N_("“{step}” is already recorded. Nothing was changed."),
        "dev_wrong_stage": N_(
            "“{step}” does not belong to the file's present stage. Nothing was changed."
        ),
        "dev_needs_step": N_("Not yet: “{step}” has to be recorded first. Nothing was changed."),
        "dev_needs_introducers": N_(
            "Not yet: choose one or two contacts for cultivation (培养联系人) first. "
            "Nothing was changed."
        ),
        "dev_needs_reviews": N_(
            "Not yet: {n} half-yearly assessment notes are needed, the file has {have}. "
            "Nothing was changed."
        ),
        "dev_needs_notice": N_(
            "Not yet: the public notice (公示) has to pass first. Nothing was changed."
        ),
        "dev_day_future": N_("That day has not come yet. Please give the day it happened."),
        "dev_day_before": N_(
            "That day is before “{step}” ({day}). Dates go in order; please give another day."
        ),
        "dev_too_early": N_(
            "Too early: at least {months} months after “{step}” are required, so not before "
            "{day}. Nothing was changed."
        ),
        "dev_notice_not_over": N_(
            "The public notice ran until {day}; the branch meeting comes after it. "
            "Please give a later day."
        ),
        "dev_detail_empty": N_("Please type the vote of the meeting."),
        "dev_detail_long": N_("That is too long (at most {max} characters)."),
        "dev_introducers_stage": N_("Contacts for cultivation are chosen before admission."),
        "dev_not_full_member": N_(
            "Contacts for cultivation are full members of the branch. Nothing was changed."
        ),
        "dev_introducers_max": N_("At most {max} contacts for cultivation. Remove one first."),
        "dev_review_stage": N_(
            "Assessment notes are written while the person is an activist or candidate."
        ),
        "dev_review_short": N_("Please write a few words about the assessment."),
        "dev_review_long": N_("That note is too long (at most {max} characters)."),
        "dev_notice_stage": N_("A public notice is not due at this stage."),
        "dev_notice_open": N_("A public notice of this file is already running."),
        "dev_notice_passed": N_("The public notice of this stage has already passed."),
        "dev_notice_past": N_("A public notice cannot start in the past."),
        "dev_notice_order": N_("The notice cannot end before it starts."),
        "dev_notice_short": N_(
            "A public notice lasts at least {n} working days; until {day} there are only "
            "{have} by the branch's calendar. Please choose a later day."
        ),
        "dev_contact_short": N_("Please give the branch's contact (a name and a phone number)."),
        "dev_contact_long": N_("That contact is too long (at most {max} characters)."),
        "dev_notice_unknown": N_("That public notice does not exist, or it is not for you."),
        "dev_notice_over": N_("This public notice is over; opinions are no longer taken."),
        "dev_notice_closed": N_("The outcome of this notice is already recorded."),
        "dev_notice_running": N_(
            "The public notice runs until {day}; record its outcome after that."
        ),
        "dev_opinion_short": N_("Please write your opinion in a few words."),
        "dev_opinion_long": N_("That is too long (at most {max} characters)."),
    }
)


def refusal(t: Translator, exc: DomainError) -> str:
    """A refusal in the reader's language: the rules name steps by their msgid and days in
    ISO form, read here as the language writes them."""
    params = dict(exc.params)
    if isinstance(params.get("step"), str):
        params["step"] = t.gettext(params["step"])
    if isinstance(params.get("day"), str):
        params["day"] = t.date(date.fromisoformat(params["day"]))
    return error_text(t, type(exc)(exc.code, **params))


OUTCOMES = {
    "passed": N_("passed, no objection"),
    "objection": N_("objection raised"),
    "withdrawn": N_("withdrawn"),
}


def stage_name(t: Translator, stage: Stage) -> str:
    return t.gettext(STAGE_NAMES[stage])


def step_label(t: Translator, key: str) -> str:
    return t.gettext(STEP[key].label)


def due_line(t: Translator, due: Due, today: date) -> str:
    if due.what == "review":
        what = t.gettext("Half-yearly assessment note (考察)")
    elif due.what == "notice":
        what = t.gettext("Public notice (公示) before the branch meeting")
    elif due.what == "introducers":
        what = t.gettext("Choose the contacts for cultivation (培养联系人)")
    else:
        what = step_label(t, due.what)
    if due.by is not None:
        when = t.gettext("by {day}", day=t.date(due.by))
        if due.overdue(today):
            when = t.gettext("⚠️ overdue since {day}", day=t.date(due.by))
        return f"• {what} ({when})"
    if due.not_before is not None and today < due.not_before:
        return f"• {what} ({t.gettext('not before {day}', day=t.date(due.not_before))})"
    return f"• {what}"


def timeline(t: Translator, found: File, today: date) -> str:
    """The file as its person, their 培养联系人 and the secretary read it."""
    lines = [
        t.gettext("Membership development: {name}", name=found.name),
        t.gettext("Stage: {stage}", stage=stage_name(t, found.stage)),
        "",
    ]
    for step in STEPS:
        if step.key in found.days:
            line = f"✅ {t.date(found.days[step.key])}  {t.gettext(step.label)}"
            lines.append(line)
    if found.introducers:
        names = "、".join(name for _, name, _ in found.introducers)
        lines.append(t.gettext("Contacts for cultivation: {names}", names=names))
    if found.reviews:
        days = ", ".join(t.date(day) for day, _, _ in found.reviews)
        lines.append(t.gettext("Assessment notes: {days}", days=days))
    for notice in found.notices:
        outcome = t.gettext(OUTCOMES[notice.outcome]) if notice.outcome else t.gettext("running")
        lines.append(
            t.gettext(
                "Public notice ({stage}): {start} – {end}, {outcome}",
                stage=stage_name(t, notice.stage),
                start=t.date(notice.starts_on),
                end=t.date(notice.ends_on),
                outcome=outcome,
            )
        )
    due = next_due(found.state)
    lines.append("")
    if due:
        lines.append(t.gettext("What comes next:"))
        lines += [due_line(t, d, today) for d in due]
    else:
        lines.append(t.gettext("The way to full membership is complete."))
    return "\n".join(lines)


def file_keyboard(
    t: Translator, found: File, me: Actor, today: date
) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    secretary = is_secretary_of(me, found)
    if secretary:
        for due in next_due(found.state):
            if due.what in STEP:
                label = t.gettext("✏️ Record: {step}", step=step_label(t, due.what))
                rows.append([RecordStep(found.id, due.what).button(label)])
            elif due.what == "notice":
                rows.append([StartNotice(found.id).button(t.gettext("📢 Start the public notice"))])
        if found.stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE):
            rows.append([Introducers(found.id).button(t.gettext("👥 Contacts for cultivation"))])
        for notice in found.notices:
            if notice.outcome is None:
                rows.append(
                    [
                        CloseNotice(notice.id, True).button(t.gettext("✅ Notice: no objection")),
                        CloseNotice(notice.id, False).button(t.gettext("⚠️ Notice: objection")),
                    ]
                )
            if notice.opinions:
                label = t.gettext("💬 Opinions ({n})", n=notice.opinions)
                rows.append([ShowOpinions(notice.id).button(label)])
    if may_review(me, found) and "activist" in found.days and "admitted" not in found.days:
        rows.append([WriteReview(found.id).button(t.gettext("📝 Write an assessment note"))])
    return InlineKeyboardMarkup(rows) if rows else None


def branch_list(
    t: Translator, files: list[File], branch_id: int, today: date
) -> tuple[str, InlineKeyboardMarkup]:
    """The secretary's /develop: everyone by stage, with what is due or overdue."""
    lines = [t.gettext("Membership development in the branch:")]
    rows = []
    for stage in Stage:
        here = [f for f in files if f.stage is stage]
        if not here:
            continue
        lines += ["", f"【{stage_name(t, stage)}】"]
        for found in here:
            due = next_due(found.state)
            late = [d for d in due if d.overdue(today)]
            # What is overdue first; otherwise the first thing that comes next.
            shown = (late or due)[:1]
            first = due_line(t, shown[0], today)[2:] if shown else ""
            lines.append(f"{'⚠️ ' if late else '• '}{found.name}" + (f" — {first}" if first else ""))
            rows.append([OpenFile(found.id).button(found.name)])
    if not files:
        lines.append(t.gettext("No development files yet."))
    rows.append([NewFile(branch_id).button(t.gettext("➕ Start a file"))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def notice_text(
    t: Translator, name: str, stage: Stage, start: date, end: date, contact: str
) -> str:
    """What the rule asks a 公示 to say, and nothing else of the file."""
    return t.gettext(
        "📢 Public notice (公示)\n\n{name} is proposed by the branch as {stage}. The notice runs "
        "from {start} to {end}. Anyone with an opinion may tell the branch: {contact}, or "
        "privately through this bot.",
        name=name,
        stage=t.gettext(NOTICE_STAGES[stage]),
        start=t.date(start),
        end=t.date(end),
        contact=contact,
    )


# What the notice of each stage proposes.
NOTICE_STAGES = {
    Stage.CANDIDATE: N_("a probationary member (admission)"),
    Stage.PROBATIONARY: N_("a full member (end of probation)"),
}
