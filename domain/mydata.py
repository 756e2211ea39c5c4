"""Everything the bot holds about a person, gathered by a registry of providers.

A feature that stores personal data adds its own section:

    @provider("posts")
    async def _posts(db, telegram_id, person):
        return [...]

Each provider returns JSON-ready data (or None to leave its section out).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from domain.access import Actor
from domain.models import Person
from storage import departures, mydata
from storage.db import Database, iso

log = logging.getLogger(__name__)

Provider = Callable[[Database, int, Person | None], Awaitable[Any]]
PROVIDERS: dict[str, Provider] = {}


def provider(name: str) -> Callable[[Provider], Provider]:
    def add(function: Provider) -> Provider:
        PROVIDERS[name] = function
        return function

    return add


async def collect(db: Database, actor: Actor, now: datetime) -> dict[str, Any]:
    """The person's own data; anyone may ask, and gets only what concerns them."""
    found: dict[str, Any] = {"generated_at": iso(now), "telegram_id": actor.telegram_id}
    for name, function in PROVIDERS.items():
        section = await function(db, actor.telegram_id, actor.person)
        if section is not None:
            found[name] = section
    log.info("personal data sent to telegram id %s", actor.telegram_id)
    return found


@provider("telegram")
async def _telegram(db: Database, telegram_id: int, person: Person | None) -> Any:
    return await mydata.telegram_user(db, telegram_id)


def _about_person(name: str, read: Callable[[Database, int], Awaitable[Any]]) -> None:
    """A section read by person id: a Telegram account that is no person has none."""

    async def section(db: Database, telegram_id: int, person: Person | None) -> Any:
        return None if person is None else await read(db, person.id)

    provider(name)(section)


_about_person("profile", mydata.profile)
for _section in mydata.PERSONAL:
    _about_person(_section, partial(mydata.personal, section=_section))
_about_person("departures", departures.of_person)


@provider("drafts")
async def _drafts(db: Database, telegram_id: int, person: Person | None) -> Any:
    return await mydata.drafts(db, telegram_id)


_about_person("audit_log", mydata.audit_about)
