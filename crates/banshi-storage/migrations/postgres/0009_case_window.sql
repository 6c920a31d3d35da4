-- The window where a case was received, for the one-visit completion rate per window.
ALTER TABLE cases ADD COLUMN window_number INTEGER;
