"""Stable hashes of files (flow versions)."""

from __future__ import annotations

import hashlib


def file_hash(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.md5(f.read(), usedforsecurity=False).hexdigest()
    except OSError:
        return None
