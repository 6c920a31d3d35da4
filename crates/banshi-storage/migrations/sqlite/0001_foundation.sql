-- banshi foundation: centre, windows, staff and sessions, the catalogue, one-time notices, audit log.
CREATE TABLE centres (
    code              TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    address           TEXT NOT NULL,
    hours             TEXT NOT NULL,
    consult_phone     TEXT NOT NULL,
    supervision_phone TEXT NOT NULL
);

CREATE TABLE windows (
    centre_code TEXT NOT NULL REFERENCES centres(code),
    number      INTEGER NOT NULL CHECK (number > 0),
    name        TEXT NOT NULL,
    PRIMARY KEY (centre_code, number)
);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    badge_number  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'window_staff', 'approver', 'auditor')),
    centre_code   TEXT NOT NULL REFERENCES centres(code),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_staff ON sessions(staff_id);

CREATE TABLE catalog_items (
    code       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    category   TEXT NOT NULL,
    department TEXT NOT NULL,
    document   TEXT NOT NULL
);

CREATE TABLE notice_sequences (
    centre_code TEXT NOT NULL,
    day         TEXT NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (centre_code, day)
);

CREATE TABLE notices (
    number         TEXT PRIMARY KEY,
    centre_code    TEXT NOT NULL REFERENCES centres(code),
    item_code      TEXT NOT NULL,
    item_name      TEXT NOT NULL,
    officer_id     INTEGER NOT NULL REFERENCES staff(id),
    officer_name   TEXT NOT NULL,
    officer_badge  TEXT NOT NULL,
    applicant_name TEXT,
    assessment     TEXT NOT NULL,
    issued_at      TEXT NOT NULL
);
CREATE INDEX notices_item ON notices(item_code);
CREATE INDEX notices_officer ON notices(officer_id);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor_id   INTEGER,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    before     TEXT,
    after      TEXT
);

-- The audit log is append-only: the database itself refuses to rewrite history.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
