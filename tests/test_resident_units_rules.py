"""Resident units and co-building, below the chat: who may register, ask, answer and give
the opinion; forged ids and second answers change nothing; the county's tallies."""

from __future__ import annotations

from datetime import date

import pytest

from domain import admin
from domain.access import actor
from domain.errors import Conflict, InvalidInput, NotAllowed
from domain.models import Role
from domain.periods import half
from domain.resident_units import cobuild, registry
from domain.resident_units.models import (
    Offer,
    RequestKind,
    RequestStatus,
    UnitKind,
    offers_of,
    stored_offers,
    toggled,
    wanted_on,
)
from domain.resident_units.registry import UnitDraft
from storage import migrations
from storage import resident_units as store
from storage.db import Database
from tests.world import active_person, database_at

TODAY = date(2026, 12, 2)


def test_offers_are_a_multi_choice_kept_in_a_fixed_order():
    assert toggled((), Offer.FUNDS) == (Offer.FUNDS,)
    assert toggled((Offer.FUNDS,), Offer.ROOMS) == (Offer.ROOMS, Offer.FUNDS)
    assert toggled((Offer.ROOMS, Offer.FUNDS), Offer.ROOMS) == (Offer.FUNDS,)
    assert stored_offers(["expertise", "rooms"]) == "rooms,expertise"
    assert offers_of("rooms,expertise,unknown") == (Offer.ROOMS, Offer.EXPERTISE)
    assert offers_of("") == ()


def test_a_request_is_for_a_day_not_long_past_nor_more_than_a_year_ahead():
    assert wanted_on(date(2026, 12, 5), TODAY) == date(2026, 12, 5)
    with pytest.raises(InvalidInput, match="cobuild_date_past"):
        wanted_on(date(2026, 10, 1), TODAY)
    with pytest.raises(InvalidInput, match="cobuild_date_far"):
        wanted_on(date(2028, 1, 1), TODAY)


async def _world(db: Database):
    home = await admin.add_branch(db, "东门社区支部")
    other = await admin.add_branch(db, "西门社区支部")
    await admin.add_secretary(db, home.id, 100, "王书记")
    await admin.add_secretary(db, other.id, 101, "赵书记")
    return home, other, await actor(db, 100), await actor(db, 101)


async def _contact(db: Database, unit_id: int, branch_id: int, telegram_id: int):
    async with db.transaction() as conn:
        person_id = await active_person(
            conn, branch_id, telegram_id, "孙联络", category=None, role=Role.RESIDENT_UNIT
        )
        await conn.execute(
            "INSERT INTO resident_unit_contacts (resident_unit_id, person_id, since)"
            " VALUES (?, ?, '2026-01-01T00:00:00+00:00')",
            (unit_id, person_id),
        )
    return await actor(db, telegram_id)


DRAFT = UnitDraft("县第一中学", UnitKind.SCHOOL, "刘主任", "0571-87654321", (Offer.ROOMS,))


async def test_only_the_branch_secretary_registers_and_edits_its_units(tmp_path):
    async with Database(tmp_path / "r.db") as db:
        home, other, secretary, stranger = await _world(db)
        unit = await registry.register(db, secretary, home.id, DRAFT)
        assert unit.offers == (Offer.ROOMS,) and unit.contact_phone == "0571-87654321"
        with pytest.raises(NotAllowed):
            await registry.register(db, stranger, home.id, DRAFT)
        with pytest.raises(Conflict, match="resident_unit_exists"):
            await registry.register(db, secretary, home.id, DRAFT)
        with pytest.raises(InvalidInput, match="phone_invalid"):
            await registry.register(
                db, secretary, home.id, UnitDraft("x中学", UnitKind.SCHOOL, None, "12")
            )
        # Another branch's secretary may neither edit it nor see it.
        with pytest.raises(NotAllowed):
            await registry.edit(db, stranger, unit.id, DRAFT)
        with pytest.raises(NotAllowed):
            await registry.unit_for_secretary(db, stranger, unit.id)
        with pytest.raises(NotAllowed):
            await registry.invite_contact(db, stranger, unit.id)
        edited = await registry.edit(
            db, secretary, unit.id, UnitDraft("县第一中学", UnitKind.SCHOOL, offers=(Offer.FUNDS,))
        )
        assert edited.offers == (Offer.FUNDS,) and edited.contact_name is None
        assert [u.name for u in await registry.units_of(db, secretary, home.id)] == ["县第一中学"]
        assert await registry.units_of(db, stranger, other.id) == []
        audit = await db.fetchall(
            "SELECT action, branch_id FROM audit_log WHERE subject_type = 'resident_unit'"
        )
        assert [tuple(r) for r in audit] == [
            ("resident_unit.registered", home.id),
            ("resident_unit.edited", home.id),
        ]


async def test_requests_answered_once_by_their_own_unit_only(tmp_path):
    async with Database(tmp_path / "r.db") as db:
        home, _other, secretary, stranger = await _world(db)
        school = await registry.register(db, secretary, home.id, DRAFT)
        clinic = await registry.register(
            db, secretary, home.id, UnitDraft("社区医院", UnitKind.HOSPITAL)
        )
        contact = await _contact(db, school.id, home.id, 300)
        other_contact = await _contact(db, clinic.id, home.id, 301)
        request, told = await cobuild.send_request(
            db, secretary, school.id, RequestKind.ROOM, "借用会议室", date(2026, 12, 5), TODAY
        )
        assert told == 1
        with pytest.raises(NotAllowed):
            await cobuild.send_request(
                db, stranger, school.id, RequestKind.ROOM, "借用会议室", date(2026, 12, 5), TODAY
            )
        # The clinic's contact cannot answer the school's request.
        with pytest.raises(NotAllowed, match="not_resident_contact"):
            await cobuild.answer(db, other_contact, request.id, accept=True, text="好的")
        answered = await cobuild.answer(db, contact, request.id, accept=True, text="三楼会议室")
        assert answered.status is RequestStatus.ACCEPTED and answered.answer == "三楼会议室"
        with pytest.raises(Conflict, match="cobuild_answered"):
            await cobuild.answer(db, contact, request.id, accept=False, text="改主意了")
        assert (await store.get_request(db, request.id)).answer == "三楼会议室"
        queued = await db.fetchall("SELECT key FROM outbox WHERE key LIKE 'cobuild-answer:%'")
        assert len(queued) == 1

        # The year's record: the secretary sees both units, each contact only their own.
        assert [y.unit.id for y in await cobuild.year_record(db, secretary, 2026)] == [
            school.id,
            clinic.id,
        ]
        mine = await cobuild.year_record(db, contact, 2026)
        assert [y.unit.id for y in mine] == [school.id] and len(mine[0].requests) == 1
        assert await cobuild.year_record(db, stranger, 2026) == []


async def test_one_opinion_a_year_and_the_county_tally(tmp_path):
    async with Database(tmp_path / "r.db") as db:
        home, _other, secretary, _stranger = await _world(db)
        school = await registry.register(db, secretary, home.id, DRAFT)
        contact = await _contact(db, school.id, home.id, 300)
        await cobuild.record_agreement(db, secretary, school.id, 2026, "提供党课", "开放操场")
        first, _ = await cobuild.send_request(
            db, secretary, school.id, RequestKind.ROOM, "借用会议室", date(2026, 12, 5), TODAY
        )
        second, _ = await cobuild.send_request(
            db,
            secretary,
            school.id,
            RequestKind.VOLUNTEERS,
            "需要志愿者 5 人",
            date(2026, 12, 9),
            TODAY,
        )
        await cobuild.answer(db, contact, first.id, accept=True, text="可以")
        await cobuild.answer(db, contact, second.id, accept=False, text="期末考试")
        opinion, _district = await cobuild.give_opinion(db, contact, school.id, 2026, "活动扎实")
        assert opinion.text == "活动扎实"
        with pytest.raises(Conflict, match="cobuild_opinion_given"):
            await cobuild.give_opinion(db, contact, school.id, 2026, "再说一次")
        with pytest.raises(NotAllowed):
            await cobuild.give_opinion(db, secretary, school.id, 2026, "书记不能代写")
        (row,) = await cobuild.activity(db, half(2026, 2))
        assert (row.branch, row.units, row.units_with_contact, row.agreements) == (
            "东门社区支部",
            1,
            1,
            1,
        )
        assert (row.requests, row.accepted, row.declined, row.opinions) == (2, 1, 1, 1)
        (earlier,) = await cobuild.activity(db, half(2026, 1))
        assert earlier.requests == 0


async def test_upgrading_to_resident_units_keeps_the_data_and_takes_a_unit(tmp_path):
    [version] = [
        m.version for m in migrations.available() if m.name.endswith("_resident_units.sql")
    ]
    db = await database_at(tmp_path / "before.db", version - 1)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO branches (id, name, code, created_at) VALUES (1, '东门', 'B0001', 'x')"
        )
        await active_person(conn, 1, 100, "王书记", role=Role.SECRETARY)
    await db.close()
    async with Database(tmp_path / "before.db") as upgraded:
        assert await upgraded.schema_version() == migrations.latest_version()
        assert (
            await upgraded.fetchval("SELECT name FROM people WHERE telegram_id = 100") == "王书记"
        )
        unit = await registry.register(upgraded, await actor(upgraded, 100), 1, DRAFT)
        assert (await store.get(upgraded, unit.id)).name == "县第一中学"


def test_the_year_record_is_split_between_units_within_a_message():
    from handlers.flow_kit import chunks
    from handlers.resident_units.answering import MESSAGE_MAX

    parts = ["Co-building 2026:", "a" * 2500, "b" * 2500, "c" * 10]
    found = chunks(parts, MESSAGE_MAX)
    assert found == [f"Co-building 2026:\n\n{'a' * 2500}", f"{'b' * 2500}\n\n{'c' * 10}"]
    assert chunks(["x" * 5000], MESSAGE_MAX) == ["x" * MESSAGE_MAX]
