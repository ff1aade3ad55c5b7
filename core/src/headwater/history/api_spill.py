"""Spill files of the API store: batches a server did not take yet, kept on disk.

When the server stays unreachable (or refuses the records) the sender writes its
waiting batches to `HEADWATER_HOME/api-spill/`, one gzip-compressed JSON line per
batch: exactly the request body it would have sent, batch id included. The next
process that records into the same server (same HEADWATER_API_URL) sends them
before its own records; the server applies a batch id once, so a file sent twice
(two processes at once, or an answer lost) writes nothing twice. A file is
written under a temporary name and renamed, so a half-written one is never read.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import time
from collections.abc import Iterable
from pathlib import Path

__all__ = ["find_spills", "read_spill", "spill_dir", "write_spill"]

_SUFFIX = ".jsonl.gz"


def spill_dir(home: Path) -> Path:
    return home / "api-spill"


def _prefix(url: str) -> str:
    return "records-" + hashlib.sha256(url.encode()).hexdigest()[:12] + "-"


def find_spills(home: Path, url: str) -> list[Path]:
    """Spill files waiting for the server at `url`, oldest first."""
    folder, prefix = spill_dir(home), _prefix(url)
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith(_SUFFIX)]
    except OSError:
        return []
    return sorted((folder / n for n in names), key=lambda p: p.name[len(prefix) :])


def write_spill(home: Path, url: str, bodies: Iterable[bytes]) -> Path:
    """Save request bodies (one batch each) to a new spill file; raises OSError."""
    folder = spill_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_prefix(url)}{time.time_ns():020d}-{os.getpid()}{_SUFFIX}"
    partial = path.with_name(path.name + ".partial")
    try:
        with gzip.open(partial, "wb", compresslevel=6) as out:
            for body in bodies:
                out.write(body + b"\n")
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return path


def read_spill(path: Path) -> list[bytes]:
    """The batches of a spill file; raises OSError (gone, unreadable) or EOFError."""
    with gzip.open(path, "rb") as f:
        return [line.rstrip(b"\n") for line in f if line.strip()]
