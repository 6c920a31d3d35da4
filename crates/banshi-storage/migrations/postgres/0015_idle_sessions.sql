-- A session ends after a while unused (the idle timeout), besides its absolute end.
ALTER TABLE sessions ADD COLUMN idle_until TIMESTAMPTZ;
UPDATE sessions SET idle_until = expires_at;
CREATE INDEX sessions_by_end ON sessions (expires_at);
