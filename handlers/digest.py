"""How the secretary's morning digest reads (queued by domain/digest.py)."""

from __future__ import annotations

from babel.lists import format_list

from bot.i18n import Translator
from bot.sender import Rendered, renderer
from domain import digest
from storage.db import Database


@renderer(digest.TEMPLATE)
async def digest_message(t: Translator, db: Database, params: dict) -> Rendered:
    lines = [t.gettext("Good morning. Here is what needs your attention:")]
    if params["waiting"]:
        lines.append(
            t.ngettext(
                "{n} application is waiting for your decision.",
                "{n} applications are waiting for your decision.",
                params["waiting"],
            )
        )
    if params["unreachable"]:
        lines.append(
            t.ngettext(
                "{n} member cannot get messages from the bot (they blocked it or never "
                "started it): {names}. Please remind them to open the bot and press Start.",
                "{n} members cannot get messages from the bot (they blocked it or never "
                "started it): {names}. Please remind them to open the bot and press Start.",
                len(params["unreachable"]),
                names=format_list(params["unreachable"], locale=t.babel_locale),
            )
        )
    if params["failed"]:
        lines.append(
            t.ngettext(
                "{n} notification of the last day could not be delivered.",
                "{n} notifications of the last day could not be delivered.",
                params["failed"],
            )
        )
    if params.get("remarks"):
        lines.append(
            t.ngettext(
                "The quarterly feedback goes to the cadres' units soon; {n} cadre has no "
                "remark from you for this quarter yet: {names}. Send /remark to write one.",
                "The quarterly feedback goes to the cadres' units soon; {n} cadres have no "
                "remark from you for this quarter yet: {names}. Send /remark to write one.",
                len(params["remarks"]),
                names=format_list(params["remarks"], locale=t.babel_locale),
            )
        )
    return Rendered("\n".join(lines))
