"""Row → domain dataclass conversions, kept in one place so queries stay short."""

from __future__ import annotations

import sqlite3

from domain.models import (
    Branch,
    CadreRegistration,
    Category,
    Invite,
    InviteRole,
    JoinRequest,
    Person,
    PersonStatus,
    RegistrationStatus,
    RequestStatus,
    UnitOrg,
)
from storage.db import parse_iso


def branch(row: sqlite3.Row) -> Branch:
    return Branch(row["id"], row["name"], row["code"], row["district_id"], row["timezone"])


def person(row: sqlite3.Row) -> Person:
    return Person(
        id=row["id"],
        telegram_id=row["telegram_id"],
        branch_id=row["branch_id"],
        name=row["name"],
        phone=row["phone"],
        category=Category(row["category"]) if row["category"] else None,
        status=PersonStatus(row["status"]),
    )


def _joined(row: sqlite3.Row, column: str) -> object:
    # `in` on a Row looks at its values, so the column names are asked for explicitly.
    names = row.keys()
    return row[column] if column in names else None


def _org_unit(row: sqlite3.Row) -> int | None:
    return _joined(row, "org_unit_id")


def _invite_role(row: sqlite3.Row) -> InviteRole:
    # County invitations are stored as 'unit' with an invite_orgs row that names no unit
    # (see 0006_cadres.sql); queries join it in as org_invite / org_unit_id.
    if _joined(row, "org_invite") is not None and _org_unit(row) is None:
        return InviteRole.COUNTY
    return InviteRole(row["role"])


def invite(row: sqlite3.Row) -> Invite:
    return Invite(
        id=row["id"],
        code=row["code"],
        branch_id=row["branch_id"],
        role=_invite_role(row),
        uses_left=row["uses_left"],
        expires_at=parse_iso(row["expires_at"]),
        unit_id=_org_unit(row),
        person_id=row["person_id"],
    )


def join_request(row: sqlite3.Row) -> JoinRequest:
    return JoinRequest(
        id=row["id"],
        person_id=row["person_id"],
        branch_id=row["branch_id"],
        role=_invite_role(row),
        status=RequestStatus(row["status"]),
        created_at=parse_iso(row["created_at"]),
        reason=row["reason"],
        unit_id=_org_unit(row),
    )


def unit_org(row: sqlite3.Row) -> UnitOrg:
    return UnitOrg(row["id"], row["name"], row["parent_id"], row["locale"], row["chat_id"])


def cadre_registration(row: sqlite3.Row) -> CadreRegistration:
    return CadreRegistration(
        id=row["id"],
        person_id=row["person_id"],
        branch_id=row["branch_id"],
        year=row["year"],
        version=row["version"],
        unit_id=row["unit_id"],
        unit_name=row["unit_name"],
        name=row["name"],
        position=row["position"],
        rank=row["rank"],
        address=row["address"],
        phone=row["phone"],
        status=RegistrationStatus(row["status"]),
        submitted_at=parse_iso(row["submitted_at"]),
        decided_at=parse_iso(row["decided_at"]),
    )
