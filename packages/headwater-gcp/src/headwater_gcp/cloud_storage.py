"""`GcsBucket`: a Google Cloud Storage bucket as a headwater storage block
(`prefect_gcp.cloud_storage`).

Every path is a key under `bucket_folder` (joined by
`headwater.blocks.object_keys.join_key`, which refuses `..` and absolute
paths). Large objects stream: a local file larger than `UPLOAD_CHUNK_SIZE`
goes in one request read from disk as it is sent (`streamed_upload`), file
objects in resumable chunks of `UPLOAD_CHUNK_SIZE`, and downloads are written
to the file as they arrive,
so a 300 MB object never sits in memory. GCS only shows an object once its
upload is complete, so a failed upload never leaves a partial object, and
downloads to a path go to a temporary file that is renamed into place.
Async twins (`aread_path`, ...) run the sync method in a worker thread.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO, Concatenate, ParamSpec, TypeVar

from headwater.blocks.abstract import ObjectStorageBlock
from headwater.blocks.filesystems import WritableDeploymentStorage, WritableFileSystem
from headwater.blocks.object_keys import ObjectKeyError, join_key, local_files, relative_key
from pydantic import Field, PrivateAttr, field_validator

from headwater_gcp.credentials import GcpCredentials
from headwater_gcp.exceptions import translated
from headwater_gcp.streamed_upload import SESSION_OPTIONS, stream_upload

if TYPE_CHECKING:
    from google.cloud.storage import Blob, Bucket, Client

__all__ = ["UPLOAD_CHUNK_SIZE", "GcsBucket"]

logger = logging.getLogger("headwater.gcp.cloud_storage")

# Resumable uploads send (and hold in memory) one chunk at a time; a multiple of 256 KiB.
UPLOAD_CHUNK_SIZE = 16 * 1024 * 1024

P = ParamSpec("P")
R = TypeVar("R")
B = TypeVar("B", bound="GcsBucket")


def _refused(exc: BaseException | None) -> bool:
    """True if nothing listens at the endpoint (somewhere in the exception's chain)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ConnectionRefusedError):
            return True
        exc = (
            exc.__cause__
            or exc.__context__
            or (exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None)
        )
        seen += 1
    return False


_retry: list[Any] = []


def retry_policy() -> Any:
    """google-cloud-storage's default retry, except that a refused connection fails at
    once: nothing listens there (a wrong endpoint or a stopped emulator), and waiting
    two minutes for it helps nobody. Resets, timeouts and 5xx are still retried."""
    if not _retry:
        from google.cloud.storage import retry

        transient = retry._should_retry
        _retry.append(
            retry.DEFAULT_RETRY.with_predicate(lambda exc: transient(exc) and not _refused(exc))
        )
    return _retry[0]


def _with_retry(kwargs: dict[str, Any]) -> dict[str, Any]:
    return kwargs if "retry" in kwargs else {**kwargs, "retry": retry_policy()}


def _async_twin(
    method: Callable[Concatenate[B, P], R],
) -> Callable[Concatenate[B, P], Coroutine[Any, Any, R]]:
    """`a<name>`: the same method run in a worker thread, so an event loop never blocks."""

    async def twin(self: B, *args: P.args, **kwargs: P.kwargs) -> R:
        return await asyncio.to_thread(method, self, *args, **kwargs)

    twin.__name__ = twin.__qualname__ = f"a{method.__name__}"
    twin.__doc__ = f"Async twin of `{method.__name__}`: {method.__doc__ or ''}"
    return twin


class GcsBucket(WritableDeploymentStorage, WritableFileSystem, ObjectStorageBlock):
    """A Google Cloud Storage bucket: read and write objects, files and folders,
    and store flow and task results there."""

    _block_type_name = "GCS Bucket"
    _documentation_url = "https://docs.headwater.dev/gcp/"

    bucket: str = Field(..., description="Name of the bucket.")
    gcp_credentials: GcpCredentials = Field(
        default_factory=GcpCredentials,
        description="The credentials to authenticate with GCP.",
    )
    bucket_folder: str = Field(
        default="",
        description=(
            "A default path to a folder within the GCS bucket to use "
            "for reading and writing objects."
        ),
    )

    _clients: threading.local = PrivateAttr(default_factory=threading.local)
    _bucket_seen: bool = PrivateAttr(default=False)

    @field_validator("bucket_folder")
    @classmethod
    def _folder_slash(cls, value: str) -> str:
        """As Prefect: a non-empty folder ends with "/"."""
        return f"{value}/" if value and not value.endswith("/") else value

    @property
    def basepath(self) -> str:
        """The bucket folder (used by deployments)."""
        return self.bucket_folder

    # --- plumbing --------------------------------------------------------------------
    def _client(self) -> Client:
        """One client per thread and per credentials, reused across calls."""
        fingerprint = self.gcp_credentials.fingerprint()
        local = self._clients
        if getattr(local, "fingerprint", None) != fingerprint:
            local.client = self.gcp_credentials.get_cloud_storage_client()
            local.fingerprint = fingerprint
        client: Client = local.client  # threading.local attributes are untyped
        return client

    def _handle(self) -> Bucket:
        return self._client().bucket(self.bucket)

    def _key(self, path: str | os.PathLike[str] | None) -> str:
        return join_key(self.bucket_folder, path, where=f"GcsBucket {self.bucket!r}")

    def _blob(self, key: str, *, upload: bool = False) -> Blob:
        # A chunk size bounds memory for uploads; downloads without one stream in one request.
        return self._handle().blob(key, chunk_size=UPLOAD_CHUNK_SIZE if upload else None)

    def _bucket_exists(self) -> bool:
        if not self._bucket_seen:
            self._bucket_seen = bool(self._handle().exists(retry=retry_policy()))
        return self._bucket_seen

    def _errors(self, action: str, key: str | None = None) -> Any:
        client = self._client()
        endpoint = getattr(client, "api_endpoint", None) or "storage.googleapis.com"
        return translated(
            bucket=self.bucket,
            key=key,
            action=action,
            bucket_exists=self._bucket_exists,
            endpoint=endpoint,
        )

    # --- buckets ---------------------------------------------------------------------
    def create_bucket(self, location: str | None = None, **create_kwargs: Any) -> Bucket:
        """Create the bucket (in `location`, else the project's default)."""
        from google.api_core.exceptions import Conflict

        client = self._client()
        with self._errors("create the bucket"):
            try:
                return client.create_bucket(
                    self.bucket, location=location, **{"retry": retry_policy(), **create_kwargs}
                )
            except Conflict as exc:
                raise FileExistsError(
                    f"GCS bucket {self.bucket!r} already exists; use it as it is "
                    "(get_bucket()), or choose another name"
                ) from exc

    def get_bucket(self) -> Bucket:
        """The bucket's metadata (fails with GcsBucketNotFoundError if it does not exist)."""
        with self._errors("get the bucket"):
            return self._client().get_bucket(self.bucket, retry=retry_policy())

    # --- listing ---------------------------------------------------------------------
    def list_blobs(self, folder: str = "") -> list[Blob]:
        """Every object under `folder` (relative to bucket_folder), as google Blob objects."""
        key = self._key(folder)
        prefix = f"{key.rstrip('/')}/" if key else None
        with self._errors("list objects", prefix):
            blobs = self._client().list_blobs(self.bucket, prefix=prefix, retry=retry_policy())
            return [blob for blob in blobs if not blob.name.endswith("/")]

    def list_folders(self, folder: str = "") -> list[str]:
        """The folders (full key prefixes) holding objects under `folder`."""
        parents = {str(PurePosixPath(blob.name).parent) for blob in self.list_blobs(folder)}
        return sorted(p for p in parents if p != ".")

    def list_objects(self, folder: str = "") -> list[dict[str, Any]]:
        """Objects under `folder` as dicts: name (full key), key (relative to
        bucket_folder), size, updated, etag, content_type."""
        return [
            {
                "name": blob.name,
                "key": relative_key(self.bucket_folder, blob.name),
                "size": blob.size,
                "updated": blob.updated,
                "etag": blob.etag,
                "content_type": blob.content_type,
            }
            for blob in self.list_blobs(folder)
        ]

    # --- bytes -----------------------------------------------------------------------
    def read_path(self, path: str) -> bytes:
        """The object's content (GcsObjectNotFoundError if there is none)."""
        key = self._key(path)
        with self._errors("read", key):
            return bytes(self._blob(key).download_as_bytes(retry=retry_policy()))

    def write_path(self, path: str, content: bytes) -> str:
        """Write `content` at `path`; returns the object key. All or nothing."""
        key = self._key(path)
        with self._errors("write", key):
            self._blob(key, upload=True).upload_from_string(content, retry=retry_policy())
        return key

    # --- objects to and from local files ---------------------------------------------
    def download_object_to_path(
        self, from_path: str, to_path: str | Path | None = None, **download_kwargs: Any
    ) -> Path:
        """Stream an object to a local file (default: its name in the current directory)."""
        key = self._key(from_path)
        target = Path(to_path if to_path is not None else PurePosixPath(key).name).absolute()
        self._download_to(key, target, download_kwargs)
        return target

    def _download_to(self, key: str, target: Path, download_kwargs: dict[str, Any]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out, self._errors("download", key):
                self._blob(key).download_to_file(out, **_with_retry(download_kwargs))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def download_object_to_file_object(
        self, from_path: str, to_file_object: BinaryIO, **download_kwargs: Any
    ) -> BinaryIO:
        """Stream an object into an open binary file object."""
        key = self._key(from_path)
        with self._errors("download", key):
            self._blob(key).download_to_file(to_file_object, **_with_retry(download_kwargs))
        return to_file_object

    def upload_from_path(
        self, from_path: str | Path, to_path: str | None = None, **upload_kwargs: Any
    ) -> str:
        """Upload a local file (streamed in chunks) to `to_path` (default: its name)."""
        source = Path(from_path).expanduser()
        if not source.is_file():
            raise FileNotFoundError(
                f"No file at {str(source)!r} to upload to GCS bucket {self.bucket!r}; "
                "check the path (use upload_from_folder for a folder)"
            )
        key = self._key(to_path if to_path is not None else source.name)
        self._upload_file(source, key, upload_kwargs)
        return key

    def _upload_file(self, source: Path, key: str, upload_kwargs: dict[str, Any]) -> None:
        try:
            handle = open(source, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{str(source)!r} vanished before it could be uploaded to GCS bucket "
                f"{self.bucket!r} as {key!r}; make sure nothing deletes files while they "
                "upload, then upload again (files already sent are simply overwritten)"
            ) from None
        with handle, self._errors("upload", key):
            size = os.fstat(handle.fileno()).st_size
            blob = self._blob(key, upload=True)
            if size > UPLOAD_CHUNK_SIZE and SESSION_OPTIONS.issuperset(upload_kwargs):
                # one request streamed from disk: flat memory, no per-chunk round trips
                stream_upload(blob, handle, size, **_with_retry(upload_kwargs))
            else:
                blob.upload_from_file(handle, size=size, **_with_retry(upload_kwargs))

    def upload_from_file_object(
        self, from_file_object: BinaryIO, to_path: str, **upload_kwargs: Any
    ) -> str:
        """Upload from an open binary file object, in chunks, from its current position."""
        key = self._key(to_path)
        with self._errors("upload", key):
            self._blob(key, upload=True).upload_from_file(
                from_file_object, **_with_retry(upload_kwargs)
            )
        return key

    # --- folders ---------------------------------------------------------------------
    def upload_from_folder(
        self, from_folder: str | Path, to_folder: str | None = None, **upload_kwargs: Any
    ) -> str:
        """Upload every file under `from_folder` to `to_folder`; returns the folder key."""
        base = self._key(to_folder)
        count = 0
        for path, relative in local_files(from_folder):
            self._upload_file(
                path, join_key(base, relative, where=f"GcsBucket {self.bucket!r}"), upload_kwargs
            )
            count += 1
        if count == 0:
            logger.warning("No files were uploaded from %s.", from_folder)
        return base

    def download_folder_to_path(
        self, from_folder: str, to_folder: str | Path | None = None, **download_kwargs: Any
    ) -> Path:
        """Download every object under `from_folder` into `to_folder` (default: cwd)."""
        self._download_tree(self._key(from_folder), Path(to_folder or "."), download_kwargs)
        return Path(to_folder or ".").absolute()

    def _download_tree(
        self, prefix: str, destination: Path, download_kwargs: dict[str, Any]
    ) -> list[Path]:
        root = destination.expanduser().resolve()
        folder = prefix.rstrip("/")
        with self._errors("list objects", prefix or None):
            blobs = self._client().list_blobs(
                self.bucket, prefix=f"{folder}/" if folder else None, retry=retry_policy()
            )
            names = [blob.name for blob in blobs if not blob.name.endswith("/")]
        written = []
        for name in names:
            target = (root / relative_key(folder, name)).resolve()
            if target != root and root not in target.parents:
                raise ObjectKeyError(
                    f"GCS bucket {self.bucket!r}: object {name!r} would be written outside "
                    f"{str(root)!r}; rename the object, or download it on its own with "
                    "download_object_to_path"
                )
            self._download_to(name, target, download_kwargs)
            written.append(target)
        if not written:
            logger.warning("No blobs were downloaded from bucket %r path %r.", self.bucket, prefix)
        return written

    def get_directory(  # type: ignore[override]  # Prefect's GcsBucket returns the paths
        self, from_path: str | None = None, local_path: str | None = None
    ) -> list[Path]:
        """Download `from_path` (default: bucket_folder) into `local_path` (default: cwd)."""
        return self._download_tree(self._key(from_path), Path(local_path or "."), {})

    def put_directory(
        self,
        local_path: str | None = None,
        to_path: str | None = None,
        ignore_file: str | None = None,
    ) -> int:
        """Upload `local_path` (default: cwd) under `to_path`; returns the number of files.

        `ignore_file` holds glob patterns (one a line, `#` comments), matched
        against each file's relative path and its name.
        """
        patterns: list[str] = []
        if ignore_file:
            lines = Path(ignore_file).read_text().splitlines()
            patterns = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
        base = self._key(to_path)
        count = 0
        for path, relative in local_files(local_path or "."):
            if any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(path.name, p) for p in patterns):
                continue
            self._upload_file(
                path, join_key(base, relative, where=f"GcsBucket {self.bucket!r}"), {}
            )
            count += 1
        return count

    # --- async twins (Prefect's a* names) ---------------------------------------------
    acreate_bucket = _async_twin(create_bucket)
    aget_bucket = _async_twin(get_bucket)
    alist_blobs = _async_twin(list_blobs)
    alist_folders = _async_twin(list_folders)
    alist_objects = _async_twin(list_objects)
    aread_path = _async_twin(read_path)
    awrite_path = _async_twin(write_path)
    adownload_object_to_path = _async_twin(download_object_to_path)
    adownload_object_to_file_object = _async_twin(download_object_to_file_object)
    aupload_from_path = _async_twin(upload_from_path)
    aupload_from_file_object = _async_twin(upload_from_file_object)
    aupload_from_folder = _async_twin(upload_from_folder)
    adownload_folder_to_path = _async_twin(download_folder_to_path)
    aget_directory = _async_twin(get_directory)
    aput_directory = _async_twin(put_directory)
