-- A complaint may name the officer it is about (by the badge number on their notices): that
-- officer neither owns nor works it, nor sees it on their desk.
ALTER TABLE feedback ADD COLUMN about_staff_id BIGINT REFERENCES staff (id);
