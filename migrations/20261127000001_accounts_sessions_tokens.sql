-- Baton's schema, written in SQL that SQLite and PostgreSQL both accept, so one
-- migration folder serves both backends.
-- Ids are UUIDs as text. Instants ending in `_at` are Unix milliseconds; a refresh
-- token's `iat` / `exp` are the JWT's own Unix seconds, stored exactly so that the
-- token can be signed again byte for byte (the reuse-grace answer).

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,        -- trimmed and lower-cased
    password_hash TEXT NOT NULL,               -- argon2id PHC string
    created_at    BIGINT NOT NULL
);

-- A session is one refresh-token family: one sign-in on one device.
CREATE TABLE sessions (
    id              TEXT PRIMARY KEY,          -- the tokens' `sid`
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT NOT NULL,
    idle_expires_at BIGINT NOT NULL,           -- when the current refresh token expires
    expires_at      BIGINT NOT NULL,           -- absolute lifetime, never extended
    revoked_at      BIGINT,
    revoke_reason   TEXT,                      -- logout, logout_all, revoked, reuse
    user_agent      TEXT NOT NULL,
    client_addr     TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
CREATE INDEX sessions_by_revoked_at ON sessions (revoked_at);

CREATE TABLE refresh_tokens (
    jti        TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    parent_jti TEXT REFERENCES refresh_tokens (jti),
    kid        TEXT NOT NULL,
    iat        BIGINT NOT NULL,
    exp        BIGINT NOT NULL,
    used_at    BIGINT                          -- set once, when it is rotated
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
-- A token has at most one successor: the database itself refuses a forked family.
CREATE UNIQUE INDEX refresh_tokens_one_child ON refresh_tokens (parent_jti);

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,              -- RFC 7638 thumbprint of the public key
    public_key  TEXT NOT NULL,                 -- raw Ed25519 key, base64url (JWK `x`)
    private_key TEXT,                          -- PKCS#8 DER, base64; NULL if kept in a PEM file
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
);

-- Security audit trail; also the source of the failed-login limits, so that they hold
-- across every instance sharing the database.
CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,                 -- register, login_ok, login_failed, refresh_reuse, logout, logout_all, revoke
    user_id     TEXT,
    session_id  TEXT,
    email       TEXT,
    client_addr TEXT,
    detail      TEXT
);
CREATE INDEX audit_events_by_email ON audit_events (kind, email, at);
CREATE INDEX audit_events_by_client ON audit_events (kind, client_addr, at);
