"""The API store's background thread: sends queued records to the server in batches.

One daemon thread, one `httpx.Client` (keep-alive). Records are taken from the
store's queue into batches of at most `MAX_BATCH` records, each with its own id,
and sent in order. Connection errors, timeouts, 5xx, 408 and 429 are retried with
backoff while new batches wait in memory; past `MEMORY_RECORDS` waiting records,
or when asked to flush while the server is away, they go to a spill file
(`api_spill`), sent first once the server answers again. Any other 4xx is a bug or
a wrong key, never retried: said once, and the records are spilled (a batch over
the server's size limit, 413, is split in two first). Nothing is dropped. Each failure mode is said once on the `headwater.history` logger.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from headwater.history import api_spill
from headwater.history.wire import Client, encode_batch, heartbeat_body, split_batch

logger = logging.getLogger("headwater.history")

#: records per request at most
MAX_BATCH = 2000
#: records kept in memory while the server is away, before they go to a spill file
MEMORY_RECORDS = 50_000
#: an idle client tells the server it is alive this often (seconds), unless the server's
#: answers ask for more often (`heartbeat_every`: a fifth of its client timeout)
HEARTBEAT_EVERY = 15.0
#: longest pause between two attempts to reach the server
MAX_BACKOFF = 10.0
_RETRIED = frozenset({408, 429})


@dataclass
class _Batch:
    body: bytes
    count: int
    markers: list[threading.Event] = field(default_factory=list)


class Refused(Exception):
    """The server answered 4xx: retrying the same request cannot help."""


class Sender:
    """Owns the HTTP client; `run` on a daemon thread until `stop()`."""

    def __init__(self, url: str, api_key: str | None, home: Path, queue: deque[Any]) -> None:
        self.url = url.rstrip("/")
        self.endpoint = self.url + "/records"
        self.home = home
        self.queue = queue
        self.client = Client()
        self.wake = threading.Event()
        self.stopping = False
        self.pending: deque[_Batch] = deque()
        self.pending_records = 0
        self.spills: list[Path] = []
        self._spill_progress: dict[Path, int] = {}
        self._spill_bodies: dict[Path, list[bytes]] = {}
        #: why the server is not taking records now (None while it does)
        self.failing: str | None = None
        self.refused: str | None = None
        self.sent = 0
        self._retry_at = 0.0
        self._backoff = 0.5
        self._last_sent = time.monotonic()
        self.heartbeat_every = HEARTBEAT_EVERY
        self._too_large: str | None = None
        self._headers = {"content-type": "application/json"}
        if api_key:
            self._headers["authorization"] = f"Bearer {api_key}"
        self._thread = threading.Thread(target=self._run, name="headwater-api-sender", daemon=True)

    def __repr__(self) -> str:  # never the key
        return f"Sender(url={self.url!r})"

    def start(self) -> None:
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float | None = None) -> None:
        self.stopping = True
        self.wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def idle(self) -> bool:
        """Nothing queued, waiting or in a spill file of this process."""
        return not self.queue and not self.pending and not self.spills

    # --- the thread -------------------------------------------------------------
    def _run(self) -> None:
        import httpx

        self.spills = api_spill.find_spills(self.home, self.url)
        timeout = httpx.Timeout(30.0, connect=5.0)
        with httpx.Client(timeout=timeout, headers=self._headers) as http:
            self._httpx = http
            while not self.stopping:
                try:
                    self._step()
                except Exception:  # never lose the thread: what it holds stays for later
                    logger.exception("headwater: the run record sender failed; retrying")
                    self._wait(1.0)

    def _step(self) -> None:
        self._take()
        if self.refused is not None or time.monotonic() < self._retry_at:
            self._keep_on_disk_if_asked()
            self._wait(max(0.0, self._retry_at - time.monotonic()) or 0.5)
        elif self.spills:
            self._send_spill(self.spills[0])
        elif self.pending:
            self._send_pending()
        elif time.monotonic() - self._last_sent >= self.heartbeat_every:
            self._post(heartbeat_body(self.client), count=0)
        else:
            self._wait(min(1.0, self.heartbeat_every))

    def _wait(self, seconds: float) -> None:
        if not self.queue:
            self.wake.wait(seconds)
        self.wake.clear()

    def _take(self) -> None:
        """Queued records -> encoded batches in `pending` (never blocks on the network)."""
        queue = self.queue
        while queue:
            records: list[Any] = []
            try:
                for _ in range(min(len(queue), MAX_BATCH)):
                    records.append(queue.popleft())
            except IndexError:
                pass
            try:
                body, count, markers = encode_batch(records, self.client)
            except Exception:  # unexpected (encoding falls back field by field): say which
                logger.exception("headwater: could not encode %d run records: %r",
                                 len(records), records[:3])  # fmt: skip
                for rec in records:
                    if isinstance(rec, threading.Event):
                        rec.set()
                continue
            if body is None:  # flush markers only: everything before them is in `pending`
                if self.pending:
                    self.pending[-1].markers.extend(markers)
                else:
                    for marker in markers:
                        marker.set()
                continue
            self.pending.append(_Batch(body, count, markers))
            self.pending_records += count
        if self.pending_records > MEMORY_RECORDS:
            self.spill_pending("memory full")

    def _keep_on_disk_if_asked(self) -> None:
        """While the server is away, a flush is satisfied by writing to disk."""
        if any(b.markers for b in self.pending):
            self.spill_pending("flush")

    def _send_pending(self) -> None:
        batch = self.pending[0]
        self._too_large = None
        sent = self._post(batch.body, batch.count)
        if not self.pending or self.pending[0] is not batch:
            return  # spilled meanwhile by an exit that gave up waiting
        if sent:
            self.pending.popleft()
            self.pending_records -= batch.count
            for marker in batch.markers:
                marker.set()
        elif self._too_large is not None:
            self._split(batch, self._too_large)

    def _split(self, batch: _Batch, detail: str) -> None:
        """A batch over the server's size limit (413) is sent as two halves."""
        halves = split_batch(batch.body)
        if halves is None:  # one record alone is too large
            self._refuse(413, detail)
            return
        (first, n1), (second, n2) = halves
        self.pending.popleft()
        self.pending.appendleft(_Batch(second, n2, batch.markers))
        self.pending.appendleft(_Batch(first, n1))

    def _send_spill(self, path: Path) -> None:
        bodies = self._spill_bodies.get(path)  # as split so far (413)
        if bodies is None:
            try:
                bodies = self._spill_bodies[path] = api_spill.read_spill(path)
            except FileNotFoundError:  # sent by another process just now
                self.spills.remove(path)
                return
            except (OSError, EOFError) as exc:
                logger.warning(
                    "headwater: spill file %s cannot be read (%s); left in place", path, exc
                )
                self.spills.remove(path)
                return
        done = self._spill_progress.get(path, 0)
        while done < len(bodies) and not self.stopping:
            self._too_large = None
            if not self._post(bodies[done], count=-1):
                if self._too_large is not None and self._split_spilled(bodies, done):
                    continue
                self._spill_progress[path] = done
                return
            done += 1
        if done < len(bodies):
            self._spill_progress[path] = done
            return
        path.unlink(missing_ok=True)
        self.spills.remove(path)
        self._spill_progress.pop(path, None)
        self._spill_bodies.pop(path, None)
        logger.info("headwater: sent the %d batches waiting in %s to %s", done, path, self.url)

    def _split_spilled(self, bodies: list[bytes], index: int) -> bool:
        """A spilled batch over the server's size limit (413) becomes its two halves."""
        halves = split_batch(bodies[index])
        if halves is None:
            self._refuse(413, self._too_large or "")
            return False
        bodies[index : index + 1] = [halves[0][0], halves[1][0]]
        return True

    def _post(self, body: bytes, count: int) -> bool:
        """One request; True once the server took it. Handles failure bookkeeping."""
        import httpx

        try:
            answer = self._httpx.post(self.endpoint, content=body)
        except httpx.HTTPError as exc:
            self._failed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
            return False
        status = answer.status_code
        if status < 300:
            self._recovered()
            self._adopt_heartbeat(answer)
            if count > 0:
                self.sent += count
            self._last_sent = time.monotonic()
            return True
        detail = _detail(answer)
        if status >= 500 or status in _RETRIED:
            self._failed(f"HTTP {status}: {detail}")
            return False
        if status == 413 and count != 1:  # -1: a spilled batch, its count unknown
            self._too_large = detail  # `_send_pending` splits it
            return False
        self._refuse(status, detail)
        return False

    def _adopt_heartbeat(self, answer: Any) -> None:
        try:
            every = float(answer.json().get("heartbeat_every") or HEARTBEAT_EVERY)
        except (ValueError, TypeError, AttributeError):
            return
        self.heartbeat_every = min(HEARTBEAT_EVERY, max(0.5, every))

    def _failed(self, reason: str) -> None:
        if self.failing is None:
            _say(
                f"headwater: server at {self.url} unreachable ({reason}); keeping "
                f"{self.pending_records + len(self.queue)} records, retrying"
            )
        self.failing = reason
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, MAX_BACKOFF)

    def _recovered(self) -> None:
        if self.failing is not None:
            _say(f"headwater: server at {self.url} answers again; sending the waiting records")
        self.failing = None
        self._backoff = 0.5

    def _refuse(self, status: int, detail: str) -> None:
        """A 4xx: a wrong key (401/403), a server without this route (404/405), or a bug."""
        hint = {
            401: "check HEADWATER_API_KEY: it must equal the server's HEADWATER_SERVER_API_KEY",
            403: "check HEADWATER_API_KEY: it must equal the server's HEADWATER_SERVER_API_KEY",
            404: f"check HEADWATER_API_URL ({self.url}): it must end in /api",
            405: f"check HEADWATER_API_URL ({self.url}): it must end in /api",
            413: "one record is larger than the server takes (HEADWATER_SERVER_MAX_BATCH_BYTES "
            "on the server)",
        }.get(status, "this is a bug in headwater: please report it with this message")
        self.refused = f"HTTP {status}: {detail}"
        where = api_spill.spill_dir(self.home)
        _say(
            f"headwater: server at {self.url} refused the run records ({self.refused}); {hint}. "
            f"Records are kept in {where} and sent by the next process that records there"
        )
        self.spill_pending(self.refused)

    def spill_pending(self, reason: str) -> Path | None:
        """Write every waiting batch to a new spill file (and release their flush markers)."""
        if not self.pending:
            return None
        batches = list(self.pending)
        try:
            path = api_spill.write_spill(self.home, self.url, (b.body for b in batches))
        except OSError as exc:
            logger.error("headwater: could not save %d run records to %s (%s); kept in memory",
                         self.pending_records, api_spill.spill_dir(self.home), exc)  # fmt: skip
            return None
        self.pending.clear()
        self.pending_records = 0
        self.spills.append(path)
        for batch in batches:
            for marker in batch.markers:
                marker.set()
        logger.debug("headwater: %d batches saved to %s (%s)", len(batches), path, reason)
        return path


def _say(text: str) -> None:
    """A notice for the user: on stderr (as the embedded store's spill notice), and logged."""
    logger.debug(text)
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed at exit
        pass


def _detail(answer: Any) -> str:
    try:
        detail = answer.json().get("detail")
    except Exception:
        detail = None
    return str(detail if detail is not None else answer.text[:200])
