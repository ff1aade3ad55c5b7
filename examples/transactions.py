"""Transactions: roll back side effects when a later step fails, and run a keyed
block once, however many times (or in how many processes at once) the flow runs.

    python examples/transactions.py          # the draft is rolled back, the report written
    python examples/transactions.py          # again: "already published"
"""

from pathlib import Path

from headwater import flow, task
from headwater.locking.filesystem import FileSystemLockManager
from headwater.settings import HEADWATER_HOME
from headwater.transactions import IsolationLevel, transaction


@task
def write_report(path: str, lines: list[str]) -> int:
    Path(path).write_text("\n".join(lines) + "\n")
    return len(lines)


@write_report.on_rollback
def remove_report(txn) -> None:
    path = Path(txn.get("path"))  # set on the flow's transaction, read from the task's
    path.unlink(missing_ok=True)
    print(f"rolled back: removed {path}")


@write_report.on_commit
def announce(txn) -> None:
    print(f"committed: {txn.get('path')} is final")


@task
def check_report(path: str, minimum: int) -> None:
    if len(Path(path).read_text().splitlines()) < minimum:
        raise ValueError(f"{path} has fewer than {minimum} lines")


@flow
def publish(key: str, lines: list[str]) -> str:
    with transaction(
        key=key,
        isolation_level=IsolationLevel.SERIALIZABLE,  # concurrent runs take turns
        lock_manager=FileSystemLockManager(HEADWATER_HOME.value() / "locks"),
    ) as txn:
        if txn.is_committed():
            return f"{key}: already published"
        path = f"{key}.txt"
        txn.set("path", path)
        write_report(path, lines)
        check_report(path, minimum=2)
    return f"{key}: published {len(lines)} lines"


if __name__ == "__main__":
    try:
        publish("report-draft", ["only one line"])
    except ValueError as exc:
        print(f"draft refused: {exc}; file left behind: {Path('report-draft.txt').exists()}")
    print(publish("report-2024-06", ["total: 42", "errors: 0"]))
