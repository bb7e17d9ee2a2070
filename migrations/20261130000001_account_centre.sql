-- The account and security centre (docs/API.md, "Account and security").

-- When the person last proved who they are in this session (the sign-in, or a
-- re-authentication): the `auth_time` of its access tokens. A refresh keeps it.
ALTER TABLE sessions ADD COLUMN authenticated_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET authenticated_at = created_at;

-- The browser an event came from (its User-Agent), for the activity page; an event
-- about a session shows that session's device instead.
ALTER TABLE audit_events ADD COLUMN user_agent TEXT;

-- The activity page: one person's events, newest first, paged by (at, id).
CREATE INDEX audit_events_by_user ON audit_events (user_id, at, id);

-- Events are stored under the contract's names, which the activity API shows.
UPDATE audit_events SET kind = 'signed_up' WHERE kind = 'register';
UPDATE audit_events SET kind = 'signed_in' WHERE kind = 'login_ok';
UPDATE audit_events SET kind = 'sign_in_failed' WHERE kind = 'login_failed';
UPDATE audit_events SET kind = 'refresh_token_reused' WHERE kind = 'refresh_reuse';
UPDATE audit_events SET kind = 'signed_out' WHERE kind = 'logout';
UPDATE audit_events SET kind = 'signed_out_everywhere' WHERE kind = 'logout_all';
UPDATE audit_events SET kind = 'session_revoked' WHERE kind = 'revoke';
