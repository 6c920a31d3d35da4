-- Cases (办件): the applicant, the item, the state, and the history of events (append-only), from
-- which the state and the time limit's clock are read. ID numbers are stored sealed only.
CREATE TABLE case_sequences (
    centre_code TEXT NOT NULL,
    day         TEXT NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (centre_code, day)
);

CREATE TABLE cases (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    number              TEXT NOT NULL UNIQUE,
    centre_code         TEXT NOT NULL REFERENCES centres(code),
    item_code           TEXT NOT NULL,
    item_name           TEXT NOT NULL,
    limit_days          INTEGER NOT NULL CHECK (limit_days >= 0),
    applicant_kind      TEXT NOT NULL CHECK (applicant_kind IN ('person', 'enterprise')),
    applicant_name      TEXT NOT NULL,
    applicant_id_cipher TEXT NOT NULL,
    agent_name          TEXT,
    agent_id_cipher     TEXT,
    authorisation       TEXT,
    ticket_id           INTEGER REFERENCES tickets(id),
    state               TEXT NOT NULL,
    state_doc           TEXT NOT NULL,
    visits              INTEGER NOT NULL DEFAULT 1,
    created_by          INTEGER,
    created_at          TEXT NOT NULL
);
CREATE INDEX cases_by_state ON cases (centre_code, state);

CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    at       TEXT NOT NULL,
    day      TEXT NOT NULL,
    actor_id INTEGER,
    actor    TEXT NOT NULL,
    event    TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
