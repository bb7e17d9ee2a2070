-- Sign in with an email code (docs/API.md, "Sign in with an email code").

-- The live sign-in code of an address: one per address (UNIQUE: a new request replaces
-- the older code), for an account or for none yet (then following it creates one, so
-- no `user_id`: the address is what the code proves). `code_hash` and `token_hash` are
-- set when the mail is sent (`mail::sender`), as a link's token is; `failures` counts
-- wrong codes, five kill it. `lang` is the asker's, for the mail to an address with no
-- account.
CREATE TABLE email_codes (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    code_hash TEXT,
    token_hash TEXT UNIQUE,
    failures BIGINT NOT NULL DEFAULT 0,
    lang TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX email_codes_by_expires_at ON email_codes (expires_at);

-- A code's mail may go to an address with no account: `user_id` may be empty, and the
-- mail goes with its code (replaced, used) as a link's mail goes with its link.
CREATE TABLE outbox_v4 (
    id              TEXT PRIMARY KEY,
    user_id         TEXT,
    link_id         TEXT REFERENCES email_links (id) ON DELETE CASCADE,
    code_id         TEXT REFERENCES email_codes (id) ON DELETE CASCADE,
    to_addr         TEXT NOT NULL,
    letter          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT
);
INSERT INTO outbox_v4 (id, user_id, link_id, to_addr, letter, created_at, attempts, next_attempt_at, claimed_until)
    SELECT id, user_id, link_id, to_addr, letter, created_at, attempts, next_attempt_at, claimed_until FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v4 RENAME TO outbox;
CREATE INDEX outbox_by_next_attempt_at ON outbox (next_attempt_at);
CREATE INDEX outbox_by_link ON outbox (link_id);
CREATE INDEX outbox_by_code ON outbox (code_id);
CREATE INDEX outbox_by_user ON outbox (user_id);
