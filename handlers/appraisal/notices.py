"""How the appraisal's queued messages read when they are sent (bot/sender.py)."""

from __future__ import annotations

from datetime import date

from bot.sender import Rendered, renderer
from domain.appraisal.reminders import DEADLINE_DUE, DEADLINE_TEMPLATE
from domain.i18n import Translator
from storage.db import Database


@renderer(DEADLINE_TEMPLATE)
async def deadline_due(t: Translator, db: Database, params: dict) -> Rendered:
    """The secretaries' reminder of a 限期改正 deadline, its date in the reader's style."""
    when = t.date(date.fromisoformat(params["deadline"]))
    return Rendered(
        t.gettext(DEADLINE_DUE, year=params["year"], name=params["name"], deadline=when)
    )
