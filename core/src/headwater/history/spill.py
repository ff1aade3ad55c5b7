"""Spill files: run records the database refused, kept on disk until it takes them.

When the writer must give up on records (the process is exiting while the disk
is still full, or SQLite rejects them for good), it writes them to a spill file
beside the database, or in the temp directory if that fails too. The next
process that opens the store for writing imports every spill file before it
marks dead processes' runs Crashed, so a flow whose final state was spilled is
shown as it ended. A spill file is gzip-compressed JSON lines: a header naming
the database and the process row the records belong to, then one record a line.
Each import is recorded in the database in the same transaction as its rows, so
a file is never imported twice even if removing it fails.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import sqlite3
import tempfile
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

from headwater.history.batch import build_batch, execute_rows, json_default
from headwater.history.connection import in_transaction
from headwater.history.faults import is_transient
from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun

logger = logging.getLogger("headwater.history")

FORMAT = 1
_SUFFIX = ".jsonl.gz"


_to_json = json.JSONEncoder(default=json_default, separators=(",", ":")).encode


def encode(rec: Any) -> list[Any] | None:
    """A record as a JSON-able list, or None for what is not history (flush markers)."""
    kind = type(rec)
    if kind is StateChange:
        return ["state", *rec]
    if kind is LogEntry:
        return ["log", *rec]
    if kind is TaskRun:
        return ["task_run", rec.id, rec.name, rec.task_key, rec.flow_run_id, rec.dynamic_key,
                rec.task_inputs, rec.tags, rec.created, rec.run_count, rec.cache_key]  # fmt: skip
    if kind is FlowRun:
        return ["flow_run", rec.id, rec.name, rec.flow_name, rec.flow_version, rec.parameters,
                rec.tags, rec.parent_task_run_id, rec.root_flow_run_id, rec.created,
                rec.run_count]  # fmt: skip
    if kind is Event:
        return ["event", rec.id, rec.event, rec.occurred, rec.resource, rec.payload,
                rec.related, rec.follows]  # fmt: skip
    return None


def decode(row: list[Any]) -> Any:
    kind, *f = row
    if kind == "state":
        return StateChange(*f)
    if kind == "log":
        return LogEntry(*f)
    if kind == "task_run":
        return TaskRun(id=f[0], name=f[1], task_key=f[2], flow_run_id=f[3], dynamic_key=f[4],
                       task_inputs=f[5], tags=tuple(f[6] or ()), created=f[7], run_count=f[8],
                       cache_key=f[9])  # fmt: skip
    if kind == "flow_run":
        return FlowRun(id=f[0], name=f[1], flow_name=f[2], flow_version=f[3], parameters=f[4],
                       tags=tuple(f[5] or ()), parent_task_run_id=f[6], root_flow_run_id=f[7],
                       created=f[8], run_count=f[9])  # fmt: skip
    if kind == "event":
        return Event(id=f[0], event=f[1], occurred=f[2], resource=f[3], payload=f[4],
                     related=f[5], follows=f[6])  # fmt: skip
    raise ValueError(f"unknown record kind {kind!r}")


def _temp_prefix(db: Path) -> str:
    digest = hashlib.sha256(str(db.absolute()).encode()).hexdigest()[:16]
    return f"headwater-spill-{digest}-"


def _candidates(db: Path, process_id: int | None) -> list[Path]:
    stamp = f"{process_id or 0}-{time.time_ns()}{_SUFFIX}"
    return [
        db.with_name(f"{db.name}.spill-{stamp}"),
        Path(tempfile.gettempdir()) / f"{_temp_prefix(db)}{stamp}",
    ]


def find_spills(db: Path) -> list[Path]:
    """Spill files for this database, oldest first (beside it, then in the temp dir)."""
    found: list[Path] = []
    for folder, prefix in (
        (db.parent, f"{db.name}.spill-"),
        (Path(tempfile.gettempdir()), _temp_prefix(db)),
    ):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        found += [folder / n for n in names if n.startswith(prefix) and n.endswith(_SUFFIX)]
    return sorted(found, key=lambda p: int(p.name[: -len(_SUFFIX)].rsplit("-", 1)[1]))


def write_spill(db: Path, process_id: int | None, records: list[Any]) -> Path:
    """Save `records` to a new spill file and return its path; raises OSError if nowhere works.

    Written to a temporary name and renamed, so a half-written file is never imported.
    """
    rows = [row for row in map(encode, records) if row is not None]
    header = {"headwater_spill": FORMAT, "database": str(db), "process_id": process_id,
              "records": len(rows)}  # fmt: skip
    errors: list[str] = []
    for path in _candidates(db, process_id):
        partial = path.with_name(path.name + ".partial")
        try:
            with gzip.open(partial, "wt", encoding="utf-8", compresslevel=6) as out:
                out.write(_to_json(header) + "\n")
                for row in rows:
                    out.write(_to_json(row) + "\n")
            os.replace(partial, path)
            return path
        except OSError as exc:
            errors.append(f"{path.parent}: {exc.strerror or exc}")
            try:
                partial.unlink()
            except OSError:
                pass
    raise OSError("; ".join(errors))


def _read_spill(path: Path) -> tuple[dict[str, Any], list[Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = json.loads(f.readline())
        if header.get("headwater_spill") != FORMAT:
            raise ValueError(
                f"not a headwater spill file (format {header.get('headwater_spill')!r})"
            )
        records = [decode(json.loads(line)) for line in f if line.strip()]
    if len(records) != header.get("records"):
        raise ValueError(f"{len(records)} records where the header says {header.get('records')}")
    return header, records


def _add(c: sqlite3.Connection, name: str, work: list[tuple[str, list[Any]]]) -> bool:
    """Write one spill file's rows, unless this database already has them."""
    if c.execute("SELECT 1 FROM imported_spills WHERE name = ?", (name,)).fetchone():
        return False
    for sql, rows in work:
        execute_rows(c, sql, rows)
    c.execute("INSERT INTO imported_spills (name, imported) VALUES (?, ?)", (name, time.time()))
    return True


def import_spills(conn: sqlite3.Connection, db: Path, patience: float | None = None) -> int:
    """Write every spill file of `db` into it, then delete the file; return the record count."""
    total = 0
    for path in find_spills(db):
        try:
            header, records = _read_spill(path)
        except FileNotFoundError:
            continue  # imported by another process just now
        except (OSError, ValueError, TypeError, EOFError) as exc:
            logger.warning(
                "headwater run store: spill file %s could not be read (%s); it was left in "
                "place, move it aside to silence this", path, exc,
            )  # fmt: skip
            continue

        work, _ = build_batch(records, header.get("process_id"))
        try:
            added = in_transaction(conn, partial(_add, name=path.name, work=work), patience)
        except sqlite3.Error as exc:
            if is_transient(exc):
                raise  # a full disk or a lock: the open fails and says so; try again later
            logger.warning(
                "headwater run store: spill file %s could not be imported (%s); it was left "
                "in place, move it aside to silence this", path, exc,
            )  # fmt: skip
            continue
        if added:
            total += len(records)
            logger.info("headwater run store: imported %d records from %s", len(records), path)
        try:
            path.unlink()
        except OSError:
            pass
    return total


def release(records: list[Any]) -> None:
    """Wake everyone waiting on a flush marker among `records`."""
    for rec in records:
        if isinstance(rec, threading.Event):
            rec.set()
