"""Connectors inside flows and tasks: loaded by name in a task, passed to tasks as arguments
(threads and other processes: a copy opens its own engine), async tasks; no password in run logs."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from headwater import flow, task, unmapped
from headwater.task_runners import ProcessPoolTaskRunner
from headwater_sqlalchemy import AsyncSqlAlchemyConnector, SqlAlchemyConnector


@task
def count_rows(block_name: str) -> int:
    with SqlAlchemyConnector.load(block_name) as db:
        return int(db.fetch_one("SELECT count(*) FROM t")[0])


@task
def insert(db: SqlAlchemyConnector, n: int) -> int:
    db.execute("INSERT INTO t (n) VALUES (:n)", {"n": n})
    return n


@task
async def async_total(url: str) -> int:
    async with AsyncSqlAlchemyConnector(connection_info=url) as db:
        return int((await db.fetch_one("SELECT sum(n) FROM t"))[0])


def _prepare(url: str) -> SqlAlchemyConnector:
    db = SqlAlchemyConnector(connection_info=url)
    db.execute("CREATE TABLE t (n INTEGER)")
    return db


def test_in_a_flow_with_threads(postgres, pg_database, caplog) -> None:
    url = postgres.url(pg_database)
    db = _prepare(url)
    db.save("warehouse")

    @flow
    def load_and_count() -> int:
        futures = insert.map(unmapped(db), [1, 2, 3, 4])
        futures.wait()
        return count_rows("warehouse")

    with caplog.at_level(logging.DEBUG):
        assert load_and_count() == 4
    db.close()
    assert postgres.password not in caplog.text


def test_passed_to_another_process(sqlite_url: str, tmp_path: Path) -> None:
    db = _prepare(sqlite_url)
    db.fetch_one("SELECT count(*) FROM t")  # live engine and cursor: they must not travel

    @flow(task_runner=ProcessPoolTaskRunner(max_workers=2))
    def in_processes() -> list[int]:
        return [f.result() for f in insert.map(unmapped(db), [5, 6, 7])]

    assert sorted(in_processes()) == [5, 6, 7]
    db.reset_connections()
    assert db.fetch_all("SELECT n FROM t ORDER BY n") == [(5,), (6,), (7,)]
    db.close()


def test_async_task(sqlite_url: str) -> None:
    db = _prepare(sqlite_url)
    db.execute_many("INSERT INTO t (n) VALUES (:n)", [{"n": i} for i in range(10)])
    db.close()

    @flow
    async def total() -> int:
        return await async_total(sqlite_url.replace("sqlite:", "sqlite+aiosqlite:"))

    assert asyncio.run(total()) == 45
