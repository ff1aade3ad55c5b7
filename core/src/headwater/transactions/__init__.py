"""Transactions (Prefect's `prefect.transactions`): work that commits or rolls back as one.

    with transaction(key="load-2024-06") as txn:
        if txn.is_committed():
            return            # done by an earlier run
        load(extract())       # task runs join the transaction

See docs/transactions.md. `base` holds the state and the commit / rollback
procedures, `sync` and `asynchronous` the `with` and `async with` forms,
`records` the committed record of a keyed transaction.
"""

from headwater.transactions.asynchronous import AsyncTransaction, atransaction
from headwater.transactions.base import (
    BaseTransaction,
    CommitMode,
    IsolationLevel,
    TransactionState,
    get_transaction,
)
from headwater.transactions.sync import Transaction, transaction

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
