"""The transaction object on its own: values, states, commit modes, nesting, contexts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from headwater.transactions import (
    AsyncTransaction,
    CommitMode,
    IsolationLevel,
    Transaction,
    TransactionState,
    atransaction,
    get_transaction,
    transaction,
)


def test_top_level_export_is_the_same_class() -> None:
    from headwater import Transaction as Exported

    assert Exported is Transaction


def test_prefect_names_resolve_at_the_renamed_paths() -> None:
    import headwater.transactions as module
    from headwater.exceptions import ConfigurationError

    names = ["Transaction", "AsyncTransaction", "BaseTransaction", "CommitMode",
             "IsolationLevel", "TransactionState", "get_transaction", "transaction",
             "atransaction"]  # fmt: skip
    assert [n for n in names if not hasattr(module, n)] == []
    assert issubclass(ConfigurationError, Exception)
    assert IsolationLevel("SERIALIZABLE") is IsolationLevel.SERIALIZABLE
    assert CommitMode("LAZY") is CommitMode.LAZY


def test_values_are_copies_and_fall_back_to_the_parent() -> None:
    with transaction() as parent:
        parent.set("items", [1, 2, 3])
        parent.set("shadowed", "parent")
        with transaction() as child:
            child.set("shadowed", "child")
            assert child.get("items") == [1, 2, 3]
            assert child.get("shadowed") == "child"
            assert child.get_parent() is parent
            assert get_transaction() is child
        got = parent.get("items")
        got.append(4)
        assert parent.get("items") == [1, 2, 3]  # changed only through set()
        assert parent.get("missing", None) is None
        with pytest.raises(ValueError, match=r"unknown key: 'missing'.*txn.set"):
            parent.get("missing")
    assert get_transaction() is None


def test_lazy_commits_at_the_outermost_exit_and_children_with_it() -> None:
    order: list[str] = []
    with transaction() as outer:
        with transaction() as inner:
            inner.stage("v", on_commit_hooks=[lambda t: order.append("inner")])
            assert inner.is_staged()
        assert not inner.is_committed()  # the parent takes responsibility
        assert outer.is_active() and outer.children == [inner]
        outer.stage(None, on_commit_hooks=[lambda t: order.append("outer")])
    assert outer.is_committed() and inner.is_committed()
    assert order == ["inner", "outer"]  # children first


def test_eager_commits_at_its_own_exit_and_off_rolls_back() -> None:
    with transaction() as outer:
        with transaction(commit_mode=CommitMode.EAGER) as eager:
            pass
        assert eager.is_committed()
    rolled: list[Any] = []
    with transaction(commit_mode=CommitMode.OFF) as off:
        off.stage(1, on_rollback_hooks=[rolled.append])
    assert off.is_rolled_back() and rolled == [off]
    assert outer.commit_mode is CommitMode.LAZY
    assert outer.isolation_level is IsolationLevel.READ_COMMITTED


def test_exception_rolls_back_newest_first_and_resets_the_context() -> None:
    order: list[str] = []
    with pytest.raises(RuntimeError, match="boom"):
        with transaction() as outer:
            for name in ("a", "b"):
                with transaction() as child:
                    child.stage(name, on_rollback_hooks=[lambda t, n=name: order.append(n)])
            raise RuntimeError("boom")
    assert outer.state is TransactionState.ROLLED_BACK
    assert order == ["b", "a"]
    assert get_transaction() is None


def test_keyboard_interrupt_rolls_back_and_leaves_no_context() -> None:
    hooks: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        with transaction() as txn:
            txn.stage(1, on_rollback_hooks=[lambda t: hooks.append("undo")])
            raise KeyboardInterrupt
    assert txn.is_rolled_back() and hooks == ["undo"]
    assert get_transaction() is None


def test_a_failing_commit_hook_rolls_back(caplog: pytest.LogCaptureFixture) -> None:
    hooks: list[str] = []

    def broken(txn: Transaction) -> None:
        raise OSError("disk gone")

    with transaction() as txn:
        txn.stage(1, on_commit_hooks=[broken], on_rollback_hooks=[lambda t: hooks.append("rb")])
    assert txn.is_rolled_back() and hooks == ["rb"]
    assert "error was encountered while committing" in caplog.text


def test_child_rolled_back_rolls_back_its_parent() -> None:
    with transaction() as outer:
        with transaction(commit_mode=CommitMode.OFF):
            pass  # a child leaves the decision to its parent
        assert outer.is_active()
        with transaction() as child:
            assert child.rollback()
        assert outer.is_rolled_back()
    assert not outer.is_committed()


def test_a_transaction_enters_once() -> None:
    txn = Transaction()
    with txn:
        with pytest.raises(RuntimeError, match="already entered"):
            txn.__enter__()


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        Transaction(key="")


def test_async_transaction_mirrors_the_sync_one(tmp_path: Path) -> None:
    events: list[str] = []

    async def async_hook(txn: AsyncTransaction) -> None:
        events.append(f"async {txn.get('who')}")

    async def main() -> tuple[bool, bool]:
        async with atransaction(key="async-key") as txn:
            txn.set("who", "me")
            txn.stage("v", on_commit_hooks=[async_hook, lambda t: events.append("sync")])
            assert get_transaction() is txn
        async with atransaction(key="async-key") as again:
            pass
        assert (await again.read()).result == "v"
        return txn.is_committed(), again.is_committed()

    assert asyncio.run(main()) == (True, True)
    assert events == ["async me", "sync"]
    assert get_transaction() is None


def test_async_transaction_refuses_plain_with() -> None:
    with pytest.raises(NotImplementedError, match="async with"):
        with AsyncTransaction():
            pass


def test_async_rollback_on_exception() -> None:
    undone: list[str] = []

    async def main() -> AsyncTransaction:
        with pytest.raises(ValueError):
            async with atransaction() as txn:
                txn.stage(1, on_rollback_hooks=[lambda t: undone.append("x")])
                raise ValueError("no")
        return txn

    assert asyncio.run(main()).is_rolled_back() and undone == ["x"]


def test_an_unknown_isolation_level_or_commit_mode_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"isolation_level='serial'.*IsolationLevel.SERIALIZABLE"):
        with transaction(isolation_level="serial"):  # type: ignore[arg-type]
            pass  # pragma: no cover
    with pytest.raises(ValueError, match=r"commit_mode='later'.*CommitMode.LAZY"):
        Transaction(commit_mode="later")  # type: ignore[arg-type]
    assert get_transaction() is None
