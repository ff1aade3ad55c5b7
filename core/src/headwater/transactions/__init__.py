"""Transactions (Prefect's `prefect.transactions`): work that commits or rolls back as one.

    with transaction(key="load-2024-06") as txn:
        if txn.is_committed():
            return            # done by an earlier run
        load(extract())       # task runs join the transaction

See docs/transactions.md. `base` holds the state and the commit / rollback
procedures, `sync` and `asynchronous` the `with` and `async with` forms,
`records` the committed record of a keyed transaction.
"""

from headwater.utilities.lazy import lazy_exports

__all__ = [
    "AsyncTransaction",
    "BaseTransaction",
    "CommitMode",
    "IsolationLevel",
    "Transaction",
    "TransactionState",
    "atransaction",
    "get_transaction",
    "transaction",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater.transactions.asynchronous import AsyncTransaction, atransaction
    from headwater.transactions.base import (
        BaseTransaction,
        CommitMode,
        IsolationLevel,
        TransactionState,
        get_transaction,
    )
    from headwater.transactions.sync import Transaction, transaction
else:  # loaded on first use: the task engine needs only base and sync
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "AsyncTransaction": "headwater.transactions.asynchronous",
            "atransaction": "headwater.transactions.asynchronous",
            "BaseTransaction": "headwater.transactions.base",
            "CommitMode": "headwater.transactions.base",
            "IsolationLevel": "headwater.transactions.base",
            "TransactionState": "headwater.transactions.base",
            "get_transaction": "headwater.transactions.base",
            "Transaction": "headwater.transactions.sync",
            "transaction": "headwater.transactions.sync",
        },
    )
