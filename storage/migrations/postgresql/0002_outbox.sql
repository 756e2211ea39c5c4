-- PostgreSQL's statements of 0002_outbox.sql where the engines differ
-- (storage/migrations/__init__.py): the trigger as PL/pgSQL.

-- instead of: CREATE TRIGGER outbox_sent_reachable
CREATE FUNCTION outbox_sent_reachable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE telegram_users SET unreachable_at = NULL
    WHERE telegram_id = NEW.chat_id AND unreachable_at IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_sent_reachable AFTER UPDATE OF status ON outbox
FOR EACH ROW WHEN (NEW.status = 'sent') EXECUTE FUNCTION outbox_sent_reachable();
