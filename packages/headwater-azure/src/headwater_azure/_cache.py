"""A slot for a per-process SDK object (client, credential) kept on a block.

SDK clients hold sockets, locks and threads: they cannot be pickled or
deep-copied, and must not cross a fork. A block that is sent to a worker or
copied gets an empty slot and makes its own client there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from typing import Any


class ClientSlot:
    """Holds one object made by `make()`, remade when `key` or the process changes."""

    def __init__(self) -> None:
        self._key: Any = None
        self.value: Any = None

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        full = (os.getpid(), key)
        if self._key != full or self.value is None:
            self.value = make()
            self._key = full
        return self.value

    def take(self) -> Any:
        """Empty the slot and return what it held (to close it)."""
        value, self.value, self._key = self.value, None, None
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (ClientSlot, ())

    def __deepcopy__(self, memo: dict[int, Any]) -> ClientSlot:
        return ClientSlot()
