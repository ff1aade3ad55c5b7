"""SqlAlchemyConnector beside plain SQLAlchemy on the same database (SQLite and PostgreSQL).

    python bench/sqlalchemy_connector.py [--rows 100000] [--rounds 5] [--pg-url URL]

For each database: `fetch_all` of ROWS rows and `execute_many` inserting ROWS
rows, each beside what a SQLAlchemy user writes by hand on a warm engine:

    with engine.connect() as c: c.execute(text(sql)).fetchall()
    with engine.begin() as c:   c.execute(text(insert), rows)

Rounds alternate connector / plain; the best of each is printed with the ratio
connector / plain (1.00 = same cost; the target is within 1.10), and beside it
the median of the rounds' own ratios (each round runs both back to back, so a
change in machine load falls on both; one lucky round does not decide it). PostgreSQL is
a throwaway cluster started here (initdb + pg_ctl, as `postgres` when root)
unless --pg-url names one; without server binaries that part is skipped.
Measures and prints only; nothing passes or fails on a number.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PASSWORD = "bench-pw"
CREATE = "CREATE TABLE bench (id INTEGER PRIMARY KEY, name VARCHAR(40), value FLOAT)"
INSERT = "INSERT INTO bench (id, name, value) VALUES (:id, :name, :value)"
SELECT = "SELECT id, name, value FROM bench"


@contextmanager
def postgres_cluster() -> Iterator[str | None]:
    """A throwaway PostgreSQL on a free port; yields its URL (None without binaries)."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if not bins:
        print("PostgreSQL server binaries not found (apt-get install postgresql): skipped")
        yield None
        return
    pg_bin = Path(bins[-1])
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="hw-bench-pg-", dir="/tmp"))
    root.chmod(0o755)
    (root / "pw").write_text(PASSWORD + "\n")
    if as_pg:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(root / "pw", "postgres", "postgres")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
    subprocess.run(
        [*as_pg, str(pg_bin / "initdb"), "-D", str(root / "data"), "-U", "postgres",
         f"--pwfile={root / 'pw'}", "--auth-host=scram-sha-256", "--auth-local=trust",
         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        **quiet,
    )  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off"
    )
    pg_ctl = [*as_pg, str(pg_bin / "pg_ctl"), "-D", str(root / "data")]
    subprocess.run([*pg_ctl, "-l", str(root / "log"), "-w", "-o", options, "start"], **quiet)
    try:
        yield f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], **quiet)
        shutil.rmtree(root, ignore_errors=True)


def timed(run: Callable[[], object], reset: Callable[[], object]) -> float:
    reset()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def best_of(
    rounds: int, reset: Callable[[], object], a: Callable[[], object], b: Callable[[], object]
) -> tuple[float, float, float]:
    """Best-of-N seconds for `a` and `b`, alternating which goes first each round.

    The best is the run least disturbed by other work on the machine: on a shared
    box, medians move by tens of percent between identical runs.
    """
    times_a, times_b = [], []
    for i in range(rounds):
        if i % 2:
            times_b.append(timed(b, reset))
            times_a.append(timed(a, reset))
        else:
            times_a.append(timed(a, reset))
            times_b.append(timed(b, reset))
    ratios = [x / y for x, y in zip(times_a, times_b)]
    return min(times_a), min(times_b), statistics.median(ratios)


def compare(label: str, url: str, rows: int, rounds: int) -> list[tuple[str, float, float, float]]:
    from headwater_sqlalchemy import SqlAlchemyConnector
    from sqlalchemy import create_engine, text

    data = [{"id": i, "name": f"name-{i}", "value": i * 0.5} for i in range(rows)]
    engine = create_engine(url)
    db = SqlAlchemyConnector(connection_info=url)
    with engine.begin() as c:
        c.execute(text("DROP TABLE IF EXISTS bench"))
        c.execute(text(CREATE))

    def empty() -> None:
        db.reset_connections()
        with engine.begin() as c:  # TRUNCATE: no dead rows piling up over the rounds
            c.execute(text("DELETE FROM bench" if url.startswith("sqlite") else "TRUNCATE bench"))

    def plain_insert() -> None:
        with engine.begin() as c:
            c.execute(text(INSERT), data)

    def connector_insert() -> None:
        db.execute_many(INSERT, data)

    def plain_fetch() -> None:
        with engine.connect() as c:
            assert len(c.execute(text(SELECT)).fetchall()) == rows

    def connector_fetch() -> None:
        assert len(db.fetch_all(SELECT)) == rows

    connector_insert(), plain_fetch(), connector_fetch()  # warm both paths
    insert = best_of(rounds, empty, connector_insert, plain_insert)
    fetch = best_of(rounds, db.reset_connections, connector_fetch, plain_fetch)
    results = [
        (f"{label} execute_many {rows:,} rows", *insert),
        (f"{label} fetch_all {rows:,} rows", *fetch),
    ]
    db.close()
    with engine.begin() as c:
        c.execute(text("DROP TABLE bench"))
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--pg-url", default=None, help="use this PostgreSQL instead of starting one"
    )
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += compare("SQLite", f"sqlite:///{tmp}/bench.db", args.rows, args.rounds)
    if args.pg_url:
        results += compare("PostgreSQL", args.pg_url, args.rows, args.rounds)
    else:
        with postgres_cluster() as url:
            if url:
                results += compare("PostgreSQL", url, args.rows, args.rounds)
    print(f"\n{'workload':<40} {'connector s':>12} {'plain s':>10} {'ratio':>7} {'median':>7}")
    for label, connector, plain, median in results:
        print(
            f"{label:<40} {connector:>12.3f} {plain:>10.3f} {connector / plain:>7.2f} "
            f"{median:>7.2f}"
        )
    print(
        "ratio = connector / plain SQLAlchemy, best of each; median = of the per-round "
        "ratios (target: at most 1.10)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
