"""The organisations around a branch (issue 19): a district's contact, instructors, resident
units and patrons join through /start, are decided by whom the policy says (the county for
a district, the district for an instructor or a patron), and are never members."""

from __future__ import annotations

import sqlite3

from domain import districts, onboarding
from domain.access import Audience, actor, audiences_of
from domain.models import InviteRole, Role
from storage import console, invites, join_requests
from storage.db import Database
from tests.conftest import branch_with_secretary, invite
from tests.test_contacts import contact_joins, menu_of
from tests.world import database_before

MEMBER_COMMANDS = {"posts", "mobile", "hours", "leave", "events", "checkin", "checkout"}


async def district_invite(bot, district_id: int) -> str:
    made = await onboarding.create_invite(bot.db, role=InviteRole.DISTRICT, district_id=district_id)
    return made.code


async def a_county_contact(bot, branch):
    code = await invite(bot, branch.id, role=InviteRole.COUNTY)
    county = bot.person("组织部联系人")
    await contact_joins(county, code, "钱联络", "13700137002")
    await branch.secretary.press("✅ 通过")
    await bot.drain_outbox()
    return county


async def a_district_contact(bot, branch, *, language_code: str = "zh-hans"):
    """The district contact of `branch`'s district, approved by the operator."""
    district_id = await districts.district_of_branch(bot.db, branch.id)
    contact = bot.person("区党工委", language_code=language_code)
    await contact_joins(contact, await district_invite(bot, district_id), "孙主任", "13900139001")
    me = await actor(bot.db, contact.id)
    request = await join_requests.pending_for_person(bot.db, me.person.id)
    await onboarding.decide(bot.db, None, request.id, approve=True)
    await bot.drain_outbox()
    return contact


async def forge(person, data: str) -> None:
    """`data` pressed on the newest message the bot sent this person: a forged client."""
    await person.press_data(person.last["message_id"], data)
    assert person.answer, "a forged press is answered"


async def test_a_district_contact_is_approved_by_the_county_not_the_secretary(bot, branch):
    secretary = branch.secretary
    await secretary.send("/start")
    county = await a_county_contact(bot, branch)
    district_id = await districts.district_of_branch(bot.db, branch.id)
    contact = bot.person("区党工委")
    await contact_joins(contact, await district_invite(bot, district_id), "孙主任", "13900139001")
    await bot.drain_outbox()
    assert "已提交审核" in contact.last_text

    card = county.message_with_button("✅ 通过")
    assert "城关区" in card["text"] and "区党工委联系人" in card["text"]
    # The branch's secretary got no card, and a forged press of theirs changes nothing.
    assert not any("城关区" in t for t in secretary.texts)
    data = next(b["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for b in row)
    await forge(secretary, data)
    me = await actor(bot.db, contact.id)
    assert not me.has(Role.DISTRICT)

    await county.press("✅ 通过", card)
    await bot.drain_outbox()
    me = await actor(bot.db, contact.id)
    assert me.districts_where(Role.DISTRICT) == [district_id]
    assert me.has_district(district_id) and me.has(Role.DISTRICT, branch.id)
    assert not me.member and me.is_contact
    assert audiences_of(me) == {Audience.EVERYONE, Audience.DISTRICT}
    assert "区党工委" in contact.last_text
    menu = set(await menu_of(bot, contact.id, {"mydata"}, subset=True))
    assert not menu & MEMBER_COMMANDS
    assert "孙主任" not in [r["name"] for r in await console.members(bot.db, branch.id)]


async def test_an_instructor_is_decided_by_the_district_of_the_branch(bot, branch):
    secretary = branch.secretary
    await secretary.send("/start")
    district_contact = await a_district_contact(bot, branch)
    other = await branch_with_secretary(bot, "和平社区党支部", "乙书记", "河西区")
    other_contact = await a_district_contact(bot, other)

    code = await invite(bot, branch.id, role=InviteRole.INSTRUCTOR)
    instructor = bot.person("指导员", language_code="en")
    await contact_joins(instructor, code, "Zhou Guide", "13900139002")
    await bot.drain_outbox()
    assert "sent for approval" in instructor.last_text
    card = district_contact.message_with_button("✅ 通过")
    assert "党建工作指导员" in card["text"]
    assert not other_contact.buttons(), "another district's contact is not asked"
    data = next(b["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for b in row)
    # The other district's contact and the branch's secretary press it: refused, no change.
    await forge(other_contact, data)
    await forge(secretary, data)
    assert not (await actor(bot.db, instructor.id)).has(Role.INSTRUCTOR)
    # The secretary's /pending does not offer it either.
    await secretary.send("/pending")
    assert "Zhou Guide" not in secretary.last_text

    await district_contact.press("✅ 通过", card)
    await bot.drain_outbox()
    me = await actor(bot.db, instructor.id)
    assert me.branches_where(Role.INSTRUCTOR) == [branch.id] and not me.member
    assert audiences_of(me) == {Audience.EVERYONE, Audience.INSTRUCTOR}
    assert "party-building instructor" in instructor.last_text
    assert "Zhou Guide" not in [r["name"] for r in await console.members(bot.db, branch.id)]


async def test_patrons_and_resident_units_join_and_are_no_members(bot, branch):
    secretary = branch.secretary
    await secretary.send("/start")
    patron_code = await invite(bot, branch.id, role=InviteRole.PATRON)
    patron = bot.person("包扶常委")
    await contact_joins(patron, patron_code, "吴常委", "13900139003")
    # No district contact yet: the operator decides it.
    request = await join_requests.pending_for_person(
        bot.db, (await actor(bot.db, patron.id)).person.id
    )
    assert request.role is InviteRole.PATRON
    await onboarding.decide(bot.db, None, request.id, approve=True)
    unit_code = await invite(bot, branch.id, role=InviteRole.RESIDENT_UNIT)
    unit = bot.person("驻区单位")
    await contact_joins(unit, unit_code, "郑联络", "13900139004")
    card = secretary.message_with_button("✅ 通过")
    assert "驻区单位" in card["text"]
    await secretary.press("✅ 通过", card)
    await bot.drain_outbox()
    assert audiences_of(await actor(bot.db, patron.id)) == {Audience.EVERYONE, Audience.PATRON}
    assert audiences_of(await actor(bot.db, unit.id)) == {
        Audience.EVERYONE,
        Audience.RESIDENT_UNIT,
    }
    assert "包扶" in patron.last_text
    names = [r["name"] for r in await console.members(bot.db, branch.id)]
    assert "吴常委" not in names and "郑联络" not in names


async def test_a_district_invitation_needs_a_district_and_no_branch(bot, branch):
    from domain.errors import InvalidInput, NotFound

    for kwargs, code in [
        ({"role": InviteRole.DISTRICT}, "invite_district_missing"),
        ({"role": InviteRole.DISTRICT, "district_id": 1, "branch_id": branch.id}, None),
        ({"role": InviteRole.INSTRUCTOR}, "invite_branch_missing"),
        ({"role": InviteRole.PATRON, "branch_id": branch.id, "district_id": 1}, None),
    ]:
        try:
            await onboarding.create_invite(bot.db, **kwargs)
        except InvalidInput as exc:
            assert code is None or exc.code == code
        else:
            raise AssertionError(f"{kwargs} accepted")
    try:
        await onboarding.create_invite(bot.db, role=InviteRole.DISTRICT, district_id=999)
    except NotFound as exc:
        assert exc.code == "district_unknown"


async def test_the_upgrade_keeps_roles_invites_and_requests(tmp_path):
    now = "2026-01-05T08:00:00+00:00"
    old = f"""
        INSERT INTO districts (id, name, created_at) VALUES (1, '城关区', '{now}');
        INSERT INTO branches (id, district_id, name, code, created_at)
            VALUES (1, 1, '幸福', 'B1', '{now}');
        INSERT INTO people (id, telegram_id, branch_id, name, category, status, created_at,
                            updated_at) VALUES
          (1, 101, 1, '书记', NULL, 'active', '{now}', '{now}'),
          (2, 102, 1, '单位联系人', NULL, 'active', '{now}', '{now}'),
          (3, 103, 1, '县联系人', NULL, 'pending', '{now}', '{now}'),
          (4, 104, 1, '党员', 'resident', 'active', '{now}', '{now}');
        INSERT INTO roles (person_id, branch_id, role, granted_at, granted_by) VALUES
          (1, 1, 'secretary', '{now}', NULL), (2, 1, 'unit', '{now}', 1),
          (4, 1, 'member', '{now}', 1);
        INSERT INTO unit_orgs (id, name, created_at) VALUES (1, '县教育局', '{now}');
        INSERT INTO invites (id, code, branch_id, role, uses_left, expires_at, created_by,
                             created_at, person_id) VALUES
          (1, 'UNIT000001', 1, 'unit', 0, NULL, 1, '{now}', NULL),
          (2, 'COUNTY0001', 1, 'unit', 1, '2026-02-01T00:00:00+00:00', 1, '{now}', NULL),
          (3, 'MEMBER0001', 1, 'member', 2, NULL, 1, '{now}', 4);
        INSERT INTO invite_orgs (invite_id, unit_id) VALUES (1, 1), (2, NULL);
        INSERT INTO join_requests (id, person_id, branch_id, invite_id, role, status,
                                   created_at, decided_at, decided_by, reason) VALUES
          (1, 2, 1, 1, 'unit', 'approved', '{now}', '{now}', 1, NULL),
          (2, 3, 1, 2, 'unit', 'pending', '{now}', NULL, NULL, NULL),
          (3, 4, 1, NULL, 'member', 'rejected', '{now}', '{now}', 1, '重复');
        """
    path = await database_before(tmp_path, "_organisation_roles.sql", old)
    async with Database(path) as db:  # opening migrates to the latest version
        roles = await db.fetchall("SELECT * FROM roles ORDER BY person_id")
        assert [tuple(r) for r in roles] == [
            (1, 1, "secretary", now, None),
            (2, 1, "unit", now, 1),
            (4, 1, "member", now, 1),
        ]
        unit_invite = await invites.by_code(db, "UNIT000001")
        assert (unit_invite.role, unit_invite.unit_id, unit_invite.uses_left) == (
            InviteRole.UNIT,
            1,
            0,
        )
        county_invite = await invites.by_code(db, "COUNTY0001")
        assert county_invite.role is InviteRole.COUNTY and county_invite.unit_id is None
        assert county_invite.expires_at is not None
        assert (await invites.by_code(db, "MEMBER0001")).person_id == 4
        pending = await join_requests.pending_for_person(db, 3)
        assert pending.id == 2 and pending.role is InviteRole.COUNTY
        async with db.transaction() as conn:
            first = await join_requests.get_for_update(conn, 1)
            third = await join_requests.get_for_update(conn, 3)
        assert first.role is InviteRole.UNIT and first.unit_id == 1
        assert third.reason == "重复" and third.branch_id == 1
        assert await db.check_integrity() == []  # foreign keys included
        # The new roles are taken now, and a district's invitation names no branch.
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO roles (person_id, branch_id, role, granted_at)"
                " VALUES (2, 1, 'instructor', ?)",
                (now,),
            )
        try:
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO invites (code, branch_id, district_id, role, uses_left,"
                    " created_at) VALUES ('BAD', 1, 1, 'district', 1, ?)",
                    (now,),
                )
        except sqlite3.IntegrityError:
            pass
        else:
            raise AssertionError("a district invitation for a branch was accepted")


async def test_the_operator_makes_districts_invites_and_decides_requests(tmp_path):
    from tests.test_cli import partybot

    district_id = partybot(tmp_path, "district", "add", "城关区").stdout.strip()
    branch_id = partybot(tmp_path, "branch", "add", "东风社区党支部", "--district", "城关区")
    branch_id = branch_id.stdout.strip()
    listed = partybot(tmp_path, "district", "list").stdout
    assert f"{district_id}\t城关区\t{branch_id} 东风社区党支部" in listed
    for args, message in [
        (["district", "add", "城关区"], "already exists"),
        (["invite", "create", "--role", "district"], "needs --district"),
        (["invite", "create", "--role", "district", "--district", "9"], "no district with id 9"),
        (["invite", "create", "--role", "instructor"], "needs --branch"),
        (["request", "approve", "99"], "no join request"),
    ]:
        result = partybot(tmp_path, *args)
        assert result.returncode == 1, args
        assert message in result.stderr and "Traceback" not in result.stderr
    made = partybot(tmp_path, "invite", "create", "--role", "district", "--district", district_id)
    assert made.returncode == 0, made.stderr
    code = made.stdout.strip().splitlines()[-1]
    # A resident unit's contact is invited for one unit (tests/test_resident_units.py).
    for role in ("instructor", "patron"):
        made = partybot(tmp_path, "invite", "create", "--role", role, "--branch", branch_id)
        assert made.returncode == 0, made.stderr

    async with Database(tmp_path / "db" / "partybot.db") as db:
        submitted = await onboarding.submit(
            db, 4242, onboarding.Application(code, "孙主任", "13900139001", None)
        )
    assert submitted.request.district_id == int(district_id)
    assert submitted.request.branch_id is None and submitted.person.branch_id is None
    waiting = partybot(tmp_path, "request", "list").stdout
    assert f"{submitted.request.id}\tdistrict\tdistrict {district_id} 城关区\t孙主任" in waiting
    approved = partybot(tmp_path, "request", "approve", str(submitted.request.id))
    assert approved.returncode == 0 and "approved: 孙主任" in approved.stdout
    assert partybot(tmp_path, "request", "list").stdout == ""
    again = partybot(tmp_path, "request", "reject", str(submitted.request.id))
    assert again.returncode == 1 and "decided already" in again.stderr
    async with Database(tmp_path / "db" / "partybot.db") as db:
        me = await actor(db, 4242)
        assert me.has_district(int(district_id)) and me.has(Role.DISTRICT, int(branch_id))
        found = await districts.branches_of_district(db, int(district_id))
        assert [b.id for b in found] == [int(branch_id)]
        assert await districts.district_of_branch(db, int(branch_id)) == int(district_id)


async def test_an_instructor_of_two_branches_holds_two_rows(bot, branch):
    await branch.secretary.send("/start")
    district_contact = await a_district_contact(bot, branch)
    second = await branch_with_secretary(bot, "和平社区党支部", "乙书记", "城关区")
    instructor = bot.person("指导员")
    await contact_joins(
        instructor,
        await invite(bot, branch.id, role=InviteRole.INSTRUCTOR),
        "周指导",
        "13900139002",
    )
    await bot.drain_outbox()
    await district_contact.press("✅ 通过")
    # Active now: the second branch's invitation asks for one more role, nothing else.
    await instructor.send(f"/start {await invite(bot, second.id, role=InviteRole.INSTRUCTOR)}")
    await bot.drain_outbox()
    assert "审核" in instructor.last_text
    # One request at a time.
    await instructor.send(
        f"/start {await invite(bot, second.id, role=InviteRole.PATRON)}", expecting="正在等待"
    )
    card = district_contact.message_with_button("✅ 通过")
    assert "和平社区党支部" in card["text"]
    await district_contact.press("✅ 通过", card)
    await bot.drain_outbox()
    me = await actor(bot.db, instructor.id)
    assert me.branches_where(Role.INSTRUCTOR) == sorted([branch.id, second.id])
    assert me.person.branch_id == branch.id and me.active
    # Turned down, a further role leaves the person as they were.
    await instructor.send(f"/start {await invite(bot, second.id, role=InviteRole.PATRON)}")
    request = await join_requests.pending_for_person(bot.db, me.person.id)
    await onboarding.decide(bot.db, None, request.id, approve=False)
    me = await actor(bot.db, instructor.id)
    assert me.active and not me.has(Role.PATRON)
    assert me.branches_where(Role.INSTRUCTOR) == sorted([branch.id, second.id])
