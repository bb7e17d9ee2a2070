-- Limits that a stranger cannot turn against someone else, and revocations that
-- other instances catch up with in commit order.

-- What the sign-in and registration limits count by: the IPv4 address, or the IPv6
-- /64 (src/server/auth/device.rs). Failures are counted per account and net, and per
-- net across accounts; registration attempts per net.
ALTER TABLE audit_events ADD COLUMN client_net TEXT;
CREATE INDEX audit_events_by_email_net ON audit_events (kind, email, client_net, at);
CREATE INDEX audit_events_by_net ON audit_events (kind, client_net, at);
DROP INDEX audit_events_by_email;
DROP INDEX audit_events_by_client;

-- The refresh limit: refreshes of the session in its current one-minute window. The
-- rotation's own conditional UPDATE checks and counts them, so a refused refresh
-- spends nothing and an allowed one costs no extra statement.
ALTER TABLE sessions ADD COLUMN refresh_window_start BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN refreshes_in_window INTEGER NOT NULL DEFAULT 0;

-- Every revocation, numbered in commit order: writers take the next number under a
-- lock held until they commit (SQLite's single writer; a transaction-scoped advisory
-- lock on PostgreSQL), so an instance that has seen number n has seen everything
-- before it, and catches up with `seq > n` instead of comparing clocks.
CREATE TABLE revocations (
    seq        BIGINT PRIMARY KEY,
    session_id TEXT NOT NULL,
    revoked_at BIGINT NOT NULL
);
CREATE INDEX revocations_by_revoked_at ON revocations (revoked_at);
