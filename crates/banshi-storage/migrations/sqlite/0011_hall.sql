-- The hall as data: its hours, each queue's rules (quota, when issue stops, its own hours), how
-- each window calls; and the days closed (日结) with their final figures.
ALTER TABLE centres ADD COLUMN hall TEXT;
ALTER TABLE queues ADD COLUMN daily_quota INTEGER CHECK (daily_quota > 0);
ALTER TABLE queues ADD COLUMN issue_until INTEGER CHECK (issue_until BETWEEN 0 AND 1440);
ALTER TABLE queues ADD COLUMN hours TEXT;
ALTER TABLE windows ADD COLUMN call_order TEXT NOT NULL DEFAULT 'preference' CHECK (call_order IN ('preference', 'arrival'));

CREATE TABLE day_closes (
    centre_code TEXT NOT NULL REFERENCES centres(code),
    day         TEXT NOT NULL,
    closed_at   TEXT NOT NULL,
    figures     TEXT NOT NULL,
    PRIMARY KEY (centre_code, day)
);

-- The queue's reads go to the centre's current day: a year of history costs them nothing.
CREATE INDEX tickets_by_day ON tickets (centre_code, state, day);
