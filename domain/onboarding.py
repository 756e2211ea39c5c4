"""Joining a branch: invites, applications and the secretary's decision."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import aiosqlite

from domain import guesses, notices, outbox
from domain.access import ANY_BRANCH, Actor
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.guesses import Guessed
from domain.models import (
    Branch,
    Category,
    Invite,
    InviteRole,
    JoinRequest,
    Person,
    PersonStatus,
    RequestStatus,
    Role,
)
from domain.unit_of_work import UnitOfWork, unit_of_work
from domain.validation import NAME_MAX
from storage import (
    branches,
    districts,
    invites,
    join_requests,
    people,
    resident_units,
    units,
)
from storage.db import Database, utcnow

# Unambiguous letters and digits: codes are sometimes read aloud or typed by hand.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10

ROLE_FOR_INVITE = {
    InviteRole.MEMBER: Role.MEMBER,
    InviteRole.CADRE: Role.CADRE,
    InviteRole.UNIT: Role.UNIT,
    InviteRole.COUNTY: Role.COUNTY,
    InviteRole.DISTRICT: Role.DISTRICT,
    InviteRole.INSTRUCTOR: Role.INSTRUCTOR,
    InviteRole.RESIDENT_UNIT: Role.RESIDENT_UNIT,
    InviteRole.PATRON: Role.PATRON,
}
# Contacts of an organisation: no category, never a member by joining.
CONTACT_INVITES = frozenset(set(InviteRole) - {InviteRole.MEMBER, InviteRole.CADRE})
# Who decides a request, other than the operator: the branch's secretary, but the district
# contact of the branch's district for its instructors and patrons, and a county contact
# for a district's contacts.
DECIDED_BY_DISTRICT = frozenset({InviteRole.INSTRUCTOR, InviteRole.PATRON})


def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_invite(invite: Invite | None, now: datetime) -> Invite:
    if invite is None:
        raise NotFound("invite_unknown")
    if invite.expires_at is not None and invite.expires_at <= now:
        raise Conflict("invite_expired")
    if invite.uses_left <= 0:
        raise Conflict("invite_used_up")
    return invite


@effect
async def open_invite(
    db: Database, code: str, *, telegram_id: int, now: datetime | None = None
) -> Invite:
    """The invite behind a /start code, if it can still be used; an account that typed
    too many unknown codes is refused for a while (domain/guesses.py)."""
    now = now or utcnow()
    await guesses.refuse_if_too_many(db, telegram_id, Guessed.INVITE, now)
    code = code.strip().upper()
    try:
        if not code.isalnum() or len(code) > 64:
            raise NotFound("invite_unknown")
        return check_invite(await invites.by_code(db, code), now)
    except NotFound:
        await guesses.wrong(db, telegram_id, Guessed.INVITE, now)
        raise


@effect
async def create_invite(
    db: Database,
    *,
    branch_id: int | None = None,
    role: InviteRole = InviteRole.MEMBER,
    uses: int = 1,
    expires_in_days: int | None = 14,
    created_by: int | None = None,
    unit_id: int | None = None,
    district_id: int | None = None,
) -> Invite:
    """An invitation to a branch, or for the district role to a district (never both)."""
    if uses < 1:
        raise InvalidInput("invite_uses")
    if expires_in_days is not None and expires_in_days < 1:
        raise InvalidInput("invite_expiry")
    if role is InviteRole.DISTRICT:
        if district_id is None or branch_id is not None:
            raise InvalidInput("invite_district_missing")
        if await districts.name_of(db, district_id) is None:
            raise NotFound("district_unknown", district=district_id)
    elif branch_id is None or district_id is not None:
        raise InvalidInput("invite_branch_missing")
    elif await branches.get(db, branch_id) is None:
        raise NotFound("branch_unknown", branch=branch_id)
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    invite = Invite(
        0, new_code(), branch_id, role, uses, expires_at, unit_id, district_id=district_id
    )
    async with unit_of_work(db, None, by=created_by, branch_id=branch_id) as work:
        invite = replace(invite, id=await invites.create(work.conn, invite, created_by))
        await work.audit(
            "invite.created",
            "invite",
            invite.id,
            role=str(role),
            uses=uses,
            unit=unit_id,
            district=district_id,
        )
    return invite


def _refuse_if_joined(existing: Person | None) -> None:
    """An account that is a member, or whose application waits, does not join again."""
    if existing is not None and existing.status is PersonStatus.ACTIVE:
        raise Conflict("already_member")
    if existing is not None and existing.status is PersonStatus.PENDING:
        raise Conflict("already_pending")


@dataclass(frozen=True)
class Claimed:
    person: Person
    branch: Branch


@effect
async def claim(db: Database, telegram_id: int, code: str) -> Claimed:
    """Bind a Telegram account to the person a personal invitation was made for (a roster
    entry the secretary imported): they are a member already, so nothing to approve."""
    now = utcnow()
    async with db.transaction() as conn:
        invite = check_invite(await invites.by_code(db, code), now)
        assert invite.person_id is not None
        person = await people.get_for_update(conn, invite.person_id)
        existing = await people.by_telegram_id_for_update(conn, telegram_id)
        if person is None or person.status is not PersonStatus.ACTIVE or person.telegram_id:
            raise Conflict("invite_used_up")
        _refuse_if_joined(existing)
        if not await invites.consume(conn, invite.id, now):
            raise Conflict("invite_used_up")
        if existing is not None:
            # The same account applied earlier and was turned down; the roster entry wins.
            await people.update(conn, existing.id, telegram_id=None)
        await people.update(conn, person.id, telegram_id=telegram_id)
        await people.mark_menu(conn, person.id)
        work = UnitOfWork.joining(conn, by=person.id, branch_id=invite.branch_id)
        await work.audit("invite.claimed", "person", person.id, invite=invite.id)
        bound = await people.get_for_update(conn, person.id)
    branch = await branches.get(db, invite.branch_id)
    assert bound is not None and branch is not None
    return Claimed(bound, branch)


@dataclass(frozen=True)
class Application:
    """What an applicant confirmed; the conversation collects it step by step."""

    invite_code: str
    name: str
    phone: str
    category: Category | None


@dataclass(frozen=True)
class Submitted:
    person: Person
    request: JoinRequest
    branch: Branch


# Outbox templates; handlers/joins.py renders them in the recipient's language.
REQUEST_TEMPLATE = "join.request"
APPROVED_TEMPLATE = "join.approved"
REJECTED_TEMPLATE = "join.rejected"


def category_for(role: InviteRole, chosen: Category | None) -> Category | None:
    if role is InviteRole.CADRE:
        return Category.CADRE
    if role in CONTACT_INVITES:
        return None
    if chosen is None:
        raise InvalidInput("category_missing")
    return chosen


@effect
async def submit(db: Database, telegram_id: int, application: Application) -> Submitted:
    """Record the application and take one use of the invite, all at once."""
    now = utcnow()
    async with db.transaction() as conn:
        invite = await invites.by_code(db, application.invite_code)
        invite = check_invite(invite, now)
        category = category_for(invite.role, application.category)
        if not await invites.consume(conn, invite.id, now):
            raise Conflict("invite_used_up")
        existing = await people.by_telegram_id_for_update(conn, telegram_id)
        _refuse_if_joined(existing)
        fields = dict(
            branch_id=invite.branch_id,
            name=application.name,
            phone=application.phone,
            category=category,
            status=PersonStatus.PENDING,
        )
        if existing is None:
            person_id = await people.insert(conn, telegram_id=telegram_id, **fields)
        else:
            person_id = existing.id
            await people.update(conn, person_id, **fields)
        request_id = await join_requests.create(conn, person_id, invite)
        work = UnitOfWork.joining(conn, by=person_id, branch_id=invite.branch_id)
        await work.audit("join.requested", "join_request", request_id, invite=invite.id)
        person = await people.get_for_update(conn, person_id)
        request = await join_requests.get_for_update(conn, request_id)
        assert person is not None and request is not None
        place = await place_of(db, request)
        await tell_deciders(conn, db, request, person, place)
    return Submitted(person, request, place)


async def place_of(db: Database, request: JoinRequest) -> Branch:
    """What the request is to join, as the messages name it: the branch, or for the district
    role its district (a Branch carrying the district's name and id, no branch id)."""
    if request.branch_id is not None:
        branch = await branches.get(db, request.branch_id)
        assert branch is not None
        return branch
    assert request.district_id is not None
    name = await districts.name_of(db, request.district_id)
    return Branch(0, name or "", "", request.district_id, None)


async def request_card(db: Database, request: JoinRequest, person: Person, branch: Branch) -> dict:
    """The decider's card of a request (REQUEST_TEMPLATE), as the outbox keeps it."""
    return {
        "template": REQUEST_TEMPLATE,
        "params": {
            "request": request.id,
            "branch": branch.name,
            "name": person.display_name,
            "phone": person.phone,
            "category": person.category and str(person.category),
            "role": str(request.role),
            "unit": await _unit_name(db, request),
        },
        # Someone applied and waits; a secretary can mute the bot in Telegram.
        "kind": outbox.Kind.URGENT,
    }


async def tell_deciders(
    conn: aiosqlite.Connection, db: Database, request: JoinRequest, person: Person, place: Branch
) -> None:
    key = f"join-request:{request.id}"
    card = await request_card(db, request, person, place)
    if request.role is InviteRole.DISTRICT:
        deciders = [(p.id, p.telegram_id) for p in await units.county_contacts(db)]
    elif request.role in DECIDED_BY_DISTRICT:
        district_id = await districts.district_of_branch(db, place.id)
        deciders = await districts.contacts_in(conn, district_id) if district_id else []
    else:
        await notices.to_secretaries(conn, db, place.id, key, **card)
        return
    # No one to decide in the chat: the operator decides with `partybot request approve`.
    for person_id, chat_id in deciders:
        await notices.to_person(
            conn, chat_id, f"{key}:{person_id}", branch_id=request.branch_id, **card
        )


async def _unit_name(db: Database, request: JoinRequest) -> str | None:
    """The organisation a unit's or a resident unit's contact's request is for, as the
    messages name it."""
    if request.role is InviteRole.RESIDENT_UNIT:
        resident_id = await resident_units.unit_of_request(db, request.id)
        resident = await resident_units.get(db, resident_id) if resident_id else None
        return resident.name if resident else None
    unit = await units.get(db, request.unit_id) if request.unit_id is not None else None
    return unit.name if unit else None


@dataclass(frozen=True)
class Decision:
    request: JoinRequest
    applicant: Person
    branch: Branch


@effect
async def decide(
    db: Database,
    actor: Actor | None,
    request_id: int,
    *,
    approve: bool,
    reason: str | None = None,
    deciding_as: Role | None = None,
) -> Decision:
    """The request's decider (see DECIDED_BY_DISTRICT; `actor` None: the operator)
    approves or rejects it, once. `deciding_as`: the decider a pressed button stands for
    (a secretary's, a district's, the county's); a request another decides is refused."""
    async with unit_of_work(db, actor) as work:
        conn = work.conn
        request = await join_requests.get_for_update(conn, request_id)
        if request is None:
            raise NotFound("request_unknown")
        decider = _require_decider(work, request, deciding_as)
        if request.status is not RequestStatus.PENDING:
            raise Conflict("already_decided", status=str(request.status))
        status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
        decider_id = decider.id if decider else None
        if not await join_requests.decide(conn, request.id, status, decider_id, reason):
            raise Conflict("already_decided", status="")
        before = await people.get_for_update(conn, request.person_id)
        assert before is not None
        if before.status is not PersonStatus.ACTIVE:
            # Someone active already asked for one more contact role (contact_requests.py):
            # turning that down leaves them as they are.
            await people.update(
                conn,
                request.person_id,
                status=PersonStatus.ACTIVE if approve else PersonStatus.REJECTED,
            )
        if approve:
            await _grant(conn, request, before.category, decider_id)
        action = "join.approved" if approve else "join.rejected"
        await work.audit(action, "join_request", request.id, reason=reason)
        decided = await join_requests.get_for_update(conn, request.id)
        applicant = await people.get_for_update(conn, request.person_id)
        branch = await place_of(db, request)
        assert decided is not None and applicant is not None
        if applicant.telegram_id is not None:
            await outbox.enqueue(
                conn,
                key=f"join-decision:{request.id}",
                chat_id=applicant.telegram_id,
                template=APPROVED_TEMPLATE if approve else REJECTED_TEMPLATE,
                params={
                    "branch": branch.name,
                    "telegram_id": applicant.telegram_id,
                    "role": str(request.role),
                    "unit": await _unit_name(db, request),
                },
                branch_id=request.branch_id,
                kind=outbox.Kind.URGENT,  # the applicant is waiting for it
            )
    return Decision(decided, applicant, branch)


def _decider_role(request: JoinRequest) -> Role:
    """Whose role decides `request` (besides the operator)."""
    if request.role is InviteRole.DISTRICT:
        return Role.COUNTY
    if request.role in DECIDED_BY_DISTRICT:
        return Role.DISTRICT
    return Role.SECRETARY


def _require_decider(
    work: UnitOfWork, request: JoinRequest, deciding_as: Role | None
) -> Person | None:
    """Who decides `request`: None for the operator, else the acting person if entitled."""
    if work.actor is None:
        work.branch_id = request.branch_id
        return None
    role = _decider_role(request)
    if deciding_as is not None and deciding_as is not role:
        # Another decider's button forged with this request's id: refused even when the
        # presser decides it with their own (a button only does what its audience may).
        raise NotAllowed("not_allowed")
    # Any county contact decides a district's contacts, whose request names no branch.
    return work.require(role, ANY_BRANCH if role is Role.COUNTY else request.branch_id)


async def _grant(
    conn: aiosqlite.Connection,
    request: JoinRequest,
    category: Category | None,
    decider_id: int | None,
) -> None:
    role = ROLE_FOR_INVITE[request.role]
    if role is Role.MEMBER and category is Category.ACTIVIST:
        # 入党积极分子 are candidates, not party members: known to the branch with no role,
        # they are never counted as members; their way in is /develop (domain/development).
        await people.mark_menu(conn, request.person_id)
        return
    if request.district_id is not None:
        await districts.grant_role(conn, request.person_id, request.district_id, role, decider_id)
        await people.mark_menu(conn, request.person_id)
        return
    assert request.branch_id is not None
    await people.grant_role(conn, request.person_id, request.branch_id, role, decider_id)
    await units.attach_contact(conn, request)
    await resident_units.attach_contact(conn, request.id)


async def waiting_count(db: Database, actor: Actor) -> int:
    """Join requests waiting for `actor`'s decision, in every role that decides some."""
    total = 0
    for branch_id in actor.branches_where(Role.SECRETARY):
        total += len(await join_requests.pending_in_branch(db, branch_id))
    for district_id in actor.districts_where(Role.DISTRICT):
        total += len(await join_requests.pending_for_district(db, district_id))
    if actor.has(Role.COUNTY):
        total += len(await join_requests.pending_district_contacts(db))
    return total


@effect
async def adopt_profile_name(db: Database, person: Person, name: str) -> None:
    """People created by an operator (secretaries) have no name until they first write."""
    if person.name or not name.strip():
        return
    async with db.transaction() as conn:
        await people.update(conn, person.id, name=name.strip()[:NAME_MAX])
