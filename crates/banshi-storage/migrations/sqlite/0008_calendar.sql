-- Holiday schedules admins load (years the built-in calendar lacks), in holiday-cn's format, and
-- the days each centre sets itself (a local closure, an extended-service Saturday).
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    schedule TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

CREATE TABLE centre_days (
    centre_code TEXT NOT NULL REFERENCES centres (code),
    day TEXT NOT NULL,
    working BOOLEAN NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    PRIMARY KEY (centre_code, day)
);
