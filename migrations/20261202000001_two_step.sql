-- Two-step verification and passkeys (docs/API.md, "Two-step verification and
-- passkeys").

-- The authenticator app of an account (RFC 6238). `secret` is the working one once
-- `enabled_at` is set; `pending_secret` is a setup not yet confirmed with a code (a new
-- setup replaces it, and the working secret keeps working until it is confirmed).
-- `last_step` is the latest 30-second step a code was accepted for: a code is accepted
-- only for a later step, so no code works twice, even on two instances at once.
CREATE TABLE totp (
    user_id        TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret         TEXT,
    pending_secret TEXT,
    enabled_at     BIGINT,
    last_step      BIGINT NOT NULL DEFAULT 0
);

-- Recovery codes: SHA-256 of each (79 random bits each, so a hash is enough); using
-- one deletes it.
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

-- A right password for an account with two-step verification: the ticket for its
-- second step (`mfa_token`, stored as SHA-256). For a password reset the new password's
-- hash waits here, and is set only when the second step succeeds.
CREATE TABLE mfa_challenges (
    token_hash        TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_password_hash TEXT,
    failures          BIGINT NOT NULL DEFAULT 0,
    expires_at        BIGINT NOT NULL
);
CREATE INDEX mfa_challenges_by_expires_at ON mfa_challenges (expires_at);

-- Passkeys (WebAuthn credentials). `passkey` is webauthn-rs' credential as JSON: the
-- public key and the signature counter, nothing secret.
CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,        -- base64url, as assertions name it
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- A WebAuthn ceremony between its start and its finish, so that any instance can
-- answer the finish. Single use (taken by a DELETE … RETURNING) and short-lived.
CREATE TABLE webauthn_ceremonies (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,                  -- register, sign_in
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE, -- who registers; NULL for a sign-in
    client_net TEXT,                           -- who asked for a sign-in (the open ones are capped per address)
    state      TEXT NOT NULL,                  -- webauthn-rs' ceremony state, JSON
    expires_at BIGINT NOT NULL
);
CREATE INDEX webauthn_ceremonies_by_expires_at ON webauthn_ceremonies (expires_at);
CREATE INDEX webauthn_ceremonies_by_user ON webauthn_ceremonies (user_id);
CREATE INDEX webauthn_ceremonies_by_client_net ON webauthn_ceremonies (client_net, expires_at);
