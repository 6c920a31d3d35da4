-- A ticket's phone as a keyed hash, so that the tickets a number took today can be counted
-- without opening any sealed value (at most so many a day per number).
ALTER TABLE tickets ADD COLUMN phone_key TEXT;
CREATE INDEX tickets_by_phone_key ON tickets (centre_code, day, phone_key) WHERE phone_key IS NOT NULL;
