-- The progress query without the receipt: the ID tail and a one-time code sent to the case's
-- mobile number, kept as its keyed hash until it is used or ten minutes pass. One per case.
CREATE TABLE progress_phone_codes (
    case_id    INTEGER PRIMARY KEY REFERENCES cases (id),
    code_hash  TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
