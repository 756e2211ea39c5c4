"""One more contact role for someone active already: an instructor of a second branch, a
member who is also the contact of a resident unit. The invitation's link leads to a join
request decided as any other (domain/onboarding.py), and the person's record stays as it is."""

from __future__ import annotations

from domain.effects import effect
from domain.errors import Conflict, NotAllowed
from domain.models import JoinRequest, PersonStatus
from domain.onboarding import (
    CONTACT_INVITES,
    ROLE_FOR_INVITE,
    check_invite,
    place_of,
    tell_deciders,
)
from domain.unit_of_work import UnitOfWork
from storage import districts, invites, join_requests, people
from storage.db import Database, utcnow


@effect
async def apply_for_role(db: Database, telegram_id: int, code: str) -> JoinRequest:
    now = utcnow()
    async with db.transaction() as conn:
        invite = check_invite(await invites.by_code(db, code.strip().upper()), now)
        person = await people.by_telegram_id_for_update(conn, telegram_id)
        if person is None or person.status is not PersonStatus.ACTIVE:
            raise NotAllowed("not_allowed")
        if invite.role not in CONTACT_INVITES or invite.person_id is not None:
            raise Conflict("already_member")
        role = ROLE_FOR_INVITE[invite.role]
        if invite.district_id is not None:
            held = (invite.district_id, role) in await districts.roles_of(db, person.id)
        else:
            held = (invite.branch_id, role) in await people.roles_of(db, person.id)
        if held:
            raise Conflict("role_held")
        waiting = await join_requests.pending_for_person(db, person.id)
        if waiting is not None:
            raise Conflict("already_pending")
        if not await invites.consume(conn, invite.id, now):
            raise Conflict("invite_used_up")
        request_id = await join_requests.create(conn, person.id, invite)
        work = UnitOfWork.joining(conn, by=person.id, branch_id=invite.branch_id)
        await work.audit("join.requested", "join_request", request_id, invite=invite.id)
        request = await join_requests.get_for_update(conn, request_id)
        assert request is not None
        await tell_deciders(conn, db, request, person, await place_of(db, request))
    return request
