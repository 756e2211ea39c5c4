"""Sample data for every outbox template, for tests/test_date_styles.py.

One row per template name (`@renderer(name)`): how to build the params a real message of
that template carries, making first the rows it names (a record, an event, a registration),
and which forms of the one known moment, MOMENT, its text shows. A template added without a
row here fails that test; notes/s14-dates.md says how to add one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from domain import (
    admin,
    cadres,
    district_figures,
    district_reports,
    hours,
    mobile,
    quarterly_feedback,
    units,
)
from domain.access import Actor, actor
from domain.activity import ActivityKind, Draft
from domain.cadre_figures import CadreFigures
from domain.departures import DepartureKind
from domain.i18n import translator
from domain.mobile.models import Direction
from domain.models import Category, InviteRole, UnitOrg
from domain.periods import quarter
from domain.resident_units.models import Offer, RequestKind, RequestStatus, UnitKind
from storage import branches
from storage import development as development_store
from storage import posts as post_store
from storage import resident_units as resident_store
from storage.db import Database
from tests.cadre_support import event, facts, member
from tests.world import active_person, outflow_details

ZONE = ZoneInfo("Asia/Shanghai")
# One moment every sample shows: 2 December 2026, 14:30 in the branch's zone.
MOMENT = datetime(2026, 12, 2, 6, 30, tzinfo=UTC)
DAY = MOMENT.astimezone(ZONE).date()


class Shows(StrEnum):
    """A form of MOMENT a text holds, in the reader's one style (docs/i18n.md)."""

    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"


@dataclass
class World:
    """A branch (Asia/Shanghai) with its secretary (Telegram id 1) and 李明 (id 2)."""

    db: Database
    branch_id: int
    secretary: Actor
    member: Actor
    locale: str = "zh_Hans"  # the reader's, for a text queued already in their language
    made: dict[str, int] = field(default_factory=dict)  # a row made once serves both languages

    @classmethod
    async def make(cls, db: Database) -> World:
        branch = await admin.add_branch(db, "幸福社区党支部", "城关区")
        await admin.add_secretary(db, branch.id, 1)
        async with db.transaction() as conn:
            await active_person(conn, branch.id, 2, "李明", category=Category.MOBILE)
        return cls(db, branch.id, await actor(db, 1), await actor(db, 2))

    async def hour_record(self) -> int:
        if "hour_record" not in self.made:
            self.made["hour_record"] = await self._hour_record()
        return self.made["hour_record"]

    async def _hour_record(self) -> int:
        draft = Draft(ActivityKind.VOLUNTEER, DAY, 3, "社区志愿服务")
        return (await hours.log(self.db, self.member, draft, today=DAY)).id

    async def event(self) -> int:
        if "event" not in self.made:
            self.made["event"] = await self._event()
        return self.made["event"]

    async def _event(self) -> int:
        return await event(self.db, self.branch_id, MOMENT)

    async def registration(self) -> int:
        if "registration" not in self.made:
            self.made["registration"] = await self._registration()
        return self.made["registration"]

    async def _registration(self) -> int:
        details = outflow_details(
            DAY, address="西湖区", employer="某公司", phone="+86 138 0013 8000"
        )
        submitted = await mobile.submit(self.db, self.member, Direction.OUTFLOW, details, DAY)
        return submitted.registration.id

    async def notice(self) -> int:
        """A public notice (公示) on 李明's file as a development candidate, running from DAY."""
        if "notice" not in self.made:
            async with self.db.transaction() as conn:
                person = self.member.person.id
                file_id = await development_store.create_file(
                    conn, person, self.branch_id, "candidate", None, MOMENT
                )
                self.made["file"] = file_id
                self.made["notice"] = await development_store.create_notice(
                    conn,
                    file_id=file_id,
                    branch_id=self.branch_id,
                    stage="candidate",
                    starts_on=DAY,
                    ends_on=DAY + timedelta(days=7),
                    contact="王书记 13800138000",
                    by=None,
                    now=MOMENT,
                )
        return self.made["notice"]

    async def post(self) -> int:
        if "post" not in self.made:
            self.made["post"] = await self._post()
        return self.made["post"]

    async def _post(self) -> int:
        async with self.db.transaction() as conn:
            return await post_store.add_post(conn, self.branch_id, "环境卫生监督岗", 2, MOMENT)


Build = Callable[[World], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class Sample:
    build: Build  # the params of one or more real messages of the template
    shows: tuple[Shows, ...] = ()  # the forms of MOMENT each of them must show


def params(**values: Any) -> Build:
    """Params that name no row."""

    async def build(world: World) -> list[dict[str, Any]]:
        return [values]

    return build


async def _feedback(world: World) -> list[dict[str, Any]]:
    """Queued in the unit's language; the unit here reads the reader's."""
    figure = CadreFigures(
        person_id=1,
        name="张局长",
        unit_id=1,
        unit_name="县教育局机关党委",
        branches=("幸福社区党支部",),
        branch_ids=(world.branch_id,),
        position="局长",
        rank="division",
        registered=True,
        registered_on=DAY,
        on_leave_until=DAY,
    )
    unit = UnitOrg(1, "县教育局机关党委", None, world.locale, None)
    return [{"text": quarterly_feedback.message_text(unit, quarter(2026, 4), [figure])}]


async def _to_confirm(world: World) -> list[dict[str, Any]]:
    if "cadre" not in world.made:
        unit = await units.add_unit(world.db, None, "县教育局机关党委")
        cadre = await actor(world.db, await member(world.db, world.branch_id, "张局长"))
        submitted = await cadres.submit(world.db, cadre, facts("张局长", unit.id), 2026)
        world.made["cadre"] = submitted.registration.id
    return [{"registration": world.made["cadre"]}]


async def _hours_review(world: World) -> list[dict[str, Any]]:
    return [{"record": await world.hour_record()}]


async def _hours_decided(world: World) -> list[dict[str, Any]]:
    record = await world.hour_record()
    return [
        {"record": record, "half_hours": 3, "status": "verified", "reason": ""},
        {"record": record, "half_hours": 3, "status": "rejected", "reason": "重复登记"},
    ]


async def _publication(world: World) -> list[dict[str, Any]]:
    return [{"year": 2026, "holders": [[await world.post(), "李明"]]}]


async def _notice(world: World) -> list[dict[str, Any]]:
    post = await world.post()
    return [{"text": "{name} claims the post {post}.", "post": post, "name": "李明"}]


async def _event(world: World) -> list[dict[str, Any]]:
    return [{"event": await world.event(), "tz": str(ZONE)}]


async def _registration(world: World) -> list[dict[str, Any]]:
    return [{"registration": await world.registration()}]


async def _report(world: World) -> list[dict[str, Any]]:
    registration = await world.registration()
    return [{"registration": registration, "version": 1, "answers": [], "change": None}]


async def _registration_of(world: World, **values: Any) -> list[dict[str, Any]]:
    return [{"registration": await world.registration(), **values}]


async def _join(world: World, **values: Any) -> list[dict[str, Any]]:
    base = {"request": 1, "branch": "幸福社区党支部", "name": "张伟", "phone": "13800138000"}
    return [base | {"category": "resident", "role": str(InviteRole.MEMBER), "unit": None} | values]


async def _notice_params(world: World, **values: Any) -> list[dict[str, Any]]:
    return [{"notice": await world.notice(), **values}]


async def _opinion(world: World) -> list[dict[str, Any]]:
    notice = await world.notice()
    async with world.db.transaction() as conn:
        opinion = await development_store.add_opinion(
            conn, notice, world.secretary.person.id, "同意", MOMENT
        )
    return [{"notice": notice, "opinion": opinion}]


async def _outcome(world: World) -> list[dict[str, Any]]:
    notice = await world.notice()
    async with world.db.transaction() as conn:
        await development_store.close_notice(conn, notice, "passed", None, None, MOMENT)
    return [{"notice": notice}]


async def _review_due(world: World) -> list[dict[str, Any]]:
    await world.notice()
    return [{"file": world.made["file"], "due": DAY.isoformat()}]


async def _district_summary(world: World) -> list[dict[str, Any]]:
    """Queued in the recipient's language: the message and its file's caption."""
    t = translator(world.locale)
    branch = await branches.get(world.db, world.branch_id)
    period = quarter(2026, 4)
    figures = await district_figures.figures_of(world.db, [branch], period, MOMENT, ZONE)
    heading = t.gettext(
        district_reports.DISTRICT_HEADING,
        period=quarterly_feedback.period_label(t, period),
        district="城关区",
    )
    return [
        {"text": district_reports.summary_text(t, heading, figures)},
        {"text": t.gettext(district_reports.FILE_CAPTION)},
    ]


async def _cobuild(world: World, *, answered: bool = False) -> list[dict[str, Any]]:
    """A resident unit's request for DAY (accepted when `answered`), made once."""
    if "request" in world.made:
        return [{"request": world.made["request"], "opinion": world.made["opinion"]}]
    async with world.db.transaction() as conn:
        unit = await resident_store.create(
            conn,
            branch_id=world.branch_id,
            name="县人民医院",
            kind=UnitKind.HOSPITAL,
            contact_name="赵院长",
            contact_phone="13800138000",
            offers=(Offer.ROOMS,),
            created_by=None,
        )
        request = await resident_store.add_request(
            conn,
            unit_id=unit,
            branch_id=world.branch_id,
            kind=RequestKind.ROOM,
            text="借用会议室开展主题党日",
            wanted_on=DAY,
            created_by=None,
        )
        if answered:
            await resident_store.answer_request(
                conn, request, RequestStatus.ACCEPTED, "可以", world.secretary.person.id, MOMENT
            )
        opinion = await resident_store.add_opinion(
            conn, unit_id=unit, year=2026, text="共建效果良好", given_by=world.member.person.id
        )
    world.made |= {"request": request, "opinion": opinion or 0}
    return [{"request": request, "opinion": opinion}]


_DIGEST = {
    "weekly": False,
    "tz": str(ZONE),
    "part": "morning",
    "waiting": 1,
    "pending": {},
    "new": 1,
    "half_hours": 6,
    "counting": "verified",
    "events": [["主题党日", MOMENT.isoformat()]],
    "unreachable": [],
    "failed": 0,
    "dead": 0,
}

SAMPLES: dict[str, Sample] = {
    "appraisal-deadline": Sample(
        params(year=2026, name="李明", deadline=DAY.isoformat()), (Shows.DATE,)
    ),
    "assessment.result": Sample(
        params(
            branch="幸福社区党支部",
            year=2026,
            grades={},
            comment="组织生活规范",
            figures=dict(
                members=30,
                mobile=2,
                half_hours_verified=120,
                posts_held=12,
                cadres_registered=3,
                cadres_due=4,
            ),
        )
    ),
    "broadcast": Sample(params(text="本周六上午九点开展环境整治志愿活动。", file=None)),
    "cadre.feedback": Sample(_feedback, (Shows.DATE,)),
    "cadre.nudge": Sample(params(date=DAY.isoformat()), (Shows.DATE,)),
    "cadre.to_confirm": Sample(_to_confirm),
    "development.notice-group": Sample(
        lambda world: _notice_params(world, bot="partybot_test_bot"), (Shows.DATE,)
    ),
    "development.notice-member": Sample(_notice_params, (Shows.DATE,)),
    "development.opinion": Sample(_opinion),
    "development.outcome": Sample(_outcome),
    "development.review-due": Sample(_review_due, (Shows.DATE,)),
    "development.step": Sample(params(file=1, step="applied")),
    "district.summary": Sample(_district_summary),
    "cobuild.agreement": Sample(params()),
    "cobuild.answer": Sample(lambda world: _cobuild(world, answered=True), (Shows.DATE,)),
    "cobuild.opinion": Sample(_cobuild),
    "cobuild.request": Sample(_cobuild, (Shows.DATE,)),
    "departure": Sample(
        params(
            text="{name} has recorded leaving the branch: {kind}.",
            name="李明",
            kind=str(DepartureKind.TRANSFER_OUT),
        )
    ),
    "events.checked_out": Sample(
        params(title="主题党日", minutes=125, half_hours=4, full_day=False, auto_closed=False)
    ),
    "events.invite": Sample(_event, (Shows.DATETIME,)),
    "events.reminder": Sample(_event, (Shows.DATETIME,)),
    "hours.decided": Sample(_hours_decided, (Shows.DATE,)),
    "hours.review": Sample(_hours_review, (Shows.DATE,)),
    "instructor.assigned": Sample(params(branch="幸福社区党支部")),
    "instructor.note": Sample(
        params(
            instructor="周指导员",
            branch="幸福社区党支部",
            month="2026-12",
            guided="三会一课",
            problems="无",
        )
    ),
    "instructor.reminder": Sample(params(branch="幸福社区党支部", month="2026-12")),
    "join.approved": Sample(params(branch="幸福社区党支部", telegram_id=2, role="member")),
    "join.rejected": Sample(params(branch="幸福社区党支部")),
    "join.request": Sample(_join),
    "mobile.dated": Sample(
        lambda world: _registration_of(
            world, text="Your activity certificate has been renewed until {day}.", day=str(DAY)
        ),
        (Shows.DATE,),
    ),
    "mobile.expiring": Sample(
        lambda world: _registration_of(world, number="1-2026-001", name="李明", day=str(DAY)),
        (Shows.DATE,),
    ),
    "mobile.new": Sample(_registration, (Shows.DATE,)),
    "mobile.rejected": Sample(params(direction="outflow", reason="信息不全")),
    "mobile.report": Sample(_report),
    "mobile.report_due": Sample(lambda world: _registration_of(world, day=str(DAY)), (Shows.DATE,)),
    "mobile.return": Sample(lambda world: _registration_of(world, name="李明")),
    "posts.notice": Sample(_notice),
    "posts.publication": Sample(_publication),
    "secretary.digest": Sample(params(**_DIGEST), (Shows.DATETIME,)),
    "secretary.handover": Sample(params(branch="幸福社区党支部", telegram_id=1)),
}
