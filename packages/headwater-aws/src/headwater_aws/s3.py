"""`S3Bucket`: objects in an S3 (or S3-compatible) bucket, under an optional folder prefix.

Names, signatures and return values are Prefect's (`prefect_aws.s3`). Every
path is joined to `bucket_folder` by `headwater.blocks.object_keys.join_key`,
which refuses `..` and absolute paths that would leave the folder. Large files
go through boto3's managed transfer (multipart, a bounded number of parts in
flight), so a 300 MB upload or download never sits in memory, and a failed
multipart upload is aborted: S3 only shows an object once it is complete.
Every method has an `a`-prefixed async twin (see `_s3_async`).
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Optional, Union

from headwater.blocks.abstract import ObjectStorageBlock
from headwater.blocks.filesystems import WritableDeploymentStorage, WritableFileSystem
from headwater.blocks.object_keys import ObjectKeyError, join_key, local_files, relative_key
from pydantic import Field

from headwater_aws._s3_async import S3BucketAsyncMethods
from headwater_aws.credentials import AwsCredentials, MinIOCredentials
from headwater_aws.errors import translated_errors
from headwater_aws.s3_tasks import (
    acopy_objects,
    adownload_from_bucket,
    alist_objects,
    amove_objects,
    aupload_to_bucket,
    copy_objects,
    download_from_bucket,
    list_objects,
    move_objects,
    s3_copy,
    s3_download,
    s3_list_objects,
    s3_move,
    s3_upload,
    upload_to_bucket,
)

__all__ = [
    "S3Bucket",
    "acopy_objects",
    "adownload_from_bucket",
    "alist_objects",
    "amove_objects",
    "aupload_to_bucket",
    "copy_objects",
    "download_from_bucket",
    "list_objects",
    "move_objects",
    "s3_copy",
    "s3_download",
    "s3_list_objects",
    "s3_move",
    "s3_upload",
    "transfer_config",
    "upload_to_bucket",
]

logger = logging.getLogger("headwater_aws.s3")

MiB = 1024 * 1024
#: Objects up to this size are sent in one PUT; larger ones in parts of this size.
MULTIPART_CHUNK = 8 * MiB
#: Parts in flight at once for downloads and file-object uploads, which hold each
#: part in memory: peak memory is about this many parts.
MAX_CONCURRENCY = 4
#: Uploads from a local path read each part from disk as it is sent (little memory),
#: so they keep boto3's default concurrency and its throughput.
FILE_UPLOAD_CONCURRENCY = 10


def transfer_config(max_concurrency: int = MAX_CONCURRENCY) -> Any:
    """The boto3 TransferConfig S3Bucket uses unless a call passes `Config=`."""
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(
        multipart_threshold=MULTIPART_CHUNK,
        multipart_chunksize=MULTIPART_CHUNK,
        max_concurrency=max_concurrency,
    )


class S3Bucket(
    S3BucketAsyncMethods, WritableFileSystem, WritableDeploymentStorage, ObjectStorageBlock
):
    """An S3 bucket (or a folder in one): read, write, list, upload and download objects."""

    _block_type_name = "S3 Bucket"
    _documentation_url = "https://docs.headwater.dev/aws/#s3bucket"

    bucket_name: str = Field(default=..., description="Name of your bucket.")
    credentials: Union[MinIOCredentials, AwsCredentials] = Field(
        default_factory=AwsCredentials,
        description="A block to authenticate with AWS (or MinIO / any S3-compatible store).",
    )
    bucket_folder: str = Field(
        default="",
        description="A default path to a folder within the S3 bucket to use for reading and "
        "writing objects.",
    )

    # --- keys and clients ------------------------------------------------------
    @property
    def basepath(self) -> str:
        """The folder every path is relative to (Prefect's name for bucket_folder)."""
        return self.bucket_folder

    @basepath.setter
    def basepath(self, value: str) -> None:
        self.bucket_folder = value

    def _where(self) -> str:
        return f"S3Bucket {self.bucket_name!r}"

    def _resolve_path(self, path: Union[str, os.PathLike[str], None]) -> str:
        return join_key(self.bucket_folder, path, where=self._where())

    def _client(self) -> Any:
        return self.credentials.get_s3_client()

    @contextlib.contextmanager
    def _s3(self, key: Optional[str], action: str) -> Iterator[Any]:
        """The S3 client, with its errors translated to ones naming this bucket and `key`."""
        client = self._client()
        with translated_errors(client, self.bucket_name, key, action):
            yield client

    # --- whole objects -----------------------------------------------------------
    def read_path(self, path: str) -> bytes:
        """The object at `path` (under bucket_folder), as bytes."""
        key = self._resolve_path(path)
        with self._s3(key, "read") as client:
            response = client.get_object(Bucket=self.bucket_name, Key=key)
            return bytes(response["Body"].read())

    def write_path(self, path: str, content: bytes) -> str:
        """Store `content` at `path`; returns the key. Large content goes up in parts."""
        key = self._resolve_path(path)
        with self._s3(key, "write") as client:
            if len(content) < MULTIPART_CHUNK:
                client.put_object(Bucket=self.bucket_name, Key=key, Body=content)
            else:
                client.upload_fileobj(
                    io.BytesIO(content), self.bucket_name, key, Config=transfer_config()
                )
        return key

    def list_objects(
        self,
        folder: str = "",
        delimiter: str = "",
        page_size: Optional[int] = None,
        max_items: Optional[int] = None,
        jmespath_query: Optional[str] = None,
    ) -> list[dict[str, Any]]:
        """Objects whose key starts with `folder` (under bucket_folder): S3's dicts (Key, Size...)."""
        prefix = self._resolve_path(folder)
        if not folder and prefix:
            prefix += "/"
        return self._list(prefix, delimiter, page_size, max_items, jmespath_query)

    def _list(
        self,
        prefix: str,
        delimiter: str = "",
        page_size: Optional[int] = None,
        max_items: Optional[int] = None,
        jmespath_query: Optional[str] = None,
    ) -> list[dict[str, Any]]:
        pagination = {"PageSize": page_size, "MaxItems": max_items}
        with self._s3(None, "list objects in") as client:
            paginator = client.get_paginator("list_objects_v2")
            pages = paginator.paginate(
                Bucket=self.bucket_name,
                Prefix=prefix,
                Delimiter=delimiter,
                PaginationConfig={k: v for k, v in pagination.items() if v is not None},
            )
            if jmespath_query:
                pages = pages.search(f"{jmespath_query} | {{Contents: @}}")
            return [item for page in pages for item in (page or {}).get("Contents", [])]

    # --- downloads ----------------------------------------------------------------
    def download_object_to_path(
        self,
        from_path: str,
        to_path: Union[str, Path, None] = None,
        **download_kwargs: Any,
    ) -> Path:
        """Stream the object to a local file (written whole or not at all); returns its path."""
        key = self._resolve_path(from_path)
        target = Path(to_path if to_path is not None else Path(from_path).name).absolute()
        target.parent.mkdir(parents=True, exist_ok=True)
        download_kwargs.setdefault("Config", transfer_config())
        with self._s3(key, "download") as client:
            client.download_file(self.bucket_name, key, str(target), **download_kwargs)
        return target

    def download_object_to_file_object(
        self, from_path: str, to_file_object: BinaryIO, **download_kwargs: Any
    ) -> BinaryIO:
        """Stream the object into an open binary file object; returns it."""
        key = self._resolve_path(from_path)
        download_kwargs.setdefault("Config", transfer_config())
        with self._s3(key, "download") as client:
            client.download_fileobj(self.bucket_name, key, to_file_object, **download_kwargs)
        return to_file_object

    def download_folder_to_path(
        self,
        from_folder: str,
        to_folder: Union[str, Path, None] = None,
        **download_kwargs: Any,
    ) -> Path:
        """Download every object under `from_folder` into `to_folder`; returns the folder."""
        prefix = self._resolve_path(from_folder)
        root = Path(to_folder if to_folder is not None else from_folder).expanduser().absolute()
        root.mkdir(parents=True, exist_ok=True)
        for item in self._list(f"{prefix}/" if prefix else ""):
            relative = relative_key(prefix, item["Key"])
            if not relative or relative.endswith("/"):
                continue  # the folder itself, or an empty "folder marker" object
            target = (root / relative).resolve()
            if root.resolve() not in target.parents:
                raise ObjectKeyError(
                    f"{self._where()}: the object {item['Key']!r} would be written outside "
                    f"{str(root)!r}; rename it in the bucket or download it on its own."
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            with self._s3(item["Key"], "download") as client:
                client.download_file(
                    self.bucket_name,
                    item["Key"],
                    str(target),
                    **{"Config": transfer_config(), **download_kwargs},
                )
        return root

    def stream_from(
        self,
        bucket: S3Bucket,
        from_path: str,
        to_path: Optional[str] = None,
        **upload_kwargs: Any,
    ) -> str:
        """Copy an object from another bucket (its own credentials) into this one, in parts."""
        source_key = bucket._resolve_path(from_path)
        key = self._resolve_path(to_path if to_path is not None else Path(from_path).name)
        with bucket._s3(source_key, "read") as client:
            body = client.get_object(Bucket=bucket.bucket_name, Key=source_key)["Body"]
        upload_kwargs.setdefault("Config", transfer_config())
        with self._s3(key, "upload") as client:
            client.upload_fileobj(body, self.bucket_name, key, **upload_kwargs)
        return key

    # --- uploads --------------------------------------------------------------------
    def upload_from_path(
        self,
        from_path: Union[str, Path],
        to_path: Optional[str] = None,
        **upload_kwargs: Any,
    ) -> str:
        """Stream a local file to `to_path` (default: its file name); returns the key."""
        source = Path(from_path).expanduser().absolute()
        if not source.is_file():
            raise FileNotFoundError(
                f"{self._where()}: no file at {str(source)!r} to upload; check the path."
            )
        key = self._resolve_path(to_path if to_path is not None else source.name)
        upload_kwargs.setdefault("Config", transfer_config(FILE_UPLOAD_CONCURRENCY))
        with self._s3(key, "upload") as client:
            client.upload_file(str(source), self.bucket_name, key, **upload_kwargs)
        return key

    def upload_from_file_object(
        self, from_file_object: BinaryIO, to_path: str, **upload_kwargs: Any
    ) -> str:
        """Stream an open binary file object to `to_path`; returns the key."""
        key = self._resolve_path(to_path)
        upload_kwargs.setdefault("Config", transfer_config())
        with self._s3(key, "upload") as client:
            client.upload_fileobj(from_file_object, self.bucket_name, key, **upload_kwargs)
        return key

    def upload_from_folder(
        self,
        from_folder: Union[str, Path],
        to_folder: Optional[str] = None,
        **upload_kwargs: Any,
    ) -> Optional[str]:
        """Upload the files inside `from_folder` under `to_folder`; returns `to_folder`."""
        files = list(
            local_files(from_folder)
        )  # the folder as it is now: a file gone later is an error
        count = self._upload_files(files, from_folder, to_folder, upload_kwargs)
        if count == 0:
            logger.warning("No files were uploaded from %r.", str(from_folder))
        return to_folder

    def _upload_files(
        self, files: Any, from_folder: Any, to_folder: Optional[str], upload_kwargs: Any
    ) -> int:
        uploaded = 0
        upload_kwargs = {"Config": transfer_config(FILE_UPLOAD_CONCURRENCY), **upload_kwargs}
        for path, relative in files:
            key = self._resolve_path(f"{to_folder}/{relative}" if to_folder else relative)
            try:
                with self._s3(key, "upload") as client:
                    client.upload_file(str(path), self.bucket_name, key, **upload_kwargs)
            except FileNotFoundError as exc:
                if path.exists():
                    raise
                raise FileNotFoundError(
                    f"{self._where()}: {str(path)!r} disappeared while uploading the folder "
                    f"{str(from_folder)!r} ({uploaded} file(s) were uploaded before it, none "
                    "partially). Run the upload again once the folder is stable."
                ) from exc
            uploaded += 1
        return uploaded

    # --- copies and moves -------------------------------------------------------------
    def _target(self, to_path: Union[str, Path], to_bucket: Union[S3Bucket, str, None]) -> Any:
        target = to_bucket or self
        if isinstance(target, S3Bucket):
            return target.bucket_name, target._resolve_path(Path(to_path).as_posix())
        if isinstance(target, str):
            return target, join_key("", Path(to_path).as_posix(), where=f"bucket {target!r}")
        raise TypeError(f"to_bucket must be a bucket name or an S3Bucket, not {type(target)}")

    def copy_object(
        self,
        from_path: Union[str, Path],
        to_path: Union[str, Path],
        to_bucket: Union[S3Bucket, str, None] = None,
        **copy_kwargs: Any,
    ) -> str:
        """Copy an object inside S3 (no download); returns the target key."""
        source = self._resolve_path(Path(from_path).as_posix())
        bucket, key = self._target(to_path, to_bucket)
        with self._s3(source, "copy") as client:
            client.copy_object(
                CopySource={"Bucket": self.bucket_name, "Key": source},
                Bucket=bucket,
                Key=key,
                **copy_kwargs,
            )
        return str(key)

    def move_object(
        self,
        from_path: Union[str, Path],
        to_path: Union[str, Path],
        to_bucket: Union[S3Bucket, str, None] = None,
    ) -> str:
        """Copy, then delete the source; returns the target key."""
        key = self.copy_object(from_path, to_path, to_bucket)
        source = self._resolve_path(Path(from_path).as_posix())
        with self._s3(source, "delete") as client:
            client.delete_object(Bucket=self.bucket_name, Key=source)
        return key

    # --- deployment storage --------------------------------------------------------------
    def get_directory(
        self, from_path: Optional[str] = None, local_path: Optional[str] = None
    ) -> None:
        """Download everything under `from_path` (default: bucket_folder) into `local_path`."""
        self.download_folder_to_path(from_path or "", local_path or ".")

    def put_directory(
        self,
        local_path: Optional[str] = None,
        to_path: Optional[str] = None,
        ignore_file: Optional[str] = None,
    ) -> int:
        """Upload a local folder (default: the current one); returns the number of files."""
        source = local_path or "."
        patterns: list[str] = []
        if ignore_file:
            lines = Path(ignore_file).read_text().splitlines()
            patterns = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
        files = [
            (path, rel)
            for path, rel in local_files(source)
            if not any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(path.name, p) for p in patterns)
        ]
        return self._upload_files(files, source, to_path or None, {})
