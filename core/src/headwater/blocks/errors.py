"""Errors raised by blocks, each saying what went wrong and how to fix it.

They subclass ValueError / RuntimeError as Prefect's do, so code written
against Prefect's `except ValueError:` keeps working.
"""

from __future__ import annotations


class BlockNotFoundError(ValueError):
    """No saved block with that type slug and name (the message lists what exists)."""


class BlockExistsError(ValueError):
    """A block of that type is already saved under that name (use `overwrite=True`)."""


class BlockTypeNotFoundError(ValueError):
    """No block class is known for a slug (not registered, not imported)."""


class EncryptionKeyError(RuntimeError):
    """The key needed to read or write encrypted block fields is missing or wrong.

    The message never contains a key or a secret value.
    """


class InvalidBlockRegistration(ValueError):
    """`register_type_and_schema` was called on `Block` itself or on an abstract kind."""


class BlockStorageError(OSError):
    """Where blocks are saved cannot be reached or refused the call (a server's URL or key).

    The message names the server and the fix; never an API key or a secret value.
    """
