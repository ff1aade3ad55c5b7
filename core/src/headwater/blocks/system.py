"""`Secret`: one secret value (a string, or any JSON value), encrypted at rest.

Secret(value="hunter2").save("db-password")
Secret.load("db-password").get()  # "hunter2"
"""

from __future__ import annotations

from typing import Any, Union

import pydantic
from pydantic import Field, SecretStr, field_validator

from headwater.blocks.core import Block

__all__ = ["Secret"]


class Secret(Block):
    """A secret value: a string or any JSON value (list, dict, number). Never shown in clear."""

    _block_type_name = "Secret"
    _documentation_url = "https://docs.headwater.dev/blocks/#secret"
    _code_example = """
        from headwater.blocks.system import Secret

        Secret(value="sk-my-token").save("api-token")
        token = Secret.load("api-token").get()
    """

    value: Union[SecretStr, pydantic.Secret[Any]] = Field(
        description="The secret: a string or any JSON-serialisable value."
    )

    @field_validator("value", mode="before")
    @classmethod
    def _wrap(cls, value: Any) -> Any:
        if isinstance(value, (SecretStr, pydantic.Secret)):
            return value
        if isinstance(value, str):
            return SecretStr(value)
        return pydantic.Secret(value)

    def get(self) -> Any:
        """The secret's value, in clear."""
        return self.value.get_secret_value()
