"""Run history read from a headwater server's public REST API (`HEADWATER_API_URL`).

`ApiRunHistory` answers the `RunHistory` questions the CLI asks with the server's
Prefect-shaped routes, and turns the answers back into the plain dicts the embedded
store returns (times as epoch seconds), so every command prints the same thing
whichever history it reads. Times come back at the API's microsecond precision.
Calls go through `headwater.utilities.api_client` (keep-alive, bearer key, errors).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from headwater.exceptions import RunStoreError
from headwater.history.base import RunHistory
from headwater.utilities.api_client import ApiClient, epoch, shown_url

__all__ = ["ApiRunHistory", "shown_url"]

#: the most the server's /filter routes return at once
PAGE = 200
_STATE_TYPES = {
    "scheduled", "pending", "running", "completed", "failed", "cancelled", "cancelling",
    "crashed", "paused",
}  # fmt: skip
_FLOW_RUN_KEYS = [
    "id", "name", "flow_name", "flow_version", "parameters", "tags", "parent_task_run_id",
    "root_flow_run_id",
]  # fmt: skip
_TASK_RUN_KEYS = [
    "id", "name", "task_key", "flow_run_id", "dynamic_key", "task_inputs", "tags", "cache_key",
]  # fmt: skip


def _iso(moment: datetime.datetime) -> str:
    return (moment if moment.tzinfo else moment.astimezone()).isoformat()


def _normal(state: str) -> str:
    return state.strip().replace(" ", "").replace("_", "").lower()


class ApiRunHistory(RunHistory):
    """A headwater server's run history, read over HTTP."""

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 30.0) -> None:
        self.api = ApiClient(
            url, api_key, RunStoreError, timeout=timeout, local_alternative="the local history"
        )
        self.url = self.api.url

    def __repr__(self) -> str:  # never the key
        return f"ApiRunHistory({shown_url(self.url)!r})"

    def close(self) -> None:
        self.api.close()

    # --- HTTP ------------------------------------------------------------------------
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The answer's JSON; None for a GET of something the server does not have."""
        return self.api.request(method, path, missing_ok=method == "GET", **kwargs)

    def _pages(self, path: str, body: dict[str, Any], limit: int | None) -> Iterator[Any]:
        """Every item the /filter route at `path` gives, PAGE at a time, up to `limit`."""
        offset = 0
        while True:
            size = PAGE if limit is None or limit < 0 else min(PAGE, limit - offset)
            if size <= 0:
                return
            items = self._call("POST", path, json={**body, "offset": offset, "limit": size})
            yield from items
            offset += len(items)
            if len(items) < size:
                return

    # --- runs ------------------------------------------------------------------------
    def _runs(
        self, path: str, body: dict[str, Any], state: str | None, limit: int | None
    ) -> list[dict[str, Any]]:
        convert = _flow_run if path.startswith("/flow_runs") else _task_run
        if state and _normal(state) not in _STATE_TYPES:  # a state name: compare here
            wanted = _normal(state)
            found = []
            for item in self._pages(path, body, None):
                if _normal(item.get("state_name") or "") == wanted:
                    found.append(convert(item))
                    if limit is not None and 0 <= limit == len(found):
                        break
            return found
        return [convert(item) for item in self._pages(path, body, limit)]

    def read_flow_runs(
        self, state: str | None = None, flow_name: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sort": "EXPECTED_START_TIME_DESC"}
        if flow_name:
            body["flows"] = {"name": {"any_": [flow_name]}}
        if state and _normal(state) in _STATE_TYPES:
            body["flow_runs"] = {"state": {"type": {"any_": [_normal(state).upper()]}}}
        return self._runs("/flow_runs/filter", body, state, limit)

    def read_flow_run(self, run_id: str) -> dict[str, Any] | None:
        return self._one("flow", run_id)

    def read_task_runs(
        self, flow_run_id: str | None = None, state: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        wanted: dict[str, Any] = {}
        if flow_run_id is not None:
            wanted["flow_run_id"] = {"any_": [flow_run_id]}
        if state and _normal(state) in _STATE_TYPES:
            wanted["state"] = {"type": {"any_": [_normal(state).upper()]}}
        body: dict[str, Any] = {"sort": "EXPECTED_START_TIME_DESC"}
        if wanted:
            body["task_runs"] = wanted
        return self._runs("/task_runs/filter", body, state, limit)

    def read_task_run(self, run_id: str) -> dict[str, Any] | None:
        return self._one("task", run_id)

    def _one(self, kind: str, run_id: str) -> dict[str, Any] | None:
        """By full id, else by unique id prefix."""
        if not run_id:
            return None
        item = self._call("GET", f"/{kind}_runs/{quote(run_id, safe='')}")
        if item is not None:
            return _flow_run(item) if kind == "flow" else _task_run(item)
        found = [r for r in self.find_runs(kind, run_id, PAGE) if r["id"].startswith(run_id)]
        return found[0] if len(found) == 1 else None

    def find_runs(self, kind: str, ref: str, limit: int = 20) -> list[dict[str, Any]]:
        """Runs `ref` may mean (id, id prefix or suffix, name), newest first: the server
        looks (`POST /api/{kind}_runs/find`)."""
        if not ref:
            return []
        found = self._call("POST", f"/{kind}_runs/find", json={"ref": ref, "limit": limit})
        return [_flow_run(r) if kind == "flow" else _task_run(r) for r in found]

    def count_task_runs(self, flow_run_id: str | None = None) -> int:
        body = (
            {} if flow_run_id is None else {"task_runs": {"flow_run_id": {"any_": [flow_run_id]}}}
        )
        return int(self._call("POST", "/task_runs/count", json=body))

    def read_states(self, run_id: str) -> list[dict[str, Any]]:
        kind = "flow"
        states = self._call("GET", "/flow_run_states/", params={"flow_run_id": run_id})
        if not states:
            kind = "task"
            states = self._call("GET", "/task_run_states/", params={"task_run_id": run_id})
        return [
            {"run_id": run_id, "run_kind": kind, "type": s["type"], "name": s["name"],
             "message": s.get("message"), "timestamp": epoch(s["timestamp"])}
            for s in states or ()
        ]  # fmt: skip

    def read_logs(self, run_id: str, include_task_runs: bool = True) -> list[dict[str, Any]]:
        is_flow = self._call("GET", f"/flow_runs/{quote(run_id, safe='')}") is not None
        key = "flow_run_id" if is_flow else "task_run_id"
        body = {"logs": {key: {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC"}
        out = []
        for line in self._pages("/logs/filter", body, None):
            task_run = line.get("task_run_id")
            if is_flow and task_run and not include_task_runs:
                continue
            out.append({
                "run_id": task_run or line.get("flow_run_id"),
                "run_kind": "task" if task_run else "flow",
                "level": line["level"], "message": line["message"],
                "timestamp": epoch(line["timestamp"]), "logger": line.get("name"),
                "run_name": line.get("run_name"),
            })  # fmt: skip
        return out

    # --- events ----------------------------------------------------------------------
    def read_events(
        self,
        limit: int | None = 100,
        *,
        after: int | None = None,
        since: float | None = None,
        until: float | None = None,
        where: tuple[str, list[Any]] | None = None,
        oldest_first: bool = False,
    ) -> list[dict[str, Any]]:
        """Events as the embedded store reads them; `where` (SQL) cannot cross HTTP: use
        `read_matching_events` (which `headwater.events.filters.read_events` does)."""
        if where is not None:
            raise RunStoreError("an SQL `where` cannot be sent to a headwater server")
        flt: dict[str, Any] = {}
        if since is not None or until is not None:
            flt["occurred"] = {
                key: None if value is None else _iso(datetime.datetime.fromtimestamp(value))
                for key, value in (("since", since), ("until", until))
            }
        return self._events(flt, limit, after, oldest_first)

    def read_matching_events(
        self, match: Any, limit: int | None = 100, after: int | None = None,
        oldest_first: bool = False,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Events matching `match` (a `headwater.events.filters.EventFilter`)."""
        flt: dict[str, Any] = {}
        if match.event:
            flt["event"] = {"like_": [p if "*" in p else p + "*" for p in match.event]}
        if match.resource_id:
            flt["resource"] = {"like_": list(match.resource_id)}
        if match.related_id:
            flt["related"] = {"like_": list(match.related_id)}
        if match.since is not None or match.until is not None:
            flt["occurred"] = {
                "since": None if match.since is None else _iso(match.since),
                "until": None if match.until is None else _iso(match.until),
            }
        return self._events(flt, limit, after, oldest_first)

    def _events(
        self, flt: dict[str, Any], limit: int | None, after: int | None, oldest_first: bool
    ) -> list[dict[str, Any]]:
        if after is not None:
            flt["seq"] = {"after": after}
        flt["order"] = "ASC" if oldest_first else "DESC"
        out: list[dict[str, Any]] = []
        size = 50 if limit is None or limit < 0 else min(50, limit)
        if size == 0:
            return out
        answer = self._call("POST", "/events/filter", json={"filter": flt, "limit": size})
        while True:
            out += [_event(e) for e in answer["events"]]
            if not answer["next_page"] or (limit is not None and 0 <= limit <= len(out)):
                break
            answer = self._call("GET", answer["next_page"])
        return out if limit is None or limit < 0 else out[:limit]

    def last_event_seq(self) -> int:
        newest = self._events({}, 1, None, False)
        return int(newest[0]["seq"]) if newest else 0


def _run(item: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    state = item.get("state") or {}
    run = {key: item.get(key) for key in keys}
    run.update(
        created=epoch(item.get("created")),
        state_type=item.get("state_type"),
        state_name=item.get("state_name"),
        state_message=state.get("message"),
        state_timestamp=epoch(state.get("timestamp")),
        start_time=epoch(item.get("start_time")),
        end_time=epoch(item.get("end_time")),
        run_count=item.get("run_count"),
        process_id=item.get("process_id"),
    )
    start, end = run["start_time"], run["end_time"]
    run["duration"] = end - start if start is not None and end is not None else None
    return run


def _flow_run(item: dict[str, Any]) -> dict[str, Any]:
    return _run(item, _FLOW_RUN_KEYS)


def _task_run(item: dict[str, Any]) -> dict[str, Any]:
    item = dict(item)
    item["task_inputs"] = {
        name: [i["id"] for i in inputs] for name, inputs in (item.get("task_inputs") or {}).items()
    }
    return _run(item, _TASK_RUN_KEYS)


def _event(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": item["seq"], "id": item["id"], "event": item["event"],
        "occurred": epoch(item["occurred"]), "resource": item.get("resource"),
        "payload": item.get("payload"), "related": item.get("related"),
        "follows": item.get("follows"),
    }  # fmt: skip
