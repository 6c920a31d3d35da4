-- The ticket queue: queues per centre, windows with skills and a live state, tickets with their
-- events, and the notification outbox.
ALTER TABLE centres ADD COLUMN queue_policy JSONB;

CREATE TABLE queues (
    centre_code TEXT NOT NULL REFERENCES centres(code),
    prefix      TEXT NOT NULL,
    name        TEXT NOT NULL,
    item_codes  JSONB NOT NULL DEFAULT '[]',
    position    INTEGER NOT NULL,
    PRIMARY KEY (centre_code, prefix)
);

ALTER TABLE windows ADD COLUMN queues JSONB NOT NULL DEFAULT '[]';
ALTER TABLE windows ADD COLUMN green_channel BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE windows ADD COLUMN status TEXT NOT NULL DEFAULT 'closed' CHECK (status IN ('open', 'paused', 'closed'));
ALTER TABLE windows ADD COLUMN pause_reason TEXT;
ALTER TABLE windows ADD COLUMN staff_id BIGINT REFERENCES staff(id);

CREATE TABLE ticket_sequences (
    centre_code TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    day         DATE NOT NULL,
    last        BIGINT NOT NULL,
    PRIMARY KEY (centre_code, prefix, day)
);

CREATE TABLE tickets (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    centre_code     TEXT NOT NULL REFERENCES centres(code),
    day             DATE NOT NULL,
    number          TEXT NOT NULL,
    queue_prefix    TEXT NOT NULL,
    arrived_at      TIMESTAMPTZ NOT NULL,
    priority_reason TEXT,
    items           JSONB NOT NULL DEFAULT '[]',
    phone_cipher    TEXT,
    state           TEXT NOT NULL,
    window_number   INTEGER,
    state_doc       JSONB NOT NULL,
    called_at       TIMESTAMPTZ,
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    notified        BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (centre_code, day, number)
);
CREATE INDEX tickets_by_state ON tickets (centre_code, state, queue_prefix, arrived_at);

CREATE TABLE ticket_events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    at        TIMESTAMPTZ NOT NULL,
    actor_id  BIGINT,
    actor     TEXT NOT NULL,
    event     JSONB NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id);

CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ticket_events is append-only';
END $$;
CREATE TRIGGER ticket_events_no_rewrite BEFORE UPDATE OR DELETE ON ticket_events
FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();

CREATE TABLE outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at       TIMESTAMPTZ NOT NULL,
    kind             TEXT NOT NULL,
    recipient_cipher TEXT NOT NULL,
    message          TEXT NOT NULL,
    ticket_id        BIGINT REFERENCES tickets(id),
    sent_at          TIMESTAMPTZ
);
