-- The effect journal (domain/effects.py): what each domain call an update made returned,
-- committed with the call's own writes. When a crash cuts an update short and it is handled
-- again, the calls it already made are answered from here instead of being made twice.
-- `key` is `{update}:{function}:{n-th call of it in the update}`; `result` is the call's
-- return value, pickled (read back by an unpickler that allows only the bot's own types).
CREATE TABLE update_effects (
    key         TEXT PRIMARY KEY,
    update_id   INTEGER NOT NULL,
    result      BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX update_effects_created ON update_effects (created_at);
