-- The hourly retention sweep (src/retention.rs) finds old rows by these instants.
CREATE INDEX audit_events_by_at ON audit_events (at);
CREATE INDEX sessions_by_expires_at ON sessions (expires_at);
CREATE INDEX sessions_by_idle_expires_at ON sessions (idle_expires_at);
