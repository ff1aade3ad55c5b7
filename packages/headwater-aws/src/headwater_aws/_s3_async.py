"""The `a`-prefixed async twins of S3Bucket's methods.

boto3 is synchronous, so each twin runs the sync method in a worker thread
(`asyncio.to_thread`): the event loop keeps running while the transfer does.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, BinaryIO, Optional, Protocol, Union


class _SyncS3Methods(Protocol):
    """What the twins need of `self`: S3Bucket's synchronous methods."""

    def read_path(self, path: str) -> bytes: ...
    def write_path(self, path: str, content: bytes) -> str: ...
    def list_objects(
        self,
        folder: str = ...,
        delimiter: str = ...,
        page_size: Optional[int] = ...,
        max_items: Optional[int] = ...,
        jmespath_query: Optional[str] = ...,
    ) -> list[dict[str, Any]]: ...
    def download_object_to_path(
        self, from_path: str, to_path: Union[str, Path, None] = ..., **kwargs: Any
    ) -> Path: ...
    def download_object_to_file_object(
        self, from_path: str, to_file_object: BinaryIO, **kwargs: Any
    ) -> BinaryIO: ...
    def download_folder_to_path(
        self, from_folder: str, to_folder: Union[str, Path, None] = ..., **kwargs: Any
    ) -> Path: ...
    def stream_from(
        self, bucket: Any, from_path: str, to_path: Optional[str] = ..., **kwargs: Any
    ) -> str: ...
    def upload_from_path(
        self, from_path: Union[str, Path], to_path: Optional[str] = ..., **kwargs: Any
    ) -> str: ...
    def upload_from_file_object(
        self, from_file_object: BinaryIO, to_path: str, **kwargs: Any
    ) -> str: ...
    def upload_from_folder(
        self, from_folder: Union[str, Path], to_folder: Optional[str] = ..., **kwargs: Any
    ) -> Optional[str]: ...
    def copy_object(
        self,
        from_path: Union[str, Path],
        to_path: Union[str, Path],
        to_bucket: Any = ...,
        **kwargs: Any,
    ) -> str: ...
    def move_object(
        self, from_path: Union[str, Path], to_path: Union[str, Path], to_bucket: Any = ...
    ) -> str: ...
    def get_directory(
        self, from_path: Optional[str] = ..., local_path: Optional[str] = ...
    ) -> None: ...
    def put_directory(
        self,
        local_path: Optional[str] = ...,
        to_path: Optional[str] = ...,
        ignore_file: Optional[str] = ...,
    ) -> int: ...


class S3BucketAsyncMethods:
    """Mixed into S3Bucket: `await bucket.aread_path(...)` and so on."""

    async def aread_path(self: _SyncS3Methods, path: str) -> bytes:
        return await asyncio.to_thread(self.read_path, path)

    async def awrite_path(self: _SyncS3Methods, path: str, content: bytes) -> str:
        return await asyncio.to_thread(self.write_path, path, content)

    async def alist_objects(
        self: _SyncS3Methods, *args: Any, **kwargs: Any
    ) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.list_objects, *args, **kwargs)

    async def adownload_object_to_path(
        self: _SyncS3Methods,
        from_path: str,
        to_path: Union[str, Path, None] = None,
        **kwargs: Any,
    ) -> Path:
        method = self.download_object_to_path
        return await asyncio.to_thread(method, from_path, to_path, **kwargs)

    async def adownload_object_to_file_object(
        self: _SyncS3Methods, from_path: str, to_file_object: BinaryIO, **kwargs: Any
    ) -> BinaryIO:
        method = self.download_object_to_file_object
        return await asyncio.to_thread(method, from_path, to_file_object, **kwargs)

    async def adownload_folder_to_path(
        self: _SyncS3Methods,
        from_folder: str,
        to_folder: Union[str, Path, None] = None,
        **kwargs: Any,
    ) -> Path:
        method = self.download_folder_to_path
        return await asyncio.to_thread(method, from_folder, to_folder, **kwargs)

    async def astream_from(
        self: _SyncS3Methods,
        bucket: Any,
        from_path: str,
        to_path: Optional[str] = None,
        **kwargs: Any,
    ) -> str:
        method = self.stream_from
        return await asyncio.to_thread(method, bucket, from_path, to_path, **kwargs)

    async def aupload_from_path(
        self: _SyncS3Methods,
        from_path: Union[str, Path],
        to_path: Optional[str] = None,
        **kwargs: Any,
    ) -> str:
        method = self.upload_from_path
        return await asyncio.to_thread(method, from_path, to_path, **kwargs)

    async def aupload_from_file_object(
        self: _SyncS3Methods, from_file_object: BinaryIO, to_path: str, **kwargs: Any
    ) -> str:
        method = self.upload_from_file_object
        return await asyncio.to_thread(method, from_file_object, to_path, **kwargs)

    async def aupload_from_folder(
        self: _SyncS3Methods,
        from_folder: Union[str, Path],
        to_folder: Optional[str] = None,
        **kwargs: Any,
    ) -> Optional[str]:
        method = self.upload_from_folder
        return await asyncio.to_thread(method, from_folder, to_folder, **kwargs)

    async def acopy_object(
        self: _SyncS3Methods,
        from_path: Union[str, Path],
        to_path: Union[str, Path],
        to_bucket: Any = None,
        **kwargs: Any,
    ) -> str:
        method = self.copy_object
        return await asyncio.to_thread(method, from_path, to_path, to_bucket, **kwargs)

    async def amove_object(
        self: _SyncS3Methods,
        from_path: Union[str, Path],
        to_path: Union[str, Path],
        to_bucket: Any = None,
    ) -> str:
        return await asyncio.to_thread(self.move_object, from_path, to_path, to_bucket)

    async def aget_directory(
        self: _SyncS3Methods, from_path: Optional[str] = None, local_path: Optional[str] = None
    ) -> None:
        await asyncio.to_thread(self.get_directory, from_path, local_path)

    async def aput_directory(
        self: _SyncS3Methods,
        local_path: Optional[str] = None,
        to_path: Optional[str] = None,
        ignore_file: Optional[str] = None,
    ) -> int:
        method = self.put_directory
        return await asyncio.to_thread(method, local_path, to_path, ignore_file)
