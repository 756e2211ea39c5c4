"""How the posts' queued messages read when they are sent (bot/sender.py): a member's or
a secretary's news about a post, and the holders published to the group chat."""

from __future__ import annotations

from bot.sender import Rendered, renderer
from domain import posts as rules
from domain.i18n import Translator
from domain.post_models import Rating
from handlers.posts.deciding import claim_keyboard, leave_keyboard
from handlers.posts.views import RATING_NAMES, post_name
from storage.db import Database

# The decision buttons a secretary's news carries, by the name domain/posts/claims.py gives.
_KEYBOARDS = {"claim": claim_keyboard, "leave": leave_keyboard}


@renderer(rules.PUBLICATION_TEMPLATE)
async def publication(t: Translator, db: Database, params: dict) -> Rendered:
    """Names and posts only, no contact data."""
    lines = [t.gettext("Party members' responsibility posts {year}:", year=params["year"])]
    for post_id, holders in params["holders"]:
        lines.append(f"【{post_name(t, await rules.post_by_id(db, post_id))}】{holders}")
    lines += [
        "",
        t.gettext("Residents are welcome to contact the post holders and to supervise their work."),
    ]
    return Rendered("\n".join(lines))


@renderer(rules.NOTICE_TEMPLATE)
async def notice(t: Translator, db: Database, params: dict) -> Rendered:
    """A member's or a secretary's news about a post; see domain/posts/common.py."""
    values = dict(params)
    msgid = values.pop("text")
    comment = values.pop("comment", "")
    keyboard_of = _KEYBOARDS.get(values.pop("keyboard", ""))
    claim_id = values.pop("claim", None)
    values["post"] = post_name(t, await rules.post_by_id(db, params["post"]))
    if "rating" in values:
        values["rating"] = t.gettext(RATING_NAMES[Rating(values["rating"])])
    text = t.gettext(msgid, **values) + (f"\n{comment}" if comment else "")
    return Rendered(text, keyboard_of(t, claim_id) if keyboard_of else None)
