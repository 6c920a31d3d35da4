-- 转窗 to a window: a waiting ticket handed to another window waits for that window alone.
ALTER TABLE tickets ADD COLUMN for_window INTEGER;
