-- The progress query (进度查询) by a random query code (查询码) instead of the ID tail, and its
-- failures counted in the database per address and per case, each waiting longer than the last.
ALTER TABLE cases ADD COLUMN query_code_cipher TEXT;
CREATE TABLE progress_attempts (
    key        TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL,
    wait_until TEXT NOT NULL,
    last_at    TEXT NOT NULL
);
