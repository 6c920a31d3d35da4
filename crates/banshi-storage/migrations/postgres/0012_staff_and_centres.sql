-- Staff for their whole life (district and city roles, the installation's admin, a one-time
-- password to change, sign-in failures counted on every instance), centres in districts and
-- cities, audit rows that carry their centre, and each centre's own list of the items it offers
-- (实施清单) over the shared base list (事项基本目录).
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('system_admin', 'admin', 'manager', 'window_staff', 'approver', 'auditor',
    'district_manager', 'district_auditor', 'city_manager', 'city_auditor'));
ALTER TABLE staff ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE staff ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until TIMESTAMPTZ;

ALTER TABLE centres ADD COLUMN district TEXT NOT NULL DEFAULT '';
ALTER TABLE centres ADD COLUMN city TEXT NOT NULL DEFAULT '';

-- Rows written before this carry none: only the installation's admin reads those.
ALTER TABLE audit_log ADD COLUMN centre_code TEXT;
CREATE INDEX audit_log_by_centre ON audit_log (centre_code, id);

CREATE TABLE centre_items (
    centre_code TEXT NOT NULL REFERENCES centres(code),
    item_code   TEXT NOT NULL,
    position    INTEGER NOT NULL,
    local       JSONB NOT NULL,
    PRIMARY KEY (centre_code, item_code)
);
