-- Cases (办件): the applicant, the item, the state, and the history of events (append-only), from
-- which the state and the time limit's clock are read. ID numbers are stored sealed only.
CREATE TABLE case_sequences (
    centre_code TEXT NOT NULL,
    day         DATE NOT NULL,
    last        BIGINT NOT NULL,
    PRIMARY KEY (centre_code, day)
);

CREATE TABLE cases (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    ticket_id           BIGINT REFERENCES tickets(id),
    state               TEXT NOT NULL,
    state_doc           JSONB NOT NULL,
    visits              INTEGER NOT NULL DEFAULT 1,
    created_by          BIGINT,
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX cases_by_state ON cases (centre_code, state);

CREATE TABLE case_events (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id  BIGINT NOT NULL REFERENCES cases(id),
    at       TIMESTAMPTZ NOT NULL,
    day      DATE NOT NULL,
    actor_id BIGINT,
    actor    TEXT NOT NULL,
    event    JSONB NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only';
END $$;
CREATE TRIGGER case_events_no_rewrite BEFORE UPDATE OR DELETE ON case_events
FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
