"""A process's clients of a headwater server (blocks, automations, history reads) are
shared per process, server and key: a key fixed mid-session is used from the next call
on, and a forked child never reuses its parent's httpx client."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hw_services import Service
from server_process import headwater_server, record_runs

API_KEY = "sentinel-shared-client-key-5e0c"
WRONG_KEY = "sentinel-wrong-key-77a1"


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    home = tmp_path_factory.mktemp("shared-client-home")
    record_runs(home)  # some history to read
    env = {"HEADWATER_SERVER_API_KEY": API_KEY}
    with headwater_server(home, tmp_path_factory.mktemp("logs"), env) as (service, _):
        yield service


def _blocks() -> tuple[Any, Callable[[Any], Any]]:
    from headwater.blocks.documents import get_block_storage

    return get_block_storage(), lambda storage: storage.read_types()


def _automations() -> tuple[Any, Callable[[Any], Any]]:
    from headwater.automations.storage import definitions

    return definitions(), lambda storage: storage.list()


def _history() -> tuple[Any, Callable[[Any], Any]]:
    from headwater.history import api_history

    return api_history(), lambda history: history.read_flow_runs(limit=5)


CLIENTS = {"blocks": _blocks, "automations": _automations, "history": _history}


@pytest.fixture
def point_at(keyed_server: Service, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def point(key: str) -> None:
        monkeypatch.setenv("HEADWATER_API_URL", f"{keyed_server.url}/api")
        monkeypatch.setenv("HEADWATER_API_KEY", key)

    return point


@pytest.mark.parametrize("kind", sorted(CLIENTS))
def test_a_key_fixed_in_the_same_process_is_sent_from_the_next_call(
    kind: str, point_at: Callable[[str], None]
) -> None:
    point_at(WRONG_KEY)
    client, call = CLIENTS[kind]()
    with pytest.raises(Exception, match="refused the API key") as refused:
        call(client)
    assert WRONG_KEY not in str(refused.value) + repr(client)

    point_at(API_KEY)  # as `export HEADWATER_API_KEY=...` / a profile change would
    fixed, call = CLIENTS[kind]()
    assert fixed is not client
    assert isinstance(call(fixed), list)  # the server took the new key
    again, _ = CLIENTS[kind]()
    assert again is fixed  # and the client is kept while the key stays


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:.*fork\\(\\) may lead to deadlocks:DeprecationWarning")
@pytest.mark.parametrize("kind", sorted(CLIENTS))
def test_a_forked_child_makes_its_own_client(
    kind: str, point_at: Callable[[str], None], tmp_path: Path
) -> None:
    point_at(API_KEY)
    parent, call = CLIENTS[kind]()
    call(parent)  # the parent's keep-alive connection is open
    report = tmp_path / "child.txt"
    pid = os.fork()
    if pid == 0:  # the child: no assertion may escape into pytest's own machinery
        code = 1
        try:
            child, child_call = CLIENTS[kind]()
            answered = isinstance(child_call(child), list)
            again, _ = CLIENTS[kind]()
            report.write_text(f"{child is parent} {again is child} {answered}")
            code = 0
        finally:
            sys.stdout.flush()
            os._exit(code)
    deadline = time.monotonic() + 60
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung calling the server")
        time.sleep(0.01)
    assert os.waitstatus_to_exitcode(status) == 0
    assert report.read_text() == "False True True"  # a new client, kept, and it works
    assert isinstance(call(parent), list)  # the parent's client still works after the fork
    assert CLIENTS[kind]()[0] is parent


def test_the_shared_client_cache_never_holds_the_key() -> None:
    from headwater.utilities import api_client

    class Recorder:
        def __init__(self, url: str, key: str | None) -> None:
            self.url, self._key = url, key

    made = api_client.shared_client(Recorder, "http://example.invalid/api", API_KEY)
    assert made._key == API_KEY
    assert API_KEY not in repr(api_client._shared)


def test_threads_asking_at_once_share_one_client() -> None:
    import threading

    from headwater.utilities.api_client import shared_client

    made: list[object] = []

    class Slow:
        def __init__(self, url: str, key: str | None) -> None:
            time.sleep(0.05)  # a window for a second thread to make its own
            made.append(self)

    start = threading.Barrier(8)
    got: list[Slow] = []

    def ask() -> None:
        start.wait()
        got.append(shared_client(Slow, "http://example.invalid/api", API_KEY))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and all(client is made[0] for client in got) and len(got) == 8
