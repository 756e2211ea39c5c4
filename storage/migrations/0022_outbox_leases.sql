-- Several instances on one PostgreSQL database (docs/scaling.md): who claimed a message in
-- flight and until when the claim holds. Another instance takes a message back only once its
-- lease has passed, so a restarting instance never resends what another one is sending. The
-- sender renews the leases of what it has in flight; on SQLite (one process) they are kept
-- but not needed.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TEXT;
