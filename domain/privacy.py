"""Who may see which cadre data: a unit contact only their own unit's cadres and never
a non-cadre member; the county the cadre rows and aggregates; a secretary their branch."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.access import Actor
from domain.cadre_figures import CadreFigures
from domain.models import Role
from storage import units
from storage.db import Database


@dataclass(frozen=True)
class Viewer:
    secretary_of: frozenset[int] = frozenset()  # branch ids
    contact_of: frozenset[int] = frozenset()  # unit ids
    county: bool = False


@dataclass(frozen=True)
class Subject:
    """A person as the privacy rules see them."""

    branches: frozenset[int]
    unit_id: int | None
    is_cadre: bool


def can_see(viewer: Viewer, subject: Subject) -> bool:
    if viewer.secretary_of & subject.branches:
        return True
    if not subject.is_cadre:
        return False
    return viewer.county or subject.unit_id in viewer.contact_of


def subject_of(figure: CadreFigures) -> Subject:
    return Subject(frozenset(figure.branch_ids), figure.unit_id, is_cadre=True)


def visible(viewer: Viewer, figures: Iterable[CadreFigures]) -> list[CadreFigures]:
    return [f for f in figures if can_see(viewer, subject_of(f))]


async def viewer_of(db: Database, actor: Actor) -> Viewer:
    if not actor.active or actor.person is None:
        return Viewer()
    return Viewer(
        secretary_of=frozenset(actor.branches_where(Role.SECRETARY)),
        contact_of=frozenset(await units.units_of_contact(db, actor.person.id)),
        county=await units.is_county_contact(db, actor.person.id),
    )
