"""The branch's group chat: a secretary links it, and the year's holders are published
there."""

from __future__ import annotations

from datetime import date

from domain import outbox
from domain.access import Actor, require
from domain.effects import effect
from domain.errors import Conflict
from domain.models import Role
from domain.posts.board import board
from domain.posts.common import BRANCH_CHAT, PUBLICATION_TEMPLATE
from domain.unit_of_work import unit_of_work
from storage import posts as store
from storage.db import Database, utcnow


@effect
async def link_branch_chat(
    db: Database, actor: Actor, branch_id: int, chat_id: int, title: str | None
) -> int:
    """A secretary links the group chat they are writing in to their branch."""
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        await store.link_chat(
            work.conn, BRANCH_CHAT, branch_id, chat_id, title, work.person.id, utcnow()
        )
        await work.audit("chat.linked", "chat", chat_id, owner=BRANCH_CHAT)
    return branch_id


@effect
async def publication(db: Database, actor: Actor, branch_id: int, today: date):
    """The group chat and the holders to publish there (names and posts only)."""
    require(actor, Role.SECRETARY, branch_id)
    chat_id = await store.linked_chat(db, BRANCH_CHAT, branch_id)
    if chat_id is None:
        raise Conflict("post_no_group")
    found = await board(db, branch_id, today)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        await work.audit("posts.published", "chat", chat_id, year=found.cycle.year)
        # The group reads the bot's default language: no one's choice is looked up for it.
        await outbox.enqueue(
            work.conn,
            key=f"post-publication:{branch_id}:{utcnow().isoformat()}",
            chat_id=chat_id,
            template=PUBLICATION_TEMPLATE,
            params={
                "year": found.cycle.year,
                "holders": [
                    [view.post.id, "、".join(h.person.display_name for h in view.holders)]
                    for view in found.posts
                    if view.holders
                ],
            },
            branch_id=branch_id,
        )
    return chat_id, found
