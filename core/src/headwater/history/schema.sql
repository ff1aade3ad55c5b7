-- The embedded run store's schema (SQLite). Applied inside BEGIN IMMEDIATE with
-- IF NOT EXISTS, so several processes opening a fresh home at once are safe.
-- Timestamps are float seconds since the epoch; *_json columns hold JSON text.

CREATE TABLE IF NOT EXISTS processes (
    id          INTEGER PRIMARY KEY,
    pid         INTEGER NOT NULL,
    create_time TEXT,              -- /proc/<pid>/stat start time, so a reused pid is not mistaken
    hostname    TEXT NOT NULL,
    started     REAL NOT NULL,
    last_seen   REAL               -- heartbeat: when this process was last known alive
);

CREATE TABLE IF NOT EXISTS flow_runs (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    flow_name          TEXT NOT NULL,
    flow_version       TEXT,
    parameters_json    TEXT,
    tags_json          TEXT,
    parent_task_run_id TEXT,
    root_flow_run_id   TEXT,
    created            REAL,
    state_type         TEXT,
    state_name         TEXT,
    state_message      TEXT,
    state_timestamp    REAL,
    start_time         REAL,
    end_time           REAL,
    run_count          INTEGER NOT NULL DEFAULT 0,
    running_count      INTEGER NOT NULL DEFAULT 0,
    process_id         INTEGER
);
CREATE INDEX IF NOT EXISTS ix_flow_runs_created ON flow_runs (created);
CREATE INDEX IF NOT EXISTS ix_flow_runs_flow_name ON flow_runs (flow_name, created);
CREATE INDEX IF NOT EXISTS ix_flow_runs_unfinished ON flow_runs (process_id)
    WHERE state_type IS NULL
       OR state_type IN ('SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING');

CREATE TABLE IF NOT EXISTS task_runs (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    task_key         TEXT NOT NULL,
    flow_run_id      TEXT,
    dynamic_key      TEXT,
    task_inputs_json TEXT,
    tags_json        TEXT,
    cache_key        TEXT,
    created          REAL,
    state_type       TEXT,
    state_name       TEXT,
    state_message    TEXT,
    state_timestamp  REAL,
    start_time       REAL,
    end_time         REAL,
    run_count        INTEGER NOT NULL DEFAULT 0,
    running_count    INTEGER NOT NULL DEFAULT 0,
    process_id       INTEGER
);
CREATE INDEX IF NOT EXISTS ix_task_runs_flow_run ON task_runs (flow_run_id);
CREATE INDEX IF NOT EXISTS ix_task_runs_unfinished ON task_runs (process_id)
    WHERE state_type IS NULL
       OR state_type IN ('SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING');

CREATE TABLE IF NOT EXISTS states (
    seq       INTEGER PRIMARY KEY,
    run_id    TEXT NOT NULL,
    run_kind  TEXT NOT NULL,
    type      TEXT NOT NULL,
    name      TEXT NOT NULL,
    message   TEXT,
    timestamp REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_states_run ON states (run_id);

CREATE TABLE IF NOT EXISTS logs (
    seq       INTEGER PRIMARY KEY,
    run_id    TEXT,
    run_kind  TEXT NOT NULL,
    level     INTEGER NOT NULL,
    message   TEXT NOT NULL,
    timestamp REAL NOT NULL,
    logger    TEXT,
    run_name  TEXT
);
CREATE INDEX IF NOT EXISTS ix_logs_run ON logs (run_id);

-- spill files already written into this database (see store/spill.py)
CREATE TABLE IF NOT EXISTS imported_spills (
    name     TEXT PRIMARY KEY,
    imported REAL NOT NULL
);

-- Events as recorded. A state change's event stores only id, name, time and its
-- state's seq (state_seq); the `events` view (history/state_events.py, created
-- after this file) gives every event with its resource, payload and related JSON.
-- Read events from the view; seq is the cursor (never reused).
CREATE TABLE IF NOT EXISTS event_rows (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL,
    event         TEXT NOT NULL,
    occurred      REAL NOT NULL,
    resource_json TEXT,
    payload_json  TEXT,
    related_json  TEXT,
    follows       TEXT,
    state_seq     INTEGER
);

-- automations (schema 3; see headwater/automations/storage.py). Definitions,
-- trigger buckets, child firings of compound/sequence triggers, the one
-- cursor over `events` that evaluators in every process share, and the
-- actions each firing queued (claimed by the process that fired them).
CREATE TABLE IF NOT EXISTS automations (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    enabled   INTEGER NOT NULL,
    spec_json TEXT NOT NULL,
    created   REAL NOT NULL,
    updated   REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS automation_buckets (
    automation_id   TEXT NOT NULL,
    trigger_path    TEXT NOT NULL,
    bucket_key      TEXT NOT NULL,
    start           REAL NOT NULL,
    end             REAL NOT NULL,
    count           INTEGER NOT NULL,
    last_event_json TEXT,
    PRIMARY KEY (automation_id, trigger_path, bucket_key)
);
CREATE TABLE IF NOT EXISTS automation_child_firings (
    seq           INTEGER PRIMARY KEY,
    automation_id TEXT NOT NULL,
    parent_path   TEXT NOT NULL,
    child_index   INTEGER NOT NULL,
    fired         REAL NOT NULL,
    event_json    TEXT
);
CREATE TABLE IF NOT EXISTS automation_cursor (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS automation_actions (
    seq           INTEGER PRIMARY KEY,
    automation_id TEXT NOT NULL,
    action_index  INTEGER NOT NULL,
    firing_json   TEXT NOT NULL,
    status        TEXT NOT NULL,
    process_id    INTEGER,
    created       REAL NOT NULL,
    finished      REAL,
    error         TEXT
);
