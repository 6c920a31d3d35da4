-- The rating pads (评价器): each a device of its window, set up by the duty leader with a random
-- token kept here as its hash; no officer's session rates on it. One device per window.
CREATE TABLE pads (
    token_hash    TEXT PRIMARY KEY,
    centre_code   TEXT NOT NULL REFERENCES centres (code),
    window_number INTEGER NOT NULL,
    created_by    INTEGER,
    created_at    TEXT NOT NULL,
    UNIQUE (centre_code, window_number)
);
