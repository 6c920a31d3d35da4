-- After the visit: ratings (好差评) and their bad-rating work items, complaints and suggestions,
-- residents with the facts eligibility rules read, follow-up tasks and the contact log.

-- One rating per visit (its ticket) and one per case; the grade in the national code
-- (GB/T 39046: 1 = 非常满意 … 5 = 非常不满意).
CREATE TABLE ratings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    centre_code    TEXT NOT NULL REFERENCES centres(code),
    ticket_id      INTEGER UNIQUE REFERENCES tickets(id),
    case_id        INTEGER UNIQUE REFERENCES cases(id),
    grade          INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
    channel        TEXT NOT NULL CHECK (channel IN ('pad', 'ticket', 'progress', 'import')),
    window_number  INTEGER,
    officer_id     INTEGER REFERENCES staff(id),
    item_code      TEXT,
    reasons        TEXT NOT NULL DEFAULT '[]',
    comment        TEXT,
    contact_cipher TEXT,
    rated_at       TEXT NOT NULL,
    day            TEXT NOT NULL,
    CHECK ((ticket_id IS NULL) <> (case_id IS NULL))
);
CREATE INDEX ratings_by_day ON ratings (centre_code, day);

CREATE TABLE bad_ratings (
    rating_id         INTEGER PRIMARY KEY REFERENCES ratings(id),
    centre_code       TEXT NOT NULL REFERENCES centres(code),
    state             TEXT NOT NULL,
    verify_by         TEXT NOT NULL,
    fix_by            TEXT NOT NULL,
    fixed_on          TEXT,
    citizen_satisfied INTEGER
);

CREATE TABLE bad_rating_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    rating_id INTEGER NOT NULL REFERENCES bad_ratings(rating_id),
    at        TEXT NOT NULL,
    day       TEXT NOT NULL,
    actor_id  INTEGER,
    actor     TEXT NOT NULL,
    event     TEXT NOT NULL
);
CREATE INDEX bad_rating_events_by_rating ON bad_rating_events (rating_id);

-- 投诉/建议/求助/咨询: 受理 → 调查 → 处置 → 反馈 → 归档, owned by the first staff member asked.
CREATE TABLE feedback (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    centre_code    TEXT NOT NULL REFERENCES centres(code),
    kind           TEXT NOT NULL CHECK (kind IN ('inquiry', 'help', 'suggestion', 'complaint')),
    channel        TEXT NOT NULL CHECK (channel IN ('hall', 'online', 'phone')),
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    person_name    TEXT,
    contact_cipher TEXT,
    owner_id       INTEGER REFERENCES staff(id),
    first_owner_id INTEGER REFERENCES staff(id),
    stage          TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    received_on    TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    answered_on    TEXT
);
CREATE INDEX feedback_by_stage ON feedback (centre_code, stage);

CREATE TABLE feedback_steps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    feedback_id INTEGER NOT NULL REFERENCES feedback(id),
    stage       TEXT NOT NULL,
    note        TEXT NOT NULL,
    actor_id    INTEGER,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX feedback_steps_by_feedback ON feedback_steps (feedback_id);

CREATE TABLE residents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    centre_code  TEXT NOT NULL REFERENCES centres(code),
    name         TEXT NOT NULL,
    phone_cipher TEXT,
    facts        TEXT NOT NULL DEFAULT '{}',
    updated_at   TEXT NOT NULL
);

CREATE TABLE follow_ups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    centre_code TEXT NOT NULL REFERENCES centres(code),
    kind        TEXT NOT NULL CHECK (kind IN ('callback', 'eligibility')),
    source      TEXT NOT NULL UNIQUE,
    resident_id INTEGER REFERENCES residents(id),
    case_id     INTEGER REFERENCES cases(id),
    title       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    assignee_id INTEGER REFERENCES staff(id),
    due_on      TEXT NOT NULL,
    done_at     TEXT,
    outcome     TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX follow_ups_open ON follow_ups (centre_code, due_on) WHERE done_at IS NULL;

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    resident_id  INTEGER REFERENCES residents(id),
    follow_up_id INTEGER REFERENCES follow_ups(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    channel      TEXT NOT NULL,
    note         TEXT NOT NULL,
    at           TEXT NOT NULL,
    CHECK (resident_id IS NOT NULL OR follow_up_id IS NOT NULL)
);

-- Each centre's eligibility rules file (without one, the built-in rules apply): policies are
-- often local, and one centre's manager must not change another's.
CREATE TABLE eligibility_rules (
    centre_code TEXT PRIMARY KEY REFERENCES centres(code),
    document    TEXT NOT NULL,
    loaded_by   TEXT NOT NULL,
    loaded_at   TEXT NOT NULL
);

CREATE TRIGGER bad_rating_events_no_update BEFORE UPDATE ON bad_rating_events
BEGIN SELECT RAISE(ABORT, 'bad_rating_events is append-only'); END;
CREATE TRIGGER bad_rating_events_no_delete BEFORE DELETE ON bad_rating_events
BEGIN SELECT RAISE(ABORT, 'bad_rating_events is append-only'); END;
CREATE TRIGGER feedback_steps_no_update BEFORE UPDATE ON feedback_steps
BEGIN SELECT RAISE(ABORT, 'feedback_steps is append-only'); END;
CREATE TRIGGER feedback_steps_no_delete BEFORE DELETE ON feedback_steps
BEGIN SELECT RAISE(ABORT, 'feedback_steps is append-only'); END;
CREATE TRIGGER contacts_no_update BEFORE UPDATE ON contacts
BEGIN SELECT RAISE(ABORT, 'contacts is append-only'); END;
CREATE TRIGGER contacts_no_delete BEFORE DELETE ON contacts
BEGIN SELECT RAISE(ABORT, 'contacts is append-only'); END;
