"""Cache policy algebra and stable hashing (no engine)."""

from __future__ import annotations

import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest
from headwater.cache_policies import (
    DEFAULT,
    FLOW_PARAMETERS,
    INPUTS,
    NO_CACHE,
    NONE,
    RUN_ID,
    TASK_SOURCE,
    CacheKeyFnPolicy,
    CachePolicy,
    CompoundCachePolicy,
    Inputs,
)
from headwater.caching.input_hashing import hash_objects
from headwater.caching.policies import UnhashableInputsError


def _ctx(flow_run_id: str | None = "fr-1") -> SimpleNamespace:
    def fn(x: int) -> int:
        return x

    return SimpleNamespace(
        task=SimpleNamespace(fn=fn), task_run=SimpleNamespace(id="tr-1", flow_run_id=flow_run_id)
    )


def test_names_and_composition() -> None:
    assert NONE is NO_CACHE
    assert isinstance(DEFAULT, CompoundCachePolicy)
    assert [type(p).__name__ for p in DEFAULT.policies] == ["Inputs", "TaskSource", "RunId"]
    assert INPUTS + NO_CACHE == INPUTS and NO_CACHE + INPUTS == INPUTS
    combined = INPUTS + TASK_SOURCE + FLOW_PARAMETERS
    assert len(combined.policies) == 3


def test_subtraction_on_inputs_and_compound() -> None:
    assert (INPUTS - "client").exclude == ["client"]
    assert (INPUTS - "a" - "b").exclude == ["a", "b"]
    sub = DEFAULT - "self"  # PrefectHQ/prefect#16773
    assert isinstance(sub, CompoundCachePolicy)
    assert sub.policies[0] == Inputs(exclude=["self"])
    assert TASK_SOURCE - "x" == TASK_SOURCE
    ctx = _ctx()
    a = (DEFAULT - "client").compute_key(ctx, {"x": 1, "client": threading.Lock()}, {})
    b = (DEFAULT - "client").compute_key(ctx, {"x": 1, "client": object()}, {})
    assert a is not None and a == b


def test_inputs_key_depends_on_inputs() -> None:
    ctx = _ctx()
    assert INPUTS.compute_key(ctx, {"x": 1}, {}) == INPUTS.compute_key(ctx, {"x": 1}, {})
    assert INPUTS.compute_key(ctx, {"x": 1}, {}) != INPUTS.compute_key(ctx, {"x": 2}, {})


def test_run_id_and_flow_parameters() -> None:
    assert RUN_ID.compute_key(_ctx("a"), {}, {}) != RUN_ID.compute_key(_ctx("b"), {}, {})
    assert RUN_ID.compute_key(_ctx(None), {}, {}) == "tr-1"
    assert FLOW_PARAMETERS.compute_key(_ctx(), {}, {"p": 1}) != FLOW_PARAMETERS.compute_key(
        _ctx(), {}, {"p": 2}
    )


def test_unhashable_input_names_the_argument() -> None:
    with pytest.raises(UnhashableInputsError) as info:
        INPUTS.compute_key(_ctx(), {"x": 1, "lock": threading.Lock()}, {})
    assert info.value.names == ["lock"]


def test_compound_fails_closed() -> None:  # PrefectHQ/prefect#15861
    class Nothing(CachePolicy):
        def compute_key(self, task_ctx, inputs, flow_parameters, **kwargs):  # type: ignore[no-untyped-def]
            return None

    assert (INPUTS + Nothing()).compute_key(_ctx(), {"x": 1}, {}) is None
    with pytest.raises(UnhashableInputsError):
        (INPUTS + TASK_SOURCE).compute_key(_ctx(), {"lock": threading.Lock()}, {})


def test_from_cache_key_fn_and_configure(tmp_path) -> None:  # type: ignore[no-untyped-def]
    policy = CachePolicy.from_cache_key_fn(lambda ctx, args: f"k-{args['x']}")
    assert isinstance(policy, CacheKeyFnPolicy)
    assert policy.compute_key(_ctx(), {"x": 3}, {}) == "k-3"
    configured = INPUTS.configure(key_storage=str(tmp_path))
    assert configured.key_storage == str(tmp_path) and INPUTS.key_storage is None
    with pytest.raises(ValueError, match="key_storage"):
        INPUTS.configure(key_storage="/a") + TASK_SOURCE.configure(key_storage="/b")


def test_hash_objects_stable_across_processes() -> None:
    value = {"b": [1, 2.5, "x"], "a": {"nested": True}, "s": {3, 1, 2}}
    here = hash_objects("t", value)
    code = (
        "from headwater.caching.input_hashing import hash_objects\n"
        "print(hash_objects('t', {'s': {2, 3, 1}, 'a': {'nested': True}, 'b': [1, 2.5, 'x']}))"
    )
    there = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert here == there
    assert hash_objects(threading.Lock()) is None
    assert hash_objects(1) != hash_objects(2)
