"""The `a`-prefixed async twins of S3Bucket's methods.

boto3 is synchronous, so each twin runs the sync method in a worker thread
(`asyncio.to_thread`): the event loop keeps running while the transfer does.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, BinaryIO, Optional, Union


class S3BucketAsyncMethods:
    """Mixed into S3Bucket: `await bucket.aread_path(...)` and so on."""

    async def aread_path(self, path: str) -> bytes:
        return await asyncio.to_thread(self.read_path, path)  # type: ignore[attr-defined,no-any-return]

    async def awrite_path(self, path: str, content: bytes) -> str:
        return await asyncio.to_thread(self.write_path, path, content)  # type: ignore[attr-defined,no-any-return]

    async def alist_objects(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.list_objects, *args, **kwargs)  # type: ignore[attr-defined,no-any-return]

    async def adownload_object_to_path(
        self, from_path: str, to_path: Union[str, Path, None] = None, **kwargs: Any
    ) -> Path:
        method = self.download_object_to_path  # type: ignore[attr-defined]
        return await asyncio.to_thread(method, from_path, to_path, **kwargs)  # type: ignore[no-any-return]

    async def adownload_object_to_file_object(
        self, from_path: str, to_file_object: BinaryIO, **kwargs: Any
    ) -> BinaryIO:
        method = self.download_object_to_file_object  # type: ignore[attr-defined]
        return await asyncio.to_thread(method, from_path, to_file_object, **kwargs)  # type: ignore[no-any-return]

    async def adownload_folder_to_path(
        self, from_folder: str, to_folder: Union[str, Path, None] = None, **kwargs: Any
    ) -> Path:
        method = self.download_folder_to_path  # type: ignore[attr-defined]
        return await asyncio.to_thread(method, from_folder, to_folder, **kwargs)  # type: ignore[no-any-return]

    async def astream_from(
        self, bucket: Any, from_path: str, to_path: Optional[str] = None, **kwargs: Any
    ) -> str:
        method = self.stream_from  # type: ignore[attr-defined]
        return await asyncio.to_thread(method, bucket, from_path, to_path, **kwargs)  # type: ignore[no-any-return]

    async def aupload_from_path(
        self, from_path: Union[str, Path], to_path: Optional[str] = None, **kwargs: Any
    ) -> str:
        method = self.upload_from_path  # type: ignore[attr-defined]
        return await asyncio.to_thread(method, from_path, to_path, **kwargs)  # type: ignore[no-any-return]

    async def aupload_from_file_object(
        self, from_file_object: BinaryIO, to_path: str, **kwargs: Any
    ) -> str:
        method = self.upload_from_file_object  # type: ignore[attr-defined]
        return await asyncio.to_thread(method, from_file_object, to_path, **kwargs)  # type: ignore[no-any-return]

    async def aupload_from_folder(
        self, from_folder: Union[str, Path], to_folder: Optional[str] = None, **kwargs: Any
    ) -> Optional[str]:
        method = self.upload_from_folder  # type: ignore[attr-defined]
        return await asyncio.to_thread(method, from_folder, to_folder, **kwargs)  # type: ignore[no-any-return]

    async def acopy_object(
        self,
        from_path: Union[str, Path],
        to_path: Union[str, Path],
        to_bucket: Any = None,
        **kwargs: Any,
    ) -> str:
        method = self.copy_object  # type: ignore[attr-defined]
        return await asyncio.to_thread(method, from_path, to_path, to_bucket, **kwargs)  # type: ignore[no-any-return]

    async def amove_object(
        self, from_path: Union[str, Path], to_path: Union[str, Path], to_bucket: Any = None
    ) -> str:
        method = self.move_object  # type: ignore[attr-defined]
        return await asyncio.to_thread(method, from_path, to_path, to_bucket)  # type: ignore[no-any-return]

    async def aget_directory(
        self, from_path: Optional[str] = None, local_path: Optional[str] = None
    ) -> None:
        await asyncio.to_thread(self.get_directory, from_path, local_path)  # type: ignore[attr-defined]

    async def aput_directory(
        self,
        local_path: Optional[str] = None,
        to_path: Optional[str] = None,
        ignore_file: Optional[str] = None,
    ) -> int:
        method = self.put_directory  # type: ignore[attr-defined]
        return await asyncio.to_thread(method, local_path, to_path, ignore_file)  # type: ignore[no-any-return]
