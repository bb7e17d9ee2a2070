-- The account security rules (docs/API.md, "Account security rules (v3)").

-- Moved on by every change that ends the account's sessions (a new password, a reset,
-- signing out everywhere, "this wasn't me"). A sign-in opens its session only while the
-- epoch it read together with the password hash is still the account's: one that
-- checked the old password cannot open a session once the change has committed.
ALTER TABLE users ADD COLUMN credential_epoch BIGINT NOT NULL DEFAULT 0;

-- The session a link is about: the one that asked for an email change, or the one a
-- "this wasn't me" link would end (with every session begun after it).
ALTER TABLE email_links ADD COLUMN session_id TEXT;

-- A started authenticator-app setup lives ten minutes and dies after five wrong codes.
ALTER TABLE totp ADD COLUMN pending_expires_at BIGINT;
ALTER TABLE totp ADD COLUMN pending_failures BIGINT NOT NULL DEFAULT 0;

-- Browsers that signed in to an account before (the `device` cookie, stored as the
-- SHA-256 of its value). Past the per-account cap on failed sign-ins only these may
-- keep trying, so a stranger's guesses from many addresses never lock the owner out.
CREATE TABLE known_browsers (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    browser_hash TEXT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, browser_hash)
);
CREATE INDEX known_browsers_by_last_seen_at ON known_browsers (last_seen_at);

-- The per-account caps count an account's failures of one kind in a window, and an
-- account's deletion removes the anonymous events that name its address.
CREATE INDEX audit_events_by_user_kind ON audit_events (user_id, kind, at);
CREATE INDEX audit_events_by_email_at ON audit_events (email, at);
