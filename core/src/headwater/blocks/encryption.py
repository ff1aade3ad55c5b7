"""Encrypting secret block fields at rest with Fernet.

Prefect keeps its encryption key in the same database as the encrypted
blocks, so one dump exposes both. headwater keeps the key apart: the
`HEADWATER_ENCRYPTION_KEY` setting, or the file `HEADWATER_HOME/encryption.key`
created with mode 0600 on first use. Every encrypted value records a short
fingerprint of the key that wrote it, so a wrong key gives a precise error
instead of a generic "invalid token". Messages never include keys or values.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from headwater import settings
from headwater.blocks.errors import EncryptionKeyError

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

KEY_FILE = "encryption.key"
_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[Fernet, str]] = {}


def key_path() -> Path:
    return settings.home() / KEY_FILE


def fingerprint(key: bytes) -> str:
    """A short, non-reversible id of a key (stored beside each encrypted document)."""
    return hashlib.sha256(key.strip()).hexdigest()[:12]


def _make_fernet(key: bytes, source: str) -> Fernet:
    from cryptography.fernet import Fernet

    try:
        return Fernet(key.strip())
    except (ValueError, TypeError):
        raise EncryptionKeyError(
            f"The encryption key from {source} is not a valid Fernet key (32 url-safe "
            'base64-encoded bytes). Generate one with `python -c "from '
            'cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.'
        ) from None


def _read_key_file(path: Path) -> bytes | None:
    """The key file's bytes, None if there is none; a clear error if it cannot be a key file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise EncryptionKeyError(
            f"The encryption key path {path} is a directory, not a key file. If it holds "
            "nothing you need, remove it (a key file is created there on the first save of a "
            "secret); if your key is inside it, move that file to this path, or set "
            "HEADWATER_ENCRYPTION_KEY to the key."
        ) from None
    except PermissionError:
        raise EncryptionKeyError(
            f"The encryption key file {path} cannot be read by this user. Give this user "
            "read access to it (mode 0600, owned by the user running headwater), or set "
            "HEADWATER_ENCRYPTION_KEY to the key."
        ) from None


def _read_or_create_key(path: Path, may_create: bool) -> bytes:
    key = _read_key_file(path)
    if key is not None:
        return key
    if not may_create:
        raise EncryptionKeyError(
            f"The encryption key file {path} is missing, but saved blocks hold secrets "
            "encrypted with a key. Restore that file (or set HEADWATER_ENCRYPTION_KEY to the "
            "key). The stored blocks are untouched."
        )
    from cryptography.fernet import Fernet

    key = Fernet.generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return _read_key_file(path) or key
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


def get_fernet(may_create: bool = True) -> tuple[Fernet, str]:
    """The Fernet for the current key and that key's fingerprint.

    `may_create=False` refuses to generate a new key file (used when encrypted
    documents already exist: a fresh key could never decrypt them).
    """
    env_key = settings.get("encryption_key")
    cache_key = ("env", env_key) if env_key else ("file", str(key_path()))
    with _lock:
        found = _cache.get(cache_key)
        if found is not None:
            if cache_key[0] == "env" or key_path().exists():
                return found
            _cache.pop(cache_key, None)
        if env_key:
            key = env_key.encode()
            fernet = _make_fernet(key, "HEADWATER_ENCRYPTION_KEY")
        else:
            key = _read_or_create_key(key_path(), may_create)
            fernet = _make_fernet(key, str(key_path()))
        result = (fernet, fingerprint(key))
        _cache[cache_key] = result
        return result


class Encryptor:
    """Encrypts the secrets of one save, with the key the store already uses.

    `stored_key_ids` are the fingerprints of the keys that wrote the saved
    documents. Writing with any other key would leave a store that no single
    key can read, so it is refused before anything is written. The key is
    only looked up when the first secret is met: a block without secrets
    saves without one.
    """

    def __init__(self, stored_key_ids: set[str], where: str) -> None:
        self.stored_key_ids = stored_key_ids
        self.where = where
        self.key_id: str | None = None
        self._fernet: Fernet | None = None

    def encrypt(self, plaintext: bytes) -> str:
        if self._fernet is None:
            fernet, fp = get_fernet(may_create=not self.stored_key_ids)
            if self.stored_key_ids and fp not in self.stored_key_ids:
                stored = ", ".join(sorted(self.stored_key_ids))
                raise EncryptionKeyError(
                    f"Cannot save {self.where}: the saved blocks' secrets were encrypted with "
                    f"key {stored}, but the current key is {fp} (from {_source()}). "
                    f"Use the key they were saved with ({_fix()}); secrets written with two "
                    "keys could not all be read with either. Nothing was saved; the stored "
                    "blocks are untouched."
                )
            self._fernet, self.key_id = fernet, fp
        return self._fernet.encrypt(plaintext).decode("ascii")


def decrypt(token: str, key_id: str | None, where: str) -> bytes:
    """The plaintext of `token`; `where` names the block and field for the error message."""
    from cryptography.fernet import InvalidToken

    fernet, fp = get_fernet(may_create=False)
    if key_id and key_id != fp:
        raise EncryptionKeyError(
            f"Cannot decrypt {where}: it was encrypted with key {key_id}, but the current key "
            f"is {fp} (from {_source()}). Use the key it was saved with ({_fix()}). The "
            "stored block is untouched."
        )
    try:
        return fernet.decrypt(token.encode("ascii"))
    except InvalidToken:
        raise EncryptionKeyError(
            f"Cannot decrypt {where} with the current key (from {_source()}): wrong key or "
            f"corrupted data. Use the key it was saved with ({_fix()}). The stored block is "
            "untouched."
        ) from None


def _source() -> str:
    return "HEADWATER_ENCRYPTION_KEY" if settings.get("encryption_key") else str(key_path())


def _fix() -> str:
    """How to put the right key in place, for the source in use."""
    if settings.get("encryption_key"):
        return f"set HEADWATER_ENCRYPTION_KEY to it, or unset it to use the key file {key_path()}"
    return f"restore it to {key_path()}, or set HEADWATER_ENCRYPTION_KEY to it"
