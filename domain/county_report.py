"""The half-yearly report to the county organisation department (每半年汇报): per branch
and per unit, cadres registered or not, participation and hours, as XLSX plus a bar chart
(PNG) per branch. Pure builders over `cadre_figures.CadreFigures`."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from domain.cadre_figures import CadreFigures
from domain.cadre_sheets import Sheet, cadre_sheet, new_book, write_sheet
from domain.i18n import translator
from domain.periods import Period
from domain.quarterly_feedback import period_label
from domain.resident_units.models import BranchActivity
from storage import units
from storage.db import Database


@dataclass(frozen=True)
class Tally:
    """Aggregates for one branch or unit."""

    name: str
    cadres: int
    registered: int
    events: int
    hours_verified: float
    hours_attested: float
    hours_counted: float
    counted_as: str

    @property
    def not_registered(self) -> int:
        return self.cadres - self.registered


def tally(
    figures: Sequence[CadreFigures], keys: Callable[[CadreFigures], Sequence[str]]
) -> list[Tally]:
    groups: dict[str, list[CadreFigures]] = {}
    for figure in figures:
        for key in keys(figure):
            groups.setdefault(key, []).append(figure)
    return [
        Tally(
            name,
            len(members),
            sum(f.registered for f in members),
            sum(f.events_attended for f in members),
            sum(f.hours_verified for f in members),
            sum(f.hours_attested for f in members),
            sum(f.hours_counted for f in members),
            _counted_as(members),
        )
        for name, members in sorted(groups.items())
    ]


def _counted_as(members: Sequence[CadreFigures]) -> str:
    """How a group's counted hours were counted: each branch decides for its summaries."""
    bases = {f.counted_as for f in members}
    return bases.pop() if len(bases) == 1 else "按各支部设置"


def per_branch(figures: Sequence[CadreFigures]) -> list[Tally]:
    return tally(figures, lambda f: f.branches)


def per_unit(figures: Sequence[CadreFigures]) -> list[Tally]:
    return tally(figures, lambda f: [f.unit_name or "（未登记单位）"])


_TALLY_HEADERS = [
    ("名称", 26),
    ("干部人数", 10),
    ("已注册", 10),
    ("未注册", 10),
    ("参加活动（次）", 12),
    ("核实时长（小时）", 12),
    ("自报时长（待核实，小时）", 12),
    ("计入时长（小时）", 12),
    ("计入口径", 12),
]


def _tally_sheet(title: str, heading: str, first: str, tallies: list[Tally]) -> Sheet:
    rows = [
        [
            t.name,
            t.cadres,
            t.registered,
            t.not_registered,
            t.events,
            t.hours_verified,
            t.hours_attested,
            t.hours_counted,
            t.counted_as,
        ]
        for t in tallies
    ]
    totals = ["合计", *(sum(r[i] for r in rows) for i in range(1, 8)), ""]
    return Sheet(title, heading, [(first, 26), *_TALLY_HEADERS[1:]], rows, totals)


_COBUILD_HEADERS = [
    ("社区党支部", 26),
    ("驻区单位（个）", 12),
    ("有联系人的单位", 12),
    ("共建协议（份）", 12),
    ("提出需求（次）", 12),
    ("已接受", 10),
    ("已婉拒", 10),
    ("年度意见（份）", 12),
]


def cobuild_sheet(half: Period, activity: Sequence[BranchActivity]) -> Sheet:
    """Co-building with resident units per branch: agreements and opinions of the
    half's year, requests for days within the half."""
    zh = translator("zh_Hans")
    heading = f"驻区单位互帮共建情况（{period_label(zh, half)}）"
    rows = [
        [
            a.branch,
            a.units,
            a.units_with_contact,
            a.agreements,
            a.requests,
            a.accepted,
            a.declined,
            a.opinions,
        ]
        for a in activity
    ]
    totals = ["合计", *(sum(r[i] for r in rows) for i in range(1, 8))]
    return Sheet("驻区单位共建", heading, _COBUILD_HEADERS, rows, totals)


def workbook(
    half: Period,
    figures: Sequence[CadreFigures],
    cobuilding: Sequence[BranchActivity] | None = None,
) -> bytes:
    """`cobuilding` (domain.resident_units.cobuild.activity) adds its sheet."""
    zh = translator("zh_Hans")
    heading = f"社区党员干部双重管理情况汇报（{period_label(zh, half)}）"
    book = new_book()
    write_sheet(book, _tally_sheet("分支部", heading, "居住社区党支部", per_branch(figures)))
    write_sheet(book, _tally_sheet("分单位", heading, "单位党组织", per_unit(figures)))
    write_sheet(book, cadre_sheet("干部明细", heading, figures))
    if cobuilding is not None:
        write_sheet(book, cobuild_sheet(half, cobuilding))
    return book.file()


_REGISTERED, _NOT_REGISTERED, _INK = (196, 30, 58), (170, 170, 170), (40, 40, 40)


def chart_png(half: Period, figures: Sequence[CadreFigures], font_path: Path) -> bytes:
    """Bars per branch: cadres registered and not registered this year."""
    from PIL import Image, ImageDraw, ImageFont  # see spreadsheets.new_workbook

    zh = translator("zh_Hans")
    tallies = per_branch(figures)
    bar, gap, left, top, height = 36, 64, 40, 100, 320
    width = max(640, left + len(tallies) * (2 * bar + gap) + gap)
    image = Image.new("RGB", (width, top + height + 50), "white")
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.truetype(str(font_path), 22)
    font = ImageFont.truetype(str(font_path), 15)
    draw.text(
        (left, 20), f"党员干部年度注册情况（{period_label(zh, half)}）", fill=_INK, font=title_font
    )
    for offset, (colour, label) in enumerate(
        ((_REGISTERED, "已注册"), (_NOT_REGISTERED, "未注册"))
    ):
        x = left + offset * 110
        draw.rectangle((x, 58, x + 14, 72), fill=colour)
        draw.text((x + 20, 55), label, fill=_INK, font=font)
    base = top + height
    draw.line((left - 10, base, width - gap // 2, base), fill=_INK, width=2)
    most = max((max(t.registered, t.not_registered) for t in tallies), default=0) or 1
    for index, t in enumerate(tallies):
        x = left + gap // 2 + index * (2 * bar + gap)
        for column, (value, colour) in enumerate(
            ((t.registered, _REGISTERED), (t.not_registered, _NOT_REGISTERED))
        ):
            x0 = x + column * bar
            y0 = base - round(value / most * (height - 30))
            draw.rectangle((x0, y0, x0 + bar - 4, base), fill=colour)
            draw.text((x0 + bar // 2 - 2, y0 - 4), str(value), fill=_INK, font=font, anchor="mb")
        label = t.name if len(t.name) <= 8 else t.name[:7] + "…"
        draw.text((x + bar, base + 10), label, fill=_INK, font=font, anchor="ma")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def destinations(db: Database) -> list[int]:
    """The county organisation department's contacts who receive the report."""
    return [p.telegram_id for p in await units.county_contacts(db) if p.telegram_id]


def file_names(half: Period) -> tuple[str, str]:
    return f"county-{half.label}.xlsx", f"county-{half.label}.png"
