"""Quarterly feedback to unit party organisations (每季度反馈): for each unit, the message
in the unit's language and the XLSX an office prints, with only that unit's cadres, and
where it goes. Sending (through the outbox, key `feedback:{unit}:{quarter}`) is the
scheduled job's (domain/cadre_jobs.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from domain.cadre_figures import ActivityProvider, CadreFigures, by_unit, gather
from domain.cadre_sheets import by_branch, cadre_sheet, new_book, write_sheet
from domain.cadres import rank_label
from domain.i18n import N_, Translator, translator
from domain.models import UnitOrg
from domain.periods import Period
from storage import units
from storage.db import Database


def period_label(t: Translator, period: Period) -> str:
    number = period.label[-1]
    if period.label[4] == "Q":
        return t.gettext("Q{n} {year}", n=number, year=period.year)
    if number == "1":
        return t.gettext("first half of {year}", year=period.year)
    return t.gettext("second half of {year}", year=period.year)


def _hours(value: float) -> str:
    return f"{value:g}"


# A cadre's hours: counted together where a branch the cadre lives in counts self-reported
# hours (`CadreFigures.counts_attested`), else verified and self-reported apart.
ACTIVITY = {
    True: N_(
        "Events attended: {events}; hours (verified + self-reported): {counted} h, of "
        "which {verified} h verified"
    ),
    False: N_(
        "Events attended: {events}; hours: {verified} h verified, {attested} h "
        "self-reported (to be verified)"
    ),
}


def cadre_lines(t: Translator, figure: CadreFigures, year: int) -> list[str]:
    """The lines about one cadre, shared by the unit's message and the cadre's own view."""
    registered = (
        t.gettext(
            "Registered for {year}: yes ({date})", year=year, date=t.date(figure.registered_on)
        )
        if figure.registered and figure.registered_on
        else t.gettext("Registered for {year}: no", year=year)
    )
    activity = t.gettext(
        ACTIVITY[figure.counts_attested],
        events=figure.events_attended,
        counted=_hours(figure.hours_counted),
        verified=_hours(figure.hours_verified),
        attested=_hours(figure.hours_attested),
    )
    lines = [registered, activity]
    if figure.posts:
        names = "、".join(p.name for p in figure.posts)
        lines.append(
            t.gettext(
                "Posts: {posts} (latest assessment: {assessment})",
                posts=names,
                assessment=figure.latest_assessment or "—",
            )
        )
    else:
        lines.append(t.gettext("Posts: none"))
    if figure.on_leave_until:
        lines.append(
            t.gettext("On leave until {date}", date=t.date(figure.on_leave_until))
            + (f" ({figure.leave_note})" if figure.leave_note else "")
        )
    if figure.remark:
        lines.append(t.gettext("Branch secretary's remark: {remark}", remark=figure.remark))
    if figure.appraisal:
        lines.append(
            t.gettext(
                "Democratic appraisal {year}, final grade: {grade}",
                year=figure.appraisal_year,
                grade=t.gettext(figure.appraisal.label),
            )
        )
    return lines


def message_text(
    unit: UnitOrg, period: Period, figures: Sequence[CadreFigures], default_locale: str = "zh_Hans"
) -> str:
    """The message a unit receives, in the unit's language."""
    t = translator(unit.locale or default_locale)
    head = t.gettext(
        "{unit}: feedback on your cadres living in our communities, {period}",
        unit=unit.name,
        period=period_label(t, period),
    )
    if not figures:
        return head + "\n\n" + t.gettext("None of your cadres is registered with us.")
    parts = [head]
    for number, figure in enumerate(figures, start=1):
        rank = rank_label(t, figure.rank)
        title = f"{number}. {figure.name} ({figure.position}, {rank}; {'、'.join(figure.branches)})"
        parts.append(
            "\n".join([title, *("   " + line for line in cadre_lines(t, figure, period.year))])
        )
    parts.append(t.gettext("The details are in the attached spreadsheet."))
    return "\n\n".join(parts)


def unit_workbook(unit: UnitOrg, period: Period, figures: Sequence[CadreFigures]) -> bytes:
    """One row per cadre on the first sheet, then a sheet per branch they live in."""
    zh = translator("zh_Hans")
    heading = f"{unit.name} 党员干部八小时以外情况反馈表（{period_label(zh, period)}）"
    book = new_book()
    rows_of: dict[int, list[object]] = {}
    write_sheet(book, cadre_sheet("汇总", heading, figures, zh, rows_of))
    for branch, members in by_branch(figures).items():
        write_sheet(book, cadre_sheet(branch, f"{heading}　{branch}", members, zh, rows_of))
    return book.file()


def file_name(unit: UnitOrg, period: Period) -> str:
    return f"feedback-{period.label}-unit{unit.id}.xlsx"


@dataclass(frozen=True)
class UnitFeedback:
    """One unit's quarterly summary, ready to send or to write to disk."""

    unit: UnitOrg
    figures: list[CadreFigures]
    text: str
    xlsx: bytes
    file_name: str
    period: Period

    @property
    def outbox_key(self) -> str:
        """Sent once per unit and quarter: the outbox refuses a second item with this key."""
        return f"feedback:{self.unit.id}:{self.period.label}"


async def unit_feedback(
    db: Database,
    period: Period,
    tz: tzinfo,
    *,
    unit_id: int | None = None,
    provider: ActivityProvider | None = None,
    default_locale: str = "zh_Hans",
) -> list[UnitFeedback]:
    """The summaries of every unit (or one), each with only that unit's cadres."""
    own_cadres = by_unit(await gather(db, period, tz, provider))
    found = []
    for unit in await units.all_units(db):
        if unit_id is not None and unit.id != unit_id:
            continue
        own = own_cadres.get(unit.id, [])
        found.append(
            UnitFeedback(
                unit,
                own,
                message_text(unit, period, own, default_locale),
                unit_workbook(unit, period, own),
                file_name(unit, period),
                period,
            )
        )
    return found


async def destinations(db: Database, unit: UnitOrg) -> list[int]:
    """Where a unit's summary goes: its linked group, else its contacts; empty means it
    waits, shown to the secretary as undeliverable."""
    if unit.chat_id is not None:
        return [unit.chat_id]
    return [p.telegram_id for p in await units.contacts(db, unit.id) if p.telegram_id]
