"""Cursor (keyset) paging of task runs in the server's database at 1,000,000 rows.

    python bench/server_paging.py [--rows 1000000] [--page 200] [--pg-url URL]

For SQLite (a file in a temp dir) and PostgreSQL (a throwaway cluster, see
sqlalchemy_connector.py, unless --pg-url names a database), the tables are made
by the server's migrations, ROWS task runs are inserted in bulk by the database
itself (INSERT ... SELECT over generated numbers), then `SQLAlchemyRunStore.
read_task_runs(limit=PAGE, before=cursor)` reads page 1 and walks on to page 500.
Printed: ms for page 1, page 500 by cursor, and page 500 by OFFSET for contrast
(best of 5 each). Measures and prints only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
from sqlalchemy_connector import postgres_cluster  # noqa: E402

_SQLITE_FILL = """
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :rows)
INSERT INTO task_runs (id, name, task_key, flow_run_id, dynamic_key, created, state_type,
    state_name, start_time, end_time, run_count, running_count)
SELECT printf('%08d-bench-task', i), 'task-' || i, 'task', printf('flow-%04d', i / 1000),
    CAST(i % 1000 AS TEXT), 1.7e9 + i * 0.001, 'COMPLETED', 'Completed',
    1.7e9 + i * 0.001, 1.7e9 + i * 0.001 + 0.5, 1, 1
FROM n
"""
_PG_FILL = """
INSERT INTO task_runs (id, name, task_key, flow_run_id, dynamic_key, created, state_type,
    state_name, start_time, end_time, run_count, running_count)
SELECT lpad(i::text, 8, '0') || '-bench-task', 'task-' || i, 'task',
    'flow-' || lpad((i / 1000)::text, 4, '0'), (i % 1000)::text, 1.7e9 + i * 0.001,
    'COMPLETED', 'Completed', 1.7e9 + i * 0.001, 1.7e9 + i * 0.001 + 0.5, 1, 1
FROM generate_series(0, :rows - 1) AS i
"""


def _best_ms(action: Callable[[], object], rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def measure(label: str, url: str, rows: int, page: int) -> None:
    from headwater_server.database.open import open_database
    from headwater_server.database.tables import task_runs

    store = open_database(url)
    engine = store.engine
    started = time.perf_counter()
    with engine.begin() as connection:
        fill = _PG_FILL if engine.dialect.name == "postgresql" else _SQLITE_FILL
        connection.execute(sa.text(fill), {"rows": rows})
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))
    filled = time.perf_counter() - started
    first_ms = _best_ms(lambda: store.read_task_runs(limit=page))
    cursor = None
    walk_started = time.perf_counter()
    for _ in range(499):  # to the cursor that starts page 500
        found = store.read_task_runs(limit=page, before=cursor)
        cursor = (found[-1]["created"], found[-1]["id"])
    walk = time.perf_counter() - walk_started
    page_500 = store.read_task_runs(limit=page, before=cursor)
    cursor_ms = _best_ms(lambda: store.read_task_runs(limit=page, before=cursor))
    by_offset = (
        sa.select(task_runs)
        .order_by(task_runs.c.created.desc(), task_runs.c.id.desc())
        .offset(499 * page)
        .limit(page)
    )

    def offset_page() -> list[object]:
        with engine.connect() as connection:
            return list(connection.execute(by_offset))

    offset_rows = offset_page()
    offset_ms = _best_ms(offset_page)
    assert [r.id for r in offset_rows] == [r["id"] for r in page_500]  # type: ignore[attr-defined]
    store.close()
    print(
        f"{label:<11} {rows:>9,} rows (bulk insert {filled:5.1f} s): page 1 {first_ms:6.2f} ms, "
        f"page 500 by cursor {cursor_ms:6.2f} ms, by OFFSET {offset_ms:7.2f} ms; "
        f"walking pages 1-499 {walk / 499 * 1000:5.2f} ms/page"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=200)
    parser.add_argument("--pg-url", help="an empty PostgreSQL database to use instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'server.db'}", args.rows, args.page)
    if args.pg_url:
        measure("PostgreSQL", args.pg_url, args.rows, args.page)
    else:
        with postgres_cluster() as url:
            if url is not None:
                measure("PostgreSQL", url, args.rows, args.page)


if __name__ == "__main__":
    main()
