"""Async twins, and Prefect's dispatch: in an async context `set/get/unset` return coroutines."""

from __future__ import annotations

import asyncio
import inspect

from headwater import flow, task
from headwater.variables import Variable


def test_async_twins():
    async def main():
        created = await Variable.aset("a_var", {"n": 1}, tags=["t"])
        assert (created.value, created.tags) == ({"n": 1}, ["t"])
        assert await Variable.aget("a_var") == {"n": 1}
        assert await Variable.aget("missing", default=5) == 5
        assert await Variable.aunset("a_var") is True
        assert await Variable.aunset("a_var") is False

    asyncio.run(main())
    assert Variable.get("a_var") is None


def test_sync_names_return_coroutines_inside_a_running_loop():
    async def main():
        pending = Variable.set("looped", 3)
        assert inspect.iscoroutine(pending)
        assert (await pending).value == 3
        got = Variable.get("looped")
        assert inspect.iscoroutine(got)
        assert await got == 3
        assert await Variable.unset("looped") is True

    asyncio.run(main())


def test_await_in_an_async_flow_as_prefect_documents():
    Variable.set("crew_members", ["Zaphod", "Arthur"])

    @flow
    async def crew_flow():
        crew = await Variable.get("crew_members", default=["Backup1", "Backup2"])
        await Variable.set("crew_size", len(crew), overwrite=True)
        return crew

    assert asyncio.run(crew_flow()) == ["Zaphod", "Arthur"]
    assert Variable.get("crew_size") == 2


def test_sync_task_inside_an_async_flow_gets_plain_values():
    Variable.set("threshold", 10)

    @task
    def read_threshold():
        return Variable.get("threshold")

    @flow
    async def outer():
        return read_threshold()

    assert asyncio.run(outer()) == 10


def test_async_task_inside_a_sync_flow_awaits():
    @task
    async def write():
        await Variable.set("from_async_task", "yes")
        return await Variable.get("from_async_task")

    @flow
    def outer():
        return write()

    assert outer() == "yes"


def test_sync_flow_gets_plain_values():
    @flow
    def outer():
        Variable.set("plain", 1)
        return Variable.get("plain"), Variable.unset("plain")

    assert outer() == (1, True)
