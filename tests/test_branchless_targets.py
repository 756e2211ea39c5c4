"""A record of no branch is no secretary's: a role checked against the branch of what is
acted on (a person, a request) holds nowhere when that branch is missing. Only a caller
that means any branch says so (`domain.access.ANY_BRANCH`), so a target of no branch (an
organisation's contact, a district contact's request) can never pass as "any branch"."""

from __future__ import annotations

import pytest

from domain import districts, onboarding, pending
from domain.access import ANY_BRANCH, Actor, actor, require
from domain.errors import DomainError, NotAllowed
from domain.models import Person, PersonStatus, Role
from domain.pending import Kind
from handlers.joins import ApproveForCounty, ApproveForDistrict, RejectForCounty, RejectForDistrict
from handlers.pending import OpenItem
from storage import join_requests
from tests.conftest import branch_with_secretary, invite, onboard
from tests.test_contacts import contact_joins
from tests.test_organisation_roles import district_invite, forge

DISTRICT_NAME, DISTRICT_PHONE = "孙主任", "13900139001"


def someone_with(*roles: tuple[int, Role]) -> Actor:
    person = Person(1, 100, None, "甲", None, None, PersonStatus.ACTIVE)
    return Actor(100, person, frozenset(roles))


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.DISTRICT])
def test_a_role_held_in_a_branch_holds_in_no_branchless_place(role):
    holder = someone_with((7, role))
    assert holder.has(role, 7) and holder.has(role) and holder.has(role, ANY_BRANCH)
    assert not holder.has(role, None) and not holder.has(role, 8)
    assert require(holder, role, 7) is holder.person
    with pytest.raises(NotAllowed):
        require(holder, role, None)


def test_a_district_contact_holds_the_district_role_in_no_branchless_place():
    contact = Actor(
        100, someone_with().person, frozenset(), frozenset({(3, Role.DISTRICT)}), frozenset({7})
    )
    assert contact.has(Role.DISTRICT) and contact.has(Role.DISTRICT, 7)
    assert not contact.has(Role.DISTRICT, None) and not contact.has(Role.DISTRICT, 8)


async def a_district_request(bot, branch):
    """A district contact's request, waiting for the county (it names no branch)."""
    district_id = await districts.district_of_branch(bot.db, branch.id)
    contact = bot.person("区党工委")
    await contact_joins(
        contact, await district_invite(bot, district_id), DISTRICT_NAME, DISTRICT_PHONE
    )
    me = await actor(bot.db, contact.id)
    request = await join_requests.pending_for_person(bot.db, me.person.id)
    assert request is not None and request.branch_id is None
    return request


async def test_no_secretary_reads_a_district_contacts_request_as_a_pending_item(bot, branch):
    request = await a_district_request(bot, branch)
    other = await branch_with_secretary(bot, "和平社区党支部", "乙书记", "河西区")
    for secretary in (branch.secretary, other.secretary):
        with pytest.raises(DomainError):
            await pending.item(bot.db, await actor(bot.db, secretary.id), "join", request.id)


async def test_a_forged_open_press_shows_no_secretary_a_district_contacts_phone(bot, branch):
    request = await a_district_request(bot, branch)
    secretary = branch.secretary
    await secretary.send("/pending")
    before = len(secretary.messages)
    await secretary.press_data(secretary.last["message_id"], OpenItem(Kind.JOIN, request.id).pack())
    shown = "\n".join([*secretary.texts[before:], secretary.answer or ""])
    assert DISTRICT_PHONE not in shown and DISTRICT_NAME not in shown
    assert secretary.answer, "refused on the button"


@pytest.mark.parametrize(
    "codec", [ApproveForDistrict, RejectForDistrict, ApproveForCounty, RejectForCounty]
)
async def test_another_deciders_button_decides_nothing_for_the_secretary(bot, branch, codec):
    """The secretary decides a member's request with their own buttons; a district's or the
    county's button forged with its id is refused, even though the secretary is its decider."""
    applicant = bot.person("申请人")
    await onboard(applicant, await invite(bot, branch.id), "张申请", "13800138002", "居民党员")
    me = await actor(bot.db, applicant.id)
    request = await join_requests.pending_for_person(bot.db, me.person.id)
    await forge(branch.secretary, codec(request.id).pack())
    still = await join_requests.pending_for_person(bot.db, me.person.id)
    assert still is not None and still.id == request.id
    decided = await onboarding.decide(
        bot.db, await actor(bot.db, branch.secretary.id), request.id, approve=True
    )
    assert decided.request.status == "approved"
