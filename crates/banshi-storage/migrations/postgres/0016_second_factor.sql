-- A TOTP second factor (RFC 6238): the secret sealed by the web layer, the last time step used
-- (a code is taken once), and one-time recovery codes kept as hashes.
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT;
CREATE TABLE recovery_codes (
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    code_hash TEXT NOT NULL,
    PRIMARY KEY (staff_id, code_hash)
);
