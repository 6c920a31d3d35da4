-- Staff for their whole life (district and city roles, the installation's admin, a one-time
-- password to change, sign-in failures counted), centres in districts and cities, audit rows that
-- carry their centre, and each centre's own list of the items it offers (实施清单) over the shared
-- base list (事项基本目录).
--
-- SQLite cannot widen a CHECK in place: the staff table is rebuilt within the migration's
-- transaction. Foreign keys are checked at its commit (defer_foreign_keys): the rows referring to
-- staff find their accounts again, same ids, in the rebuilt table.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE staff_before_0012 AS SELECT * FROM staff;
DROP TABLE staff;
CREATE TABLE staff (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    username             TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    badge_number         TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('system_admin', 'admin', 'manager', 'window_staff', 'approver', 'auditor',
                             'district_manager', 'district_auditor', 'city_manager', 'city_auditor')),
    centre_code          TEXT NOT NULL REFERENCES centres(code),
    password_hash        TEXT NOT NULL,
    active               INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    failed_sign_ins      INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT
);
INSERT INTO staff (id, username, name, badge_number, role, centre_code, password_hash, active, created_at)
    SELECT id, username, name, badge_number, role, centre_code, password_hash, active, created_at FROM staff_before_0012;
DROP TABLE staff_before_0012;

ALTER TABLE centres ADD COLUMN district TEXT NOT NULL DEFAULT '';
ALTER TABLE centres ADD COLUMN city TEXT NOT NULL DEFAULT '';

ALTER TABLE audit_log ADD COLUMN centre_code TEXT;
CREATE INDEX audit_log_by_centre ON audit_log (centre_code, id);

CREATE TABLE centre_items (
    centre_code TEXT NOT NULL REFERENCES centres(code),
    item_code   TEXT NOT NULL,
    position    INTEGER NOT NULL,
    local       TEXT NOT NULL,
    PRIMARY KEY (centre_code, item_code)
);
