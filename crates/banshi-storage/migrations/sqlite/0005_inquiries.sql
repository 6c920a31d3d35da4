-- Inquiries (咨询) and first-inquiry responsibility (首问负责制): the first staff member asked owns
-- the inquiry until it is handled or handed to a named colleague; handovers are kept (append-only).
CREATE TABLE inquiries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    centre_code TEXT NOT NULL REFERENCES centres(code),
    channel     TEXT NOT NULL CHECK (channel IN ('window', 'phone', 'online')),
    subject     TEXT NOT NULL,
    asker       TEXT NOT NULL,
    owner_id    INTEGER NOT NULL REFERENCES staff(id),
    first_owner_id INTEGER NOT NULL REFERENCES staff(id),
    answer      TEXT,
    created_at  TEXT NOT NULL,
    handled_at  TEXT
);
CREATE INDEX inquiries_open_by_owner ON inquiries (owner_id) WHERE handled_at IS NULL;

CREATE TABLE inquiry_handovers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    inquiry_id INTEGER NOT NULL REFERENCES inquiries(id),
    from_id    INTEGER NOT NULL REFERENCES staff(id),
    to_id      INTEGER NOT NULL REFERENCES staff(id),
    reason     TEXT NOT NULL,
    at         TEXT NOT NULL
);

CREATE TRIGGER inquiry_handovers_no_update BEFORE UPDATE ON inquiry_handovers
BEGIN SELECT RAISE(ABORT, 'inquiry_handovers is append-only'); END;
CREATE TRIGGER inquiry_handovers_no_delete BEFORE DELETE ON inquiry_handovers
BEGIN SELECT RAISE(ABORT, 'inquiry_handovers is append-only'); END;
