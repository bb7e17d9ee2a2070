-- Roles and administration (docs/API.md, "Roles and administration").
--
-- An account's roles, as their names (1 to 32 of a-z0-9_-) sorted and separated by
-- single spaces, '' for none: read with the account in the query every refresh
-- already makes (no join on the hot path), and matched as ' ' || roles || ' ' LIKE
-- '% admin %' where an administrator is looked for (rare).
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '';

-- What administrators (and the command line) did to accounts, newest first by
-- (at, id). The actor and target are copied, not referenced: the log outlives a
-- deleted account, and it is kept for BATON_RETENTION like every event.
CREATE TABLE admin_actions (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    -- NULL for the command line (actor_email 'cli').
    actor_id TEXT,
    actor_email TEXT NOT NULL,
    action TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_email TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX admin_actions_by_time ON admin_actions (at, id);

-- The administration's list of accounts, newest first, a page at a time from a
-- cursor (created_at, id): without it, every page would sort the whole table.
CREATE INDEX users_by_created_at ON users (created_at, id);
