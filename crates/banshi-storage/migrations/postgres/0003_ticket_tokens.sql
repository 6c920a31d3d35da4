-- A ticket's public pages are found by a random token, not by its sequential id, so nobody can
-- walk through other visitors' tickets.
ALTER TABLE tickets ADD COLUMN token TEXT;
UPDATE tickets SET token = replace(gen_random_uuid()::text, '-', '') WHERE token IS NULL;
ALTER TABLE tickets ALTER COLUMN token SET NOT NULL;
CREATE UNIQUE INDEX tickets_by_token ON tickets (token);
-- Tickets still held at a window, whatever their day (the console must see last night's leftovers).
CREATE INDEX tickets_by_window ON tickets (centre_code, window_number) WHERE window_number IS NOT NULL;
-- The recent service times behind the estimated wait.
CREATE INDEX tickets_finished ON tickets (centre_code, queue_prefix, finished_at) WHERE finished_at IS NOT NULL;
