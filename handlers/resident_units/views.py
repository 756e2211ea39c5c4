"""How resident units and their co-building read, in the reader's language."""

from __future__ import annotations

from domain.i18n import Translator
from domain.resident_units.models import (
    CobuildRequest,
    Offer,
    ResidentUnit,
    UnitYear,
)


def offers_text(t: Translator, offers: tuple[Offer, ...]) -> str:
    return "、".join(t.gettext(o.label) for o in offers) or "—"


def unit_lines(t: Translator, unit: ResidentUnit) -> list[str]:
    contact = " ".join(p for p in (unit.contact_name, unit.contact_phone) if p) or "—"
    return [
        t.gettext("Unit: {name}", name=unit.name),
        t.gettext("Kind: {kind}", kind=t.gettext(unit.kind.label)),
        t.gettext("The unit's contact: {contact}", contact=contact),
        t.gettext("Offers: {offers}", offers=offers_text(t, unit.offers)),
    ]


def request_line(t: Translator, request: CobuildRequest) -> str:
    line = t.gettext(
        "{day} · {kind}: {text} — {status}",
        day=t.date(request.wanted_on),
        kind=t.gettext(request.kind.label),
        text=request.text,
        status=t.gettext(request.status.label),
    )
    if request.answer:
        line += "\n   " + t.gettext("Answer: {text}", text=request.answer)
    return line


def year_text(t: Translator, record: UnitYear) -> str:
    lines = [f"🏢 {record.unit.name}"]
    if record.agreement:
        lines.append(
            t.gettext(
                "Agreement {year}: the branch commits to: {branch}; the unit commits to: {unit}",
                year=record.year,
                branch=record.agreement.branch_commits,
                unit=record.agreement.unit_commits,
            )
        )
    else:
        lines.append(t.gettext("No co-building agreement recorded for {year}.", year=record.year))
    if record.requests:
        lines.append(t.gettext("Requests:"))
        lines += [f" • {request_line(t, r)}" for r in record.requests]
    else:
        lines.append(t.gettext("No requests this year."))
    if record.opinion:
        lines.append(t.gettext("The unit's opinion: {text}", text=record.opinion.text))
    else:
        lines.append(t.gettext("The unit has not given this year's opinion yet."))
    return "\n".join(lines)
