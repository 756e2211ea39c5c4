"""How /hours shows hours: the labels of kinds, statuses and counting, a record's line, a
person's totals, and long lists split into messages. Events, /pending and the exports show
hours the same way, from here."""

from __future__ import annotations

from decimal import Decimal

from telegram import InlineKeyboardMarkup

from domain import hours
from domain.activity import ActivityKind, HourRecord, HourStatus
from domain.i18n import N_, Translator
from handlers.buttons import Button

COUNTING_LABELS: dict[hours.Counting, str] = {
    hours.Counting.VERIFIED: N_("verified hours only"),
    hours.Counting.WITH_ATTESTED: N_("verified + self-reported hours"),
}
STATUS_LABELS: dict[HourStatus, str] = {
    HourStatus.PENDING: N_("pending"),
    HourStatus.VERIFIED: N_("verified"),
    HourStatus.REJECTED: N_("rejected"),
    HourStatus.WITHDRAWN: N_("withdrawn"),
}
PERIOD_TITLES: dict[hours.Period, str] = {
    hours.Period.WEEK: N_("Your hours this week:"),
    hours.Period.MONTH: N_("Your hours this month:"),
    hours.Period.QUARTER: N_("Your hours this quarter:"),
    hours.Period.YEAR: N_("Your hours this year:"),
}


def show(t: Translator, value: Decimal) -> str:
    return t.number(value)


def kind_name(t: Translator, kind: ActivityKind) -> str:
    return t.gettext(kind.label)


def kind_keyboard(t: Translator, codec: type[Button]) -> InlineKeyboardMarkup:
    """One button per kind of activity; `codec` takes the kind as its one field."""
    return InlineKeyboardMarkup(
        [[codec(kind).button(t.gettext(kind.label))] for kind in ActivityKind]
    )


def record_line(t: Translator, record: HourRecord) -> str:
    line = t.gettext(
        "#{id} {day} · {kind} · {hours} h · {status}",
        id=record.id,
        day=t.date(record.day),
        kind=kind_name(t, record.kind),
        hours=show(t, record.hours),
        status=t.gettext(STATUS_LABELS[record.status]),
    )
    if record.reason:
        line += "\n   " + t.gettext("Reason: {reason}", reason=record.reason)
    return line


def totals_block(t: Translator, title: str, totals: hours.Totals) -> list[str]:
    lines = [title]
    for kind in totals.kinds:
        lines.append(
            t.gettext(
                "{kind}: {verified} h verified, {attested} h pending",
                kind=kind_name(t, kind),
                verified=show(t, totals.verified.get(kind, Decimal(0))),
                attested=show(t, totals.attested.get(kind, Decimal(0))),
            )
        )
    lines.append(
        t.gettext(
            "Total: {verified} h verified, {attested} h pending",
            verified=show(t, totals.total_verified),
            attested=show(t, totals.total_attested),
        )
    )
    return lines


def chunks(lines: list[str], limit: int = 3500) -> list[str]:
    """Join lines into messages under Telegram's length limit, never splitting a line."""
    found, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            found.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*found, current] if current else found
