"""@task and @flow on instance methods, classmethods and staticmethods (as in Prefect 3)."""

from __future__ import annotations

import asyncio

import pytest
from headwater import flow, task


class Calculator:
    factor = 10

    def __init__(self, offset: int) -> None:
        self.offset = offset

    @task
    def add(self, x: int) -> int:
        return x + self.offset

    @task
    @classmethod
    def scale(cls, x: int) -> int:
        return x * cls.factor

    @task
    @staticmethod
    def double(x: int) -> int:
        return x * 2

    @task
    async def aadd(self, x: int) -> int:
        return x + self.offset

    @flow
    def run(self, x: int) -> int:
        return self.add(x) + self.scale(x) + self.double(x)

    @flow
    @classmethod
    def crun(cls, x: int) -> int:
        return cls.scale(x)

    @flow
    @staticmethod
    def srun(x: int) -> int:
        return x - 1


class Tenfold(Calculator):
    factor = 100


def test_instance_method_task_binds_self_and_records_only_real_parameters() -> None:
    calc = Calculator(offset=5)
    state = calc.add(1, return_state=True)
    assert state.result() == 6
    from headwater.history import get_store

    store = get_store()
    store.flush()
    run = store.read_task_run(state.state_details["task_run_id"])
    assert "self" not in (run.get("parameters") or {})


def test_each_instance_binds_its_own_self() -> None:
    a, b = Calculator(1), Calculator(100)
    assert (a.add(1), b.add(1), a.add(2)) == (2, 101, 3)


def test_classmethod_task_binds_the_class_it_is_called_on() -> None:
    assert Calculator.scale(2) == 20
    assert Tenfold.scale(2) == 200
    assert Calculator(0).scale(3) == 30


def test_staticmethod_task_takes_no_self() -> None:
    assert Calculator.double(4) == 8
    assert Calculator(0).double(4) == 8


def test_async_method_task() -> None:
    calc = Calculator(3)

    async def main() -> int:
        return await calc.aadd(1)

    assert asyncio.run(main()) == 4


def test_method_flows_all_three_kinds() -> None:
    assert Calculator(1).run(2) == 3 + 20 + 4
    assert Tenfold.crun(2) == 200
    assert Calculator.srun(5) == 4
    assert Calculator(0).srun(5) == 4


def test_submit_and_map_on_a_method_task() -> None:
    calc = Calculator(offset=7)

    @flow
    def driver() -> tuple[int, list[int], int]:
        fut = calc.add.submit(1)
        mapped = calc.add.map([1, 2])
        scaled = Calculator.scale.submit(3)
        return fut.result(), mapped.result(), scaled.result()

    assert driver() == (8, [8, 9], 30)


def test_wrong_arguments_to_a_method_task_fail_as_python_would() -> None:
    with pytest.raises(TypeError):
        Calculator(1).add(1, 2)


def test_with_options_in_a_class_body_keeps_the_method_kind() -> None:
    class Holder:
        factor = 3
        scale = Calculator.__dict__["scale"].with_options(name="scaled")
        add = Calculator.__dict__["add"].with_options(retries=1)
        offset = 4

    assert Holder.scale.name == "scaled"
    assert Holder.scale(2) == 6
    assert Holder().add(1) == 5


def test_with_options_on_a_bound_task_stays_bound() -> None:
    bound = Calculator(offset=1).add.with_options(name="add-one")
    assert bound(1) == 2
