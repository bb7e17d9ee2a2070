-- Email (docs/API.md, "Email"): verified addresses, the links mails carry, and the
-- outbox the mails wait in until they are delivered.

-- When the account's current address was proved by following a link; NULL until then.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;

-- A link sent by mail: reset the password, verify the address, or confirm a new one.
-- Single use (the row is deleted when it is used) and short-lived. The token itself is
-- made when the mail is sent and only its SHA-256 is stored, so the database never
-- holds a usable link; until then `token_hash` is NULL and the link cannot be used.
CREATE TABLE email_links (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,                  -- reset_password, verify_email, change_email
    email      TEXT NOT NULL,                  -- the address the link was sent to
    token_hash TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
-- A newer link of a purpose replaces the older ones; expired ones are swept.
CREATE INDEX email_links_by_user ON email_links (user_id, purpose);
CREATE INDEX email_links_by_expires_at ON email_links (expires_at);

-- Mails to send. The request that causes a mail writes it here in its own
-- transaction; a background sender on any instance claims due rows (`claimed_until`
-- is the lease), delivers them and deletes them, or tries again later. A mail that
-- carries a link goes with its link: a newer link deletes the older one's mail.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    link_id         TEXT REFERENCES email_links (id) ON DELETE CASCADE,
    to_addr         TEXT NOT NULL,
    letter          TEXT NOT NULL,              -- what to write, as JSON (src/server/mail/letters.rs)
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT
);
CREATE INDEX outbox_by_next_attempt_at ON outbox (next_attempt_at);
CREATE INDEX outbox_by_link ON outbox (link_id);

-- The devices (browser and system, "Firefox on Linux") and addresses each account has
-- signed in from: a sign-in from a pair not here sends the new-device mail. One row
-- per pair, so the check is one lookup however often the account signs in.
CREATE TABLE known_devices (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device       TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, device, client_addr)
);
CREATE INDEX known_devices_by_last_seen_at ON known_devices (last_seen_at);
