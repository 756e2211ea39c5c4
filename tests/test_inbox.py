"""The inbox knows an update again whichever JSON form it comes in (storage/inbox.py).

Since the poll stores updates as Telegram sent them, one update can reach the inbox in two
forms: that one, and python-telegram-bot's `Update.to_dict()` (a webhook delivery, and every
row an earlier version stored). A redelivery in the other form must still be dropped, or
the person's press is handled twice; a new update that reuses the id must still be kept.
"""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
from telegram import Update

from storage import inbox
from storage.db import Database

ANN = {"id": 1001, "is_bot": False, "first_name": "Ann", "language_code": "en"}
CHAT = {"id": 1001, "type": "private", "first_name": "Ann"}
BOT = {"id": 9, "is_bot": True, "first_name": "partybot", "username": "partybot"}

# As Telegram sends them: its key order, nothing false or empty written out.
AS_SENT = {
    "command": {
        "message": {
            "message_id": 3,
            "from": ANN,
            "chat": CHAT,
            "date": 1796281848,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
        "update_id": 5,
    },
    "press": {
        "callback_query": {
            "id": "77",
            "from": ANN,
            "chat_instance": "-12",
            "data": "appraisal:rate:1:3:excellent",
            "message": {
                "message_id": 4,
                "from": BOT,
                "chat": CHAT,
                "date": 1796281800,
                "text": "请评议",
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": "优秀", "callback_data": "appraisal:rate:1:3:excellent"}]
                    ]
                },
            },
        },
        "update_id": 5,
    },
    "contact": {
        "message": {
            "message_id": 6,
            "from": ANN,
            "chat": CHAT,
            "date": 1796281900,
            "contact": {"phone_number": "+8613800000000", "first_name": "Ann", "user_id": 1001},
        },
        "update_id": 5,
    },
    "live location": {
        "edited_message": {
            "message_id": 7,
            "from": ANN,
            "chat": CHAT,
            "date": 1796281900,
            "edit_date": 1796282000,
            "location": {"latitude": 23.02, "longitude": 113.12, "live_period": 900},
        },
        "update_id": 5,
    },
}


def serialised(update: dict) -> dict:
    """The form python-telegram-bot writes: `Update.to_dict()` of the parsed update."""
    return Update.de_json(copy.deepcopy(update), None).to_dict()


def text(update: dict) -> str:
    return json.dumps(update, ensure_ascii=False)


@pytest.fixture
async def db(tmp_path):
    async with Database(tmp_path / "inbox.db") as database:
        yield database


@pytest.fixture(params=[False, True], ids=["one instance", "shared"])
def shared(request, db):
    if request.param and db.engine != "postgresql":
        pytest.skip("several instances share a PostgreSQL database only")
    return request.param


@pytest.mark.parametrize("kind", AS_SENT)
@pytest.mark.parametrize("first", ["as sent", "serialised"])
async def test_a_redelivery_in_the_other_json_form_is_dropped(db, shared, kind, first):
    sent = AS_SENT[kind]
    forms = {"as sent": sent, "serialised": serialised(sent)}
    again = forms["serialised" if first == "as sent" else "as sent"]
    assert text(forms[first]) != text(again)  # what the exact comparison took for new
    assert await inbox.receive(db, 5, forms[first], ANN["id"], shared=shared)
    assert not await inbox.receive(db, 5, again, ANN["id"], shared=shared)
    assert not await inbox.receive(db, 5, forms[first], ANN["id"], shared=shared)
    assert len(await inbox.unhandled(db)) == 1


async def test_a_reused_id_with_another_update_is_kept(db, shared):
    first = AS_SENT["command"]
    later = copy.deepcopy(first)  # a Bot API server whose counter started again
    later["message"] |= {"message_id": 40, "date": 1796390000, "text": "/hours"}
    later["message"]["entities"][0]["length"] = 6
    assert await inbox.receive(db, 5, first, shared=shared)
    assert await inbox.receive(db, 5, serialised(later), shared=shared)
    assert [u["message"]["text"] for u in await inbox.unhandled(db)] == ["/help", "/hours"]


@pytest.mark.parametrize("kind", AS_SENT)
async def test_a_forgotten_update_is_known_again_in_either_form(db, kind):
    sent = AS_SENT[kind]
    assert await inbox.receive(db, 5, sent)
    async with db.transaction() as conn:
        await inbox.mark_handled(conn, 5, forget=True)
    [row] = await db.fetchall("SELECT data FROM ptb_inbox")
    assert "Ann" not in row["data"] and "1001" not in row["data"]
    assert not await inbox.receive(db, 5, serialised(sent))
    assert not await inbox.receive(db, 5, sent)
    assert await inbox.unhandled(db) == []


async def test_a_forgotten_update_of_an_earlier_version_is_known_by_its_serialised_form(db):
    # Earlier versions stored `to_dict()` and, forgetting it, the digest of that text.
    sent = AS_SENT["press"]
    old_digest = hashlib.sha256(text(serialised(sent)).encode()).hexdigest()
    await db.write(
        "INSERT INTO ptb_inbox (update_id, data, received_at, handled_at) VALUES (?, ?, ?, ?)",
        (
            5,
            json.dumps({"forgotten": old_digest}),
            "2026-12-03T06:00:00+00:00",
            "2026-12-03T06:00:01+00:00",
        ),
    )
    assert not await inbox.receive(db, 5, sent, as_serialised=lambda: serialised(sent))
    assert await inbox.unhandled(db) == []
