-- The ticket queue: queues per centre, windows with skills and a live state, tickets with their
-- events, and the notification outbox.
ALTER TABLE centres ADD COLUMN queue_policy TEXT;

CREATE TABLE queues (
    centre_code TEXT NOT NULL REFERENCES centres(code),
    prefix      TEXT NOT NULL,
    name        TEXT NOT NULL,
    item_codes  TEXT NOT NULL DEFAULT '[]',
    position    INTEGER NOT NULL,
    PRIMARY KEY (centre_code, prefix)
);

ALTER TABLE windows ADD COLUMN queues TEXT NOT NULL DEFAULT '[]';
ALTER TABLE windows ADD COLUMN green_channel INTEGER NOT NULL DEFAULT 0;
ALTER TABLE windows ADD COLUMN status TEXT NOT NULL DEFAULT 'closed' CHECK (status IN ('open', 'paused', 'closed'));
ALTER TABLE windows ADD COLUMN pause_reason TEXT;
ALTER TABLE windows ADD COLUMN staff_id INTEGER REFERENCES staff(id);

CREATE TABLE ticket_sequences (
    centre_code TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    day         TEXT NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (centre_code, prefix, day)
);

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    centre_code     TEXT NOT NULL REFERENCES centres(code),
    day             TEXT NOT NULL,
    number          TEXT NOT NULL,
    queue_prefix    TEXT NOT NULL,
    arrived_at      TEXT NOT NULL,
    priority_reason TEXT,
    items           TEXT NOT NULL DEFAULT '[]',
    phone_cipher    TEXT,
    state           TEXT NOT NULL,
    window_number   INTEGER,
    state_doc       TEXT NOT NULL,
    called_at       TEXT,
    started_at      TEXT,
    finished_at     TEXT,
    notified        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (centre_code, day, number)
);
CREATE INDEX tickets_by_state ON tickets (centre_code, state, queue_prefix, arrived_at);

CREATE TABLE ticket_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    at        TEXT NOT NULL,
    actor_id  INTEGER,
    actor     TEXT NOT NULL,
    event     TEXT NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id);

CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at       TEXT NOT NULL,
    kind             TEXT NOT NULL,
    recipient_cipher TEXT NOT NULL,
    message          TEXT NOT NULL,
    ticket_id        INTEGER REFERENCES tickets(id),
    sent_at          TEXT
);
