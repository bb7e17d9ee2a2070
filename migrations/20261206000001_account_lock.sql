-- Locking by an administrator (docs/API.md, "Roles and administration"). A locked
-- account keeps everything it has; every way in answers `account_locked` until an
-- administrator unlocks it. Read with the account by every sign-in (no extra query).
ALTER TABLE users ADD COLUMN locked_at BIGINT;
ALTER TABLE users ADD COLUMN locked_reason TEXT;

-- The administration log outlives a deleted account, but not its address: deleting an
-- account sets its email to NULL where it acted or was acted on. Rebuilt, since
-- SQLite cannot drop a NOT NULL in place.
CREATE TABLE admin_actions_v3 (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    -- NULL for the command line (actor_email 'cli').
    actor_id TEXT,
    actor_email TEXT,
    action TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_email TEXT,
    reason TEXT
);
INSERT INTO admin_actions_v3 (id, at, actor_id, actor_email, action, target_id, target_email, reason)
    SELECT id, at, actor_id, actor_email, action, target_id, target_email, reason FROM admin_actions;
DROP TABLE admin_actions;
ALTER TABLE admin_actions_v3 RENAME TO admin_actions;
CREATE INDEX admin_actions_by_time ON admin_actions (at, id);
-- Deleting an account finds its rows here by id, as actor or as target.
CREATE INDEX admin_actions_by_actor ON admin_actions (actor_id);
CREATE INDEX admin_actions_by_target ON admin_actions (target_id);

-- A notice already queued outlives the account it is about (the mail that says an
-- administrator deleted it, above all): the outbox no longer cascades from users.
-- Mails that carry a link still go with their link, which does.
CREATE TABLE outbox_v3 (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL,
    link_id         TEXT REFERENCES email_links (id) ON DELETE CASCADE,
    to_addr         TEXT NOT NULL,
    letter          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT
);
INSERT INTO outbox_v3 (id, user_id, link_id, to_addr, letter, created_at, attempts, next_attempt_at, claimed_until)
    SELECT id, user_id, link_id, to_addr, letter, created_at, attempts, next_attempt_at, claimed_until FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;
CREATE INDEX outbox_by_next_attempt_at ON outbox (next_attempt_at);
CREATE INDEX outbox_by_link ON outbox (link_id);
CREATE INDEX outbox_by_user ON outbox (user_id);

-- The reason an administrator gave, shown to the person in their own activity
-- ("An administrator locked your account: <reason>").
ALTER TABLE audit_events ADD COLUMN reason TEXT;
