"""`FileSystemLockManager`: locks shared by every process that uses one directory.

A lock is a small JSON file `<key>.lock` (holder, lapse time, host and pid).
Reading, deciding and writing happen under an OS file lock on the directory's
`.guard` file, held for microseconds, so two processes can never both take a
key; the OS drops that guard if a process dies in the middle. Lock files are
replaced atomically, so a reader sees an old lock or a new one.

A lock lapses after `hold_timeout` (wall clock, so every process agrees), and
a lock whose process on this machine has died is lapsed too: a crashed run
never wedges a key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from headwater.locking.protocol import PollingAsyncLocks, capped_delay, check_timeout

__all__ = ["FileSystemLockManager"]

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
_HOST = socket.gethostname()


class FileSystemLockManager(PollingAsyncLocks):
    def __init__(self, lock_files_directory: Path | str) -> None:
        self.lock_files_directory = Path(lock_files_directory).expanduser()

    def __repr__(self) -> str:
        return f"FileSystemLockManager({str(self.lock_files_directory)!r})"

    def _path(self, key: str) -> Path:
        if not isinstance(key, str) or not key:
            raise ValueError(f"a lock key must be a non-empty string, got {key!r}")
        name = key if _PLAIN_KEY.match(key) else hashlib.sha256(key.encode()).hexdigest()
        return self.lock_files_directory / f"{name}.lock"

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            self.lock_files_directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_files_directory / ".guard", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OSError(
                f"cannot use lock directory {self.lock_files_directory} ({exc.strerror or exc}); "
                f"give FileSystemLockManager a writable directory"
            ) from exc
        try:
            _lock_fd(fd)
            try:
                yield
            finally:
                _unlock_fd(fd)
        finally:
            os.close(fd)

    def _read(self, key: str) -> dict[str, Any] | None:
        """The live lock on `key`, or None (absent, lapsed, or its process is gone)."""
        try:
            info = json.loads(self._path(key).read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # unreadable: treated as free, and overwritten by the next holder
        if not isinstance(info, dict):
            return None
        lapse = info.get("lapse")
        if lapse is not None and lapse <= time.time():
            return None
        if info.get("host") == _HOST and not _alive(info.get("pid")):
            return None
        return info

    def _try_acquire(self, key: str, holder: str, hold_timeout: float | None) -> bool:
        path = self._path(key)
        with self._guard():
            info = self._read(key)
            if info is not None and info.get("holder") != holder:
                return False
            record = {
                "key": key,
                "holder": holder,
                "lapse": None if hold_timeout is None else time.time() + hold_timeout,
                "host": _HOST,
                "pid": os.getpid(),
            }
            fd, tmp = tempfile.mkstemp(dir=self.lock_files_directory, prefix=".tmp-")
            try:
                with os.fdopen(fd, "w") as f:
                    json.dump(record, f)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            return True

    def acquire_lock(
        self,
        key: str,
        holder: str,
        acquire_timeout: float | None = None,
        hold_timeout: float | None = None,
    ) -> bool:
        acquire_timeout = check_timeout(acquire_timeout, "acquire_timeout")
        hold_timeout = check_timeout(hold_timeout, "hold_timeout")
        deadline = None if acquire_timeout is None else time.monotonic() + acquire_timeout
        delay = self.POLL_MIN
        while not self._try_acquire(key, holder, hold_timeout):
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(capped_delay(delay, deadline))
            delay = min(delay * 2, self.POLL_MAX)
        return True

    def release_lock(self, key: str, holder: str) -> None:
        with self._guard():
            info = self._read(key)
            if info is None or info.get("holder") != holder:
                held = f"it is held by {info.get('holder')!r}" if info else "it is not locked"
                raise ValueError(f"No lock held by {holder!r} for key {key!r}: {held}")
            self._path(key).unlink(missing_ok=True)

    def is_locked(self, key: str) -> bool:
        return self._read(key) is not None

    def is_lock_holder(self, key: str, holder: str) -> bool:
        info = self._read(key)
        return info is not None and info.get("holder") == holder

    def wait_for_lock(self, key: str, timeout: float | None = None) -> bool:
        timeout = check_timeout(timeout, "timeout")
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = self.POLL_MIN
        while self.is_locked(key):
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(capped_delay(delay, deadline))
            delay = min(delay * 2, self.POLL_MAX)
        return True


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or os.name != "posix":
        return True  # cannot tell: assume the holder lives
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if sys.platform == "win32":  # pragma: no cover - Windows
    import msvcrt

    def _lock_fd(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:
                continue

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
