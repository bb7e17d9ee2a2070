-- Sign in with another provider (docs/API.md, "Sign in with another provider").

-- An account's identities at OpenID providers: the (provider, sub) pair is the only
-- thing a sign-in is matched by (never the email). One identity per provider per
-- account. `email` is what the provider said when it was connected, shown on /account.
CREATE TABLE provider_identities (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email TEXT,
    connected_at BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE UNIQUE INDEX provider_identities_by_user ON provider_identities (user_id, provider);

-- A trip to a provider and back, between `GET /auth/{provider}` (or connecting from
-- /account) and its callback: found by the SHA-256 of `state`, bound to the browser by
-- the SHA-256 of its `oidc` cookie, used once, dead after ten minutes. Kept in the
-- database so that any instance can answer the callback. `user_id` is set when a
-- signed-in person is connecting the provider to their account.
CREATE TABLE oidc_flows (
    state_hash TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    provider TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    next TEXT NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_flows_by_expiry ON oidc_flows (expires_at);
CREATE INDEX oidc_flows_by_user ON oidc_flows (user_id);

-- How a sign-in was made ('password', 'passkey', 'provider:<id>', 'email_code'), on
-- `signed_in` events; and on a second step waiting for its code, how its first step
-- was made, for the event it ends in.
ALTER TABLE audit_events ADD COLUMN method TEXT;
ALTER TABLE mfa_challenges ADD COLUMN method TEXT;
