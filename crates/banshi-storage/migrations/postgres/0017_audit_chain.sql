-- The audit log's hash chain (audit_chain.rs): each entry keeps the hash of the one before it in
-- its centre's chain and its own. Entries written before this have neither and are not checked.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN row_hash TEXT;
