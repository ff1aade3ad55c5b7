"""`POST /api/automations/filter` takes Prefect's `automations` filter (name, created, tags,
operator) and `sort`; the client's `read_by_name` lets the server do the narrowing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from hw_services import Service
from server_process import headwater_server

API_KEY = "sentinel-automation-filter-key-2b9d"
HEADERS = {"Authorization": f"Bearer {API_KEY}"}
INJECTION = "x'); DROP TABLE automations; --"
#: (name, tags), saved in this order
SAVED = [
    ("alpha", ["nightly"]),
    ("beta", []),
    ("alpha", ["nightly", "ops"]),
    ("gamma", ["ops"]),
    (INJECTION, []),
    ("%", []),
]


def _spec(name: str, tags: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "tags": tags,
        "trigger": {"type": "event", "expect": ["data.loaded"]},
        "actions": [{"type": "do-nothing"}],
    }


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, list[str]]]:
    """A server holding SAVED; yields it and their ids in that order."""
    home = tmp_path_factory.mktemp("automation-filter-home")
    env = {"HEADWATER_SERVER_API_KEY": API_KEY}
    with headwater_server(home, tmp_path_factory.mktemp("logs"), env) as (service, _):
        ids = []
        for name, tags in SAVED:
            made = httpx.post(
                f"{service.url}/api/automations/", json=_spec(name, tags), headers=HEADERS
            )
            assert made.status_code == 201, made.text
            ids.append(made.json()["id"])
            time.sleep(0.01)  # distinct `created` times
        yield service, ids


def _filter(service: Service, body: Any) -> httpx.Response:
    return httpx.post(f"{service.url}/api/automations/filter", json=body, headers=HEADERS)


def _ids(service: Service, body: Any) -> list[str]:
    answer = _filter(service, body)
    assert answer.status_code == 200, answer.text
    return [a["id"] for a in answer.json()]


def test_the_name_filter_answers_only_those_names_oldest_first(
    saved: tuple[Service, list[str]],
) -> None:
    service, ids = saved
    alpha = {"automations": {"name": {"any_": ["alpha"]}}}
    assert _ids(service, alpha) == [ids[0], ids[2]]
    answer = _filter(service, alpha).json()[0]
    assert answer["name"] == "alpha" and answer["tags"] == ["nightly"]  # Prefect's shape
    assert {"created", "updated", "enabled", "trigger", "actions"} <= set(answer)
    both = {"automations": {"name": {"any_": ["gamma", "beta"]}}}
    assert _ids(service, both) == [ids[1], ids[3]]
    assert _ids(service, {"automations": {"name": {"any_": []}}}) == []
    assert _ids(service, {"automations": {"name": {"any_": ["nobody"]}}}) == []
    assert _ids(service, {"automations": {"name": {}}}) == ids  # no criterion: all
    assert _ids(service, {"automations": {"name": {"any_": ["alpha"]}}, "limit": 1}) == ids[:1]
    paged = {"automations": {"name": {"any_": ["alpha"]}}, "offset": 1}
    assert _ids(service, paged) == [ids[2]]


def test_names_are_compared_never_run(saved: tuple[Service, list[str]]) -> None:
    service, ids = saved
    assert _ids(service, {"automations": {"name": {"any_": [INJECTION]}}}) == [ids[4]]
    assert _ids(service, {"automations": {"name": {"any_": ["%"]}}}) == [ids[5]]  # not LIKE
    assert _ids(service, {"automations": {"name": {"any_": ["ALPHA"]}}}) == []  # exact
    assert _ids(service, {}) == ids  # the table is still there, every row in it


def test_prefects_other_criteria_and_sorts(saved: tuple[Service, list[str]]) -> None:
    service, ids = saved
    # what Prefect's client sends from read_automations_by_name (model_dump of its filter)
    prefect_body = {
        "sort": "UPDATED_DESC",
        "automations": {
            "operator": "and_", "name": {"any_": ["alpha"]}, "created": None, "tags": None,
        },
    }  # fmt: skip
    assert _ids(service, prefect_body) == [ids[2], ids[0]]
    ops = {"automations": {"tags": {"any_": ["ops"]}}}
    assert _ids(service, ops) == [ids[2], ids[3]]
    both_tags = {"automations": {"tags": {"all_": ["nightly", "ops"]}}}
    assert _ids(service, both_tags) == [ids[2]]
    untagged = {"automations": {"tags": {"is_null_": True}}}
    assert _ids(service, untagged) == [ids[1], ids[4], ids[5]]
    either = {"automations": {"operator": "or_", "name": {"any_": ["beta"]},
                              "tags": {"any_": ["ops"]}}}  # fmt: skip
    assert _ids(service, either) == [ids[1], ids[2], ids[3]]
    created = [datetime.fromisoformat(a["created"]) for a in _filter(service, {}).json()]
    between = created[0] + (created[1] - created[0]) / 2
    before = {"automations": {"created": {"before_": between.isoformat()}}}
    assert _ids(service, before) == ids[:1]
    long_ago = datetime(2000, 1, 1, tzinfo=timezone.utc).isoformat()
    assert _ids(service, {"automations": {"created": {"before_": long_ago}}}) == []
    by_name = [a["name"] for a in _filter(service, {"sort": "NAME_DESC"}).json()]
    assert by_name == sorted((n for n, _ in SAVED), reverse=True)
    assert _ids(service, {"sort": "CREATED_DESC"}) == ids[::-1]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"automations": {"name": {"any_": "alpha"}}}, "any_"),
        ({"automations": {"name": {"any_": [1, 2]}}}, "any_"),
        ({"automations": {"name": "alpha"}}, "name"),
        ({"automations": {"name": {"like_": "al"}}}, "like_"),
        ({"automations": {"nme": {"any_": ["alpha"]}}}, "nme"),
        ({"automations": {"operator": "xor_"}}, "operator"),
        ({"automations": {"created": {"before_": "yesterday"}}}, "before_"),
        ({"automations": {"tags": {"all_": {"a": 1}}}}, "all_"),
        ({"automations": ["alpha"]}, "automations"),
        ({"sort": "NEWEST"}, "sort"),
        ({"limit": 201}, "limit"),
    ],
)
def test_a_malformed_filter_is_a_422_naming_the_field(
    saved: tuple[Service, list[str]], body: Any, named: str
) -> None:
    service, _ = saved
    answer = _filter(service, body)
    assert answer.status_code == 422, answer.text
    assert named in answer.text


def test_read_by_name_gets_only_the_named_automations_from_the_server(
    saved: tuple[Service, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from headwater.automations.storage import definitions
    from headwater.utilities.api_client import ApiClient

    service, ids = saved
    monkeypatch.setenv("HEADWATER_API_URL", f"{service.url}/api")
    monkeypatch.setenv("HEADWATER_API_KEY", API_KEY)
    answered: list[Any] = []
    request = ApiClient.request

    def recording(self: ApiClient, method: str, path: str, **kwargs: Any) -> Any:
        answer = request(self, method, path, **kwargs)
        answered.append(answer)
        return answer

    monkeypatch.setattr(ApiClient, "request", recording)
    storage = definitions()
    found = storage.read_by_name("alpha")
    assert [row["id"] for row in found] == [ids[0], ids[2]]  # created order, as before
    assert [row["spec"]["tags"] for row in found] == [["nightly"], ["nightly", "ops"]]
    assert found[0]["created"] < found[1]["created"]
    # the server sent only those two: the narrowing happened there
    assert [[item["name"] for item in page] for page in answered] == [["alpha", "alpha"]]
    assert [row["id"] for row in storage.read_by_name(INJECTION)] == [ids[4]]
    assert storage.read_by_name("nobody") == []
    assert [row["id"] for row in storage.list()] == ids
