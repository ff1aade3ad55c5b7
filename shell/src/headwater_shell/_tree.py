"""Ending a script's whole process tree, and leaving no zombies behind.

Every script starts in a new session, so it and everything it starts share
one process group (pgid == the shell's pid). Killing means: SIGTERM to the
group, a grace period, then SIGKILL to whatever is left.

A killed shell's children are orphaned and handed to the nearest "subreaper"
ancestor, normally PID 1. Some PID 1s (minimal container inits) never reap,
so the dead children would linger as zombies and the group would never look
empty. On Linux, while any script runs, this process declares itself a child
subreaper (prctl PR_SET_CHILD_SUBREAPER): orphans of our scripts come back to
us, and we reap the members of our own groups (only those: waitpid(-pgid)).
Side effect, documented: while a script runs, orphaned descendants of other
subprocesses this process started are reparented here too.

At interpreter exit (including after KeyboardInterrupt) every group still
alive is killed, so an interrupted script never outlives its flow.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

KILL_GRACE_SECONDS = 5.0
_POLL = 0.02
_PR_SET_CHILD_SUBREAPER = 36

_lock = threading.Lock()
_live: dict[int, subprocess.Popen[bytes]] = {}  # pgid -> leader, while it may have members
_subreaper_on = False


def register(proc: subprocess.Popen[bytes]) -> None:
    """Track a just-started leader (its pid is its group's id)."""
    with _lock:
        _live[proc.pid] = proc


def before_spawn() -> None:
    """Become a subreaper (Linux) so orphans of the script stay reapable."""
    global _subreaper_on
    if not sys.platform.startswith("linux"):
        return
    sweep()
    with _lock:
        if _subreaper_on:
            return
        _subreaper_on = _set_subreaper(1)


def sweep() -> None:
    """Reap finished scripts' leftover background members; forget groups now empty."""
    with _lock:
        done = [p for p in _live.values() if p.returncode is not None]
    for proc in done:
        finished(proc)


def group_alive(pgid: int) -> bool:
    """Whether any process (zombies included) is still in the group."""
    if sys.platform == "win32":
        return False
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_group(pgid: int) -> None:
    """Collect exited members of our group that were reparented to us."""
    if sys.platform == "win32":
        return
    while True:
        try:
            pid, _ = os.waitpid(-pgid, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def finished(proc: subprocess.Popen[bytes]) -> None:
    """The leader has been waited for: reap, and stop tracking once the group is empty."""
    reap_group(proc.pid)
    if not group_alive(proc.pid):
        _forget(proc.pid)


def kill_tree(proc: subprocess.Popen[bytes], grace: float = KILL_GRACE_SECONDS) -> None:
    """SIGTERM the group, wait up to `grace`, SIGKILL the rest; reap the leader and members."""
    if sys.platform == "win32":  # untested branch: no process groups to signal
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        _forget(proc.pid)
        return
    pgid = proc.pid
    _signal(pgid, signal.SIGTERM)
    if not _wait_empty(proc, grace):
        _signal(pgid, signal.SIGKILL)
        _wait_empty(proc, 2.0)
    _forget(pgid)


def _wait_empty(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        proc.poll()  # reaps the leader (only Popen may: it keeps the exit status)
        if proc.returncode is not None:
            reap_group(proc.pid)
        if not group_alive(proc.pid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)


def _signal(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _forget(pgid: int) -> None:
    global _subreaper_on
    with _lock:
        _live.pop(pgid, None)
        if not _live and _subreaper_on:
            _set_subreaper(0)
            _subreaper_on = False


_libc: Any = None


def _set_subreaper(flag: int) -> bool:
    global _libc
    try:
        if _libc is None:
            import ctypes

            _libc = ctypes.CDLL(None, use_errno=True)
        return bool(_libc.prctl(_PR_SET_CHILD_SUBREAPER, flag, 0, 0, 0) == 0)
    except Exception:
        return False


@atexit.register
def _kill_all_at_exit() -> None:
    """Kill the trees of scripts still running (an interrupted flow); leave finished
    scripts' deliberate background jobs alone."""
    with _lock:
        procs = [p for p in _live.values() if p.poll() is None]
    for proc in procs:
        try:
            kill_tree(proc, grace=1.0)
        except Exception:
            pass
