"""Locks on keys (Prefect's `prefect.locking`): one holder per key at a time.

`MemoryLockManager` serves the threads of one process; `FileSystemLockManager`
serves every process that shares a directory. Both follow the `LockManager`
protocol: `acquire_lock(key, holder, acquire_timeout=None, hold_timeout=None)`,
`release_lock`, `is_locked`, `is_lock_holder`, `wait_for_lock` and async twins.
Transactions build on them to keep two runs from computing the same record.
"""

from headwater.locking.filesystem import FileSystemLockManager
from headwater.locking.memory import MemoryLockManager
from headwater.locking.protocol import LockManager

__all__ = ["FileSystemLockManager", "LockManager", "MemoryLockManager"]
