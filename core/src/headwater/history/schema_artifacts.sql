-- Artifacts (headwater.artifacts): markdown, tables, links, progress and images, versioned by key.
-- Part of the embedded store's schema (see SCHEMA_FILES in sqlite.py).
-- `seq` orders versions (the newest of a key is its latest); `data_json` is Prefect's
-- `data` as JSON: markdown text, the table as JSON text, the link as markdown, the
-- progress float, the image URL.
CREATE TABLE IF NOT EXISTS artifacts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    key TEXT,
    type TEXT,
    description TEXT,
    data_json TEXT,
    metadata_json TEXT,
    flow_run_id TEXT,
    task_run_id TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS artifacts_by_key ON artifacts (key, seq);
CREATE INDEX IF NOT EXISTS artifacts_by_flow_run ON artifacts (flow_run_id);
CREATE INDEX IF NOT EXISTS artifacts_by_task_run ON artifacts (task_run_id);
