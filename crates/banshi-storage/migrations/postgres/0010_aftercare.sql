-- After the visit: ratings (好差评) and their bad-rating work items, complaints and suggestions,
-- residents with the facts eligibility rules read, follow-up tasks and the contact log.

-- One rating per visit (its ticket) and one per case; the grade in the national code
-- (GB/T 39046: 1 = 非常满意 … 5 = 非常不满意).
CREATE TABLE ratings (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    centre_code    TEXT NOT NULL REFERENCES centres(code),
    ticket_id      BIGINT UNIQUE REFERENCES tickets(id),
    case_id        BIGINT UNIQUE REFERENCES cases(id),
    grade          INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
    channel        TEXT NOT NULL CHECK (channel IN ('pad', 'ticket', 'progress', 'import')),
    window_number  INTEGER,
    officer_id     BIGINT REFERENCES staff(id),
    item_code      TEXT,
    reasons        JSONB NOT NULL DEFAULT '[]',
    comment        TEXT,
    contact_cipher TEXT,
    rated_at       TIMESTAMPTZ NOT NULL,
    day            DATE NOT NULL,
    CHECK ((ticket_id IS NULL) <> (case_id IS NULL))
);
CREATE INDEX ratings_by_day ON ratings (centre_code, day);

CREATE TABLE bad_ratings (
    rating_id         BIGINT PRIMARY KEY REFERENCES ratings(id),
    centre_code       TEXT NOT NULL REFERENCES centres(code),
    state             JSONB NOT NULL,
    verify_by         DATE NOT NULL,
    fix_by            DATE NOT NULL,
    fixed_on          DATE,
    citizen_satisfied BOOLEAN
);

CREATE TABLE bad_rating_events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rating_id BIGINT NOT NULL REFERENCES bad_ratings(rating_id),
    at        TIMESTAMPTZ NOT NULL,
    day       DATE NOT NULL,
    actor_id  BIGINT,
    actor     TEXT NOT NULL,
    event     JSONB NOT NULL
);
CREATE INDEX bad_rating_events_by_rating ON bad_rating_events (rating_id);

-- 投诉/建议/求助/咨询: 受理 → 调查 → 处置 → 反馈 → 归档, owned by the first staff member asked.
CREATE TABLE feedback (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    centre_code    TEXT NOT NULL REFERENCES centres(code),
    kind           TEXT NOT NULL CHECK (kind IN ('inquiry', 'help', 'suggestion', 'complaint')),
    channel        TEXT NOT NULL CHECK (channel IN ('hall', 'online', 'phone')),
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    person_name    TEXT,
    contact_cipher TEXT,
    owner_id       BIGINT REFERENCES staff(id),
    first_owner_id BIGINT REFERENCES staff(id),
    stage          TEXT NOT NULL,
    received_at    TIMESTAMPTZ NOT NULL,
    received_on    DATE NOT NULL,
    due_on         DATE NOT NULL,
    answered_on    DATE
);
CREATE INDEX feedback_by_stage ON feedback (centre_code, stage);

CREATE TABLE feedback_steps (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feedback_id BIGINT NOT NULL REFERENCES feedback(id),
    stage       TEXT NOT NULL,
    note        TEXT NOT NULL,
    actor_id    BIGINT,
    actor       TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX feedback_steps_by_feedback ON feedback_steps (feedback_id);

CREATE TABLE residents (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    centre_code  TEXT NOT NULL REFERENCES centres(code),
    name         TEXT NOT NULL,
    phone_cipher TEXT,
    facts        JSONB NOT NULL DEFAULT '{}',
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE follow_ups (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    centre_code TEXT NOT NULL REFERENCES centres(code),
    kind        TEXT NOT NULL CHECK (kind IN ('callback', 'eligibility')),
    source      TEXT NOT NULL UNIQUE,
    resident_id BIGINT REFERENCES residents(id),
    case_id     BIGINT REFERENCES cases(id),
    title       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    assignee_id BIGINT REFERENCES staff(id),
    due_on      DATE NOT NULL,
    done_at     TIMESTAMPTZ,
    outcome     TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX follow_ups_open ON follow_ups (centre_code, due_on) WHERE done_at IS NULL;

CREATE TABLE contacts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resident_id  BIGINT REFERENCES residents(id),
    follow_up_id BIGINT REFERENCES follow_ups(id),
    staff_id     BIGINT NOT NULL REFERENCES staff(id),
    channel      TEXT NOT NULL,
    note         TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    CHECK (resident_id IS NOT NULL OR follow_up_id IS NOT NULL)
);

-- Each centre's eligibility rules file (without one, the built-in rules apply): policies are
-- often local, and one centre's manager must not change another's.
CREATE TABLE eligibility_rules (
    centre_code TEXT PRIMARY KEY REFERENCES centres(code),
    document    TEXT NOT NULL,
    loaded_by   TEXT NOT NULL,
    loaded_at   TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION aftercare_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER bad_rating_events_no_rewrite BEFORE UPDATE OR DELETE ON bad_rating_events
FOR EACH ROW EXECUTE FUNCTION aftercare_append_only();
CREATE TRIGGER feedback_steps_no_rewrite BEFORE UPDATE OR DELETE ON feedback_steps
FOR EACH ROW EXECUTE FUNCTION aftercare_append_only();
CREATE TRIGGER contacts_no_rewrite BEFORE UPDATE OR DELETE ON contacts
FOR EACH ROW EXECUTE FUNCTION aftercare_append_only();
