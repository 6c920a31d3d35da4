-- A case may carry the applicant's mobile number (sealed) for the messages its events send through
-- the outbox: materials needed, case completed.
ALTER TABLE cases ADD COLUMN phone_cipher TEXT;
ALTER TABLE outbox ADD COLUMN case_id INTEGER REFERENCES cases(id);
