"""Flow parameters: binding errors name the flow and the fix; invalid values end the run
Failed (returned with return_state=True, as Prefect's flow engine does)."""

from __future__ import annotations

import pytest
from headwater import flow
from headwater.exceptions import ParameterBindError, ParameterTypeError

from .helpers import recorded_flow_run


@flow
def scale(n: int, factor: float = 2.0) -> float:
    return n * factor


def test_misspelt_keyword_names_the_flow_the_keyword_and_a_close_match() -> None:
    with pytest.raises(ParameterBindError) as info:
        scale(nn=1)  # type: ignore[call-arg]
    message = str(info.value)
    assert "'scale'" in message
    assert "'nn' (did you mean 'n'?)" in message
    assert "It accepts (n, factor=2.0)" in message
    assert isinstance(info.value, TypeError)  # ported `except TypeError` still works


def test_binding_errors_do_not_show_argument_values() -> None:
    with pytest.raises(ParameterBindError) as info:
        scale(1, 2.0, "s3cr3t-token")  # type: ignore[call-arg]
    assert "s3cr3t-token" not in str(info.value)
    assert "too many positional arguments" in str(info.value)


def test_invalid_parameters_with_return_state_return_the_failed_state() -> None:
    state = scale("not a number", return_state=True)  # type: ignore[arg-type]
    assert state.is_failed()
    assert state.message.startswith("Validation of flow parameters failed with error:")
    assert isinstance(state.data, ParameterTypeError)
    assert recorded_flow_run(state)["state_type"] == "FAILED"


def test_invalid_parameters_without_return_state_raise() -> None:
    with pytest.raises(ParameterTypeError, match="n"):
        scale("not a number")  # type: ignore[arg-type]


def test_invalid_parameters_run_the_failure_hooks() -> None:
    seen: list[str] = []

    @flow(on_failure=[lambda f, run, state: seen.append(state.message)])
    def typed(n: int) -> int:
        return n

    typed("x", return_state=True)  # type: ignore[arg-type]
    assert seen and "Validation of flow parameters failed" in seen[0]
