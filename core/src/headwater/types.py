"""Prefect's `prefect.types` path for the secret field types."""

from pydantic import SecretStr

from headwater.blocks.fields import SecretDict

__all__ = ["SecretDict", "SecretStr"]
