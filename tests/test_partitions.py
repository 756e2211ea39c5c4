"""Taking a partition over (bot/partitions.py): the new owner's memory of those people's
conversations and drafts is replaced by what is stored, and nobody else's is touched."""

from __future__ import annotations

import json

from bot.partitions import PARTITIONS, conversation_handlers, refresh_conversations
from storage import inbox
from tests.fakes.harness import BotHarness

PART = 3
MOVED, ENDED, OTHER = PART + PARTITIONS, PART + 2 * PARTITIONS, PART + 1  # people


def belongs(person: int) -> bool:
    return inbox.partition_of(person, PARTITIONS) == PART


async def test_a_taken_partition_loads_its_peoples_states_and_drafts(server, tmp_path):
    async with BotHarness(server, tmp_path) as bot:
        app = bot.app
        handlers = conversation_handlers(app)
        assert len({h.name for h in handlers}) == len(handlers) > 10  # nested ones too
        onboarding = next(h for h in handlers if h.name == "onboarding")
        states = onboarding._conversations
        # What this instance remembered from before another instance had these people.
        states.update_no_track({(MOVED, MOVED): "old", (ENDED, ENDED): "old", (OTHER, OTHER): 1})
        async with bot.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?), (?, ?, ?)",
                (
                    *("onboarding", json.dumps([MOVED, MOVED]), json.dumps("new")),
                    *("onboarding", json.dumps([OTHER, OTHER]), json.dumps("theirs")),
                ),
            )
            await conn.execute(
                "INSERT INTO ptb_user_data (user_id, data) VALUES (?, ?)",
                (MOVED, json.dumps({"name": "李明"})),
            )

        assert await refresh_conversations(app, belongs) >= 1
        assert states.get((MOVED, MOVED)) == "new"
        assert (ENDED, ENDED) not in states  # ended on the other instance
        assert states.get((OTHER, OTHER)) == 1  # another partition: this instance's own
        assert not states.pop_accessed_write_items()  # nothing is written back

        persistence = app.persistence
        persistence.reload_users(PART, lambda p: inbox.partition_of(p, PARTITIONS))
        draft = {"stale": True}
        await persistence.refresh_user_data(MOVED, draft)
        assert draft == {"name": "李明"}
        draft["name"] = "李明明"  # the person's next step, in memory: not read again
        await persistence.refresh_user_data(MOVED, draft)
        assert draft == {"name": "李明明"}
        gone = {"stale": True}
        await persistence.refresh_user_data(ENDED, gone)
        assert gone == {}
        mine = {"kept": True}
        await persistence.refresh_user_data(OTHER, mine)
        assert mine == {"kept": True}
