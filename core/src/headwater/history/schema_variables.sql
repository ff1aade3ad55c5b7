-- Variables (headwater.variables): named JSON values shared by every process on the home.
-- Part of the embedded store's schema (see SCHEMA_FILES in sqlite.py).
CREATE TABLE IF NOT EXISTS variables (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    value_json TEXT NOT NULL,
    tags_json TEXT NOT NULL DEFAULT '[]',
    created REAL NOT NULL,
    updated REAL NOT NULL
);
