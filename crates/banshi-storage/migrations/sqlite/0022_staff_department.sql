-- An approver may belong to a department: a case routed to the department is decided by any of
-- its approvers, and by nobody else.
ALTER TABLE staff ADD COLUMN department TEXT NOT NULL DEFAULT '';
