-- Facts of the installation itself: the fingerprint of the data key its sealed values are sealed
-- with, so that a server given another key refuses to start instead of sealing anew.
CREATE TABLE installation (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
