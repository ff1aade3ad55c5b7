"""`AzureBlobStorageContainer`: a container (and a folder in it) as a headwater file system.

Prefect's block (prefect_azure.blob_storage) with the same fields and methods,
usable as `result_storage`. Every path is joined to `base_folder` by
`headwater.blocks.object_keys.join_key`, so `..` or an absolute path cannot
reach outside the folder. Transfers stream: files and file objects go to the
SDK's chunked upload (staged blocks, committed in one call) and downloads are
read into the target chunk by chunk, so a 300 MB object never sits in memory.
A failed upload commits nothing (Azure keeps uncommitted blocks invisible), and
a failed download leaves no partial local file (written beside, then renamed).
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from headwater.blocks.abstract import ObjectStorageBlock
from headwater.blocks.filesystems import WritableDeploymentStorage, WritableFileSystem
from headwater.blocks.object_keys import join_key, local_files, relative_key
from pydantic import Field, PrivateAttr

from headwater_azure._cache import ClientSlot
from headwater_azure.credentials import AzureBlobStorageCredentials
from headwater_azure.errors import sdk_errors
from headwater_azure.tasks import blob_storage_download, blob_storage_list, blob_storage_upload

if TYPE_CHECKING:
    from azure.storage.blob import ContainerClient

__all__ = [
    "AzureBlobStorageContainer",
    "blob_storage_download",
    "blob_storage_list",
    "blob_storage_upload",
]

MiB = 1024 * 1024
# Bounded memory per transfer: at most MAX_CONCURRENCY chunks of 4 MiB in flight,
# and no single-shot request bigger than 8 MiB (the SDK's defaults are 64/32 MiB).
TRANSFER_OPTIONS = {
    "max_single_put_size": 8 * MiB,
    "max_block_size": 4 * MiB,
    "max_single_get_size": 8 * MiB,
    "max_chunk_get_size": 4 * MiB,
}
MAX_CONCURRENCY = 2


def _retry_policy() -> Any:
    """The SDK's exponential retry, tuned so that errors retrying cannot fix come back fast.

    An unreachable endpoint fails after one retry (~2 s, not the default ~80 s),
    throttling still backs off (2, 6, 18 s), and a failed sign-in (no token
    from azure-identity: nothing was sent) is not retried at all.
    """
    from azure.core.exceptions import ClientAuthenticationError
    from azure.storage.blob import ExponentialRetry

    class _Retry(ExponentialRetry):
        def increment(
            self, settings: Any, request: Any, response: Any = None, error: Any = None
        ) -> bool:
            if isinstance(error, ClientAuthenticationError) and error.response is None:
                return False
            return bool(super().increment(settings, request, response, error))

    return _Retry(initial_backoff=2, increment_base=4, retry_total=3, retry_connect=1)


class AzureBlobStorageContainer(ObjectStorageBlock, WritableFileSystem, WritableDeploymentStorage):
    """A container in Azure Blob Storage, optionally a folder in it, for files and results."""

    _block_type_name = "Azure Blob Storage Container"
    _documentation_url = "https://docs.headwater.dev/azure/"

    container_name: str = Field(description="The name of a Azure Blob Storage container.")
    credentials: AzureBlobStorageCredentials = Field(
        description="The credentials to use for authentication with Azure."
    )
    base_folder: str | None = Field(
        default=None,
        description=(
            "A base path to a folder within the container to use for reading and writing objects."
        ),
    )

    _client: ClientSlot = PrivateAttr(default_factory=ClientSlot)

    # --- plumbing -------------------------------------------------------------------
    @property
    def _where(self) -> str:
        return f"AzureBlobStorageContainer {self.container_name!r}"

    def _key(self, path: str | os.PathLike[str] | None) -> str:
        return join_key(self.base_folder, path, where=self._where)

    def _container_client(self) -> ContainerClient:
        def make() -> ContainerClient:
            return self.credentials.get_container_client(
                self.container_name, retry_policy=_retry_policy(), **TRANSFER_OPTIONS
            )

        return self._client.get((id(self.credentials), self.container_name), make)  # type: ignore[no-any-return]

    def _calling(self, action: str, blob: str | None) -> contextlib.AbstractContextManager[None]:
        """Turn the SDK's errors into ones naming this container and blob."""
        return sdk_errors(
            action, container=self.container_name, blob=blob, client=self._container_client()
        )

    def _download_to(self, key: str, target: Path, kwargs: dict[str, Any]) -> None:
        """Stream one blob into `target` via a temporary file beside it (no partial files)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file, self._calling("download", key):
                kwargs.setdefault("max_concurrency", MAX_CONCURRENCY)
                self._container_client().download_blob(key, **kwargs).readinto(file)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _open_local(self, path: Path, key: str) -> BinaryIO:
        try:
            return open(path, "rb")
        except FileNotFoundError:
            raise FileNotFoundError(
                f"No local file {str(path)!r} to upload to blob {key!r} of {self._where}; "
                "check from_path."
            ) from None
        except IsADirectoryError:
            raise IsADirectoryError(
                f"{str(path)!r} is a folder, not a file; use upload_from_folder to upload it."
            ) from None

    def _upload_file(self, file: BinaryIO, key: str, kwargs: dict[str, Any]) -> None:
        with self._calling("upload", key):
            kwargs.setdefault("max_concurrency", MAX_CONCURRENCY)
            with contextlib.suppress(OSError, AttributeError, ValueError):
                kwargs.setdefault("length", os.fstat(file.fileno()).st_size - file.tell())
            self._container_client().upload_blob(key, file, **kwargs)

    # --- WritableFileSystem (result storage) ----------------------------------------
    def read_path(self, path: str) -> bytes:
        """The whole content of the blob at `path` (under base_folder)."""
        key = self._key(path)
        with self._calling("read", key):
            return self._container_client().download_blob(key).readall()

    def write_path(self, path: str, content: bytes) -> str:
        """Write `content` to the blob at `path`, replacing it; returns the blob name."""
        key = self._key(path)
        with self._calling("write", key):
            self._container_client().upload_blob(key, content, overwrite=True)
        return key

    # --- ObjectStorageBlock -----------------------------------------------------------
    def download_object_to_path(
        self, from_path: str, to_path: str | Path, **download_kwargs: Any
    ) -> Path:
        """Stream the blob at `from_path` into the local file `to_path`."""
        target = Path(to_path).expanduser()
        self._download_to(self._key(from_path), target, download_kwargs)
        return target

    def download_object_to_file_object(
        self, from_path: str, to_file_object: BinaryIO, **download_kwargs: Any
    ) -> BinaryIO:
        """Stream the blob at `from_path` into an open binary file object."""
        key = self._key(from_path)
        with self._calling("download", key):
            download_kwargs.setdefault("max_concurrency", MAX_CONCURRENCY)
            self._container_client().download_blob(key, **download_kwargs).readinto(to_file_object)
        return to_file_object

    def download_folder_to_path(
        self, from_folder: str | None, to_folder: str | Path, **download_kwargs: Any
    ) -> Path:
        """Download every blob under `from_folder` into `to_folder`, keeping sub-folders."""
        prefix = self._key(from_folder).rstrip("/")
        target = Path(to_folder).expanduser()
        target.mkdir(parents=True, exist_ok=True)
        for name in self._names(prefix):
            # A blob named "x/../../etc" must not write outside to_folder.
            inside = join_key(
                None, relative_key(prefix, name), where=f"blob {name!r} of {self._where}"
            )
            if inside:
                self._download_to(name, target / inside, dict(download_kwargs))
        return target

    def upload_from_path(
        self, from_path: str | Path, to_path: str | None = None, **upload_kwargs: Any
    ) -> str:
        """Stream the local file `from_path` to `to_path` (default: its file name).

        As in Prefect, an existing blob is kept unless `overwrite=True` is passed.
        """
        source = Path(from_path).expanduser()
        key = self._key(source.name if to_path is None else to_path)
        with self._open_local(source, key) as file:
            self._upload_file(file, key, upload_kwargs)
        return key

    def upload_from_file_object(
        self, from_file_object: BinaryIO, to_path: str, **upload_kwargs: Any
    ) -> str:
        """Stream an open binary file object (from its current position) to `to_path`."""
        key = self._key(to_path)
        self._upload_file(from_file_object, key, upload_kwargs)
        return key

    def upload_from_folder(
        self, from_folder: str | Path, to_folder: str | None = None, **upload_kwargs: Any
    ) -> str:
        """Upload every file under `from_folder` to `to_folder`; returns the folder's blob prefix."""
        prefix = self._key(to_folder).rstrip("/")
        # Listed first: a file that vanishes after the listing is an error, never a silent gap.
        files = list(local_files(from_folder))
        for uploaded, (path, relative) in enumerate(files):
            key = f"{prefix}/{relative}" if prefix else relative
            try:
                file = open(path, "rb")  # noqa: SIM115 (closed by the with below)
            except FileNotFoundError:
                raise FileNotFoundError(
                    f"{str(path)!r} disappeared while uploading the folder {str(from_folder)!r} "
                    f"to {self._where} ({uploaded} files were uploaded before it, nothing of "
                    "it); upload again once the folder has stopped changing."
                ) from None
            with file:
                self._upload_file(file, key, dict(upload_kwargs))
        return prefix

    # --- listing ---------------------------------------------------------------------
    def _names(self, prefix: str) -> list[str]:
        starts = f"{prefix}/" if prefix else None
        with self._calling("list", None):
            return [
                blob.name
                for blob in self._container_client().list_blobs(name_starts_with=starts)
                if not blob.name.endswith("/")
            ]

    def list_blobs(self) -> list[str]:
        """Names of the blobs under base_folder (the whole container without one).

        Names are full blob names, as in Prefect, including the base_folder.
        """
        return self._names(self._key(None))

    def list_objects(self, folder: str = "") -> list[str]:
        """Names of the blobs under `folder` inside base_folder (full blob names)."""
        return self._names(self._key(folder).rstrip("/"))

    # --- deployment storage ----------------------------------------------------------
    def get_directory(self, from_path: str | None = None, local_path: str | None = None) -> None:
        """Download the folder `from_path` (default: base_folder) into `local_path` (default: .)."""
        self.download_folder_to_path(from_path, local_path or ".")

    def put_directory(
        self,
        local_path: str | None = None,
        to_path: str | None = None,
        ignore_file: str | None = None,
    ) -> int:
        """Upload `local_path` (default: .) to `to_path`, overwriting; returns files uploaded.

        `ignore_file` lists glob patterns (one a line, `#` comments), matched
        against each file's path relative to `local_path` and against its name.
        """
        patterns: list[str] = []
        if ignore_file:
            lines = Path(ignore_file).read_text().splitlines()
            patterns = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
        prefix = self._key(to_path).rstrip("/")
        count = 0
        for path, relative in list(local_files(local_path or ".")):
            if any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(path.name, p) for p in patterns):
                continue
            key = f"{prefix}/{relative}" if prefix else relative
            with self._open_local(path, key) as file:
                self._upload_file(file, key, {"overwrite": True})
            count += 1
        return count
