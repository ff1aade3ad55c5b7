"""Field types for secrets in blocks.

`SecretStr` is pydantic's; `SecretDict` is a dict whose whole content is a
secret (service-account JSON, fsspec credentials). Prefect only hid fields
typed `SecretStr`, so dict settings leaked in the UI (PrefectHQ/prefect#7562);
here both kinds are masked in reprs, dumps and the CLI, and encrypted at rest.
"""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic import SecretBytes, SecretStr

__all__ = ["SecretBytes", "SecretDict", "SecretStr", "is_secret"]


class SecretDict(pydantic.Secret[dict[str, Any]]):
    """A dict of secret values: `get_secret_value()` returns the dict, reprs show `**********`."""

    def _display(self) -> str:
        return "**********"

    def __getitem__(self, key: str) -> Any:
        return self.get_secret_value()[key]


def is_secret(value: Any) -> bool:
    """True for any pydantic secret wrapper (SecretStr, SecretBytes, SecretDict, Secret[T])."""
    return isinstance(value, (SecretStr, SecretBytes, pydantic.Secret))
