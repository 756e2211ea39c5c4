-- Wrong invitation and certificate codes, per Telegram account (a stranger trying codes
-- has no person row), kept only as long as the limit looks back, like checkin_failures.
CREATE TABLE code_failures (
    telegram_id INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('invite', 'certificate')),
    at          TEXT NOT NULL
);
CREATE INDEX code_failures_account ON code_failures(telegram_id, kind, at);
