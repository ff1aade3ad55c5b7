"""Prefect's module-level S3 tasks (`prefect_aws.s3.upload_to_bucket`, ...), as headwater tasks.

Each takes a bucket name and credentials rather than an S3Bucket block, as in
Prefect; the old names (`s3_upload`, `s3_download`, ...) are aliases. Errors
name the bucket and key (see `headwater_aws.errors`).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Optional, Union

from headwater import task
from headwater.logging import get_run_logger

from headwater_aws.client_parameters import AwsClientParameters
from headwater_aws.credentials import AwsCredentials, MinIOCredentials
from headwater_aws.errors import translated_errors

Credentials = Union[AwsCredentials, MinIOCredentials]


def _client(credentials: Credentials, parameters: Optional[AwsClientParameters] = None) -> Any:
    if parameters is not None and parameters != AwsClientParameters():
        credentials = credentials.model_copy(update={"aws_client_parameters": parameters})
    return credentials.get_s3_client()


def _download(bucket: str, key: str, credentials: Credentials, parameters: Any) -> bytes:
    client = _client(credentials, parameters)
    with translated_errors(client, bucket, key, "download"):
        return bytes(client.get_object(Bucket=bucket, Key=key)["Body"].read())


def _upload(data: bytes, bucket: str, credentials: Credentials, parameters: Any, key: Any) -> str:
    key = key or str(uuid.uuid4())
    client = _client(credentials, parameters)
    with translated_errors(client, bucket, key, "upload"):
        client.put_object(Bucket=bucket, Key=key, Body=data)
    return str(key)


def _copy(source: str, target: str, source_bucket: str, credentials: Credentials,
          target_bucket: Optional[str], **copy_kwargs: Any) -> str:  # fmt: skip
    client = _client(credentials)
    with translated_errors(client, source_bucket, source, "copy"):
        client.copy_object(
            CopySource={"Bucket": source_bucket, "Key": source},
            Bucket=target_bucket or source_bucket,
            Key=target,
            **copy_kwargs,
        )
    return target


def _move(source: str, target: str, source_bucket: str, credentials: Credentials,
          target_bucket: Optional[str]) -> str:  # fmt: skip
    _copy(source, target, source_bucket, credentials, target_bucket)
    client = _client(credentials)
    with translated_errors(client, source_bucket, source, "delete"):
        client.delete_object(Bucket=source_bucket, Key=source)
    return target


def _list(bucket: str, credentials: Credentials, parameters: Any, prefix: str, delimiter: str,
          page_size: Optional[int], max_items: Optional[int],
          jmespath_query: Optional[str]) -> list[dict[str, Any]]:  # fmt: skip
    client = _client(credentials, parameters)
    pagination = {"PageSize": page_size, "MaxItems": max_items}
    with translated_errors(client, bucket, None, "list objects in"):
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket,
            Prefix=prefix,
            Delimiter=delimiter,
            PaginationConfig={k: v for k, v in pagination.items() if v is not None},
        )
        if jmespath_query:
            pages = pages.search(f"{jmespath_query} | {{Contents: @}}")
        return [item for page in pages for item in (page or {}).get("Contents", [])]


@task
def download_from_bucket(
    bucket: str,
    key: str,
    aws_credentials: AwsCredentials,
    aws_client_parameters: AwsClientParameters = AwsClientParameters(),
) -> bytes:
    """The object `key` of `bucket`, as bytes."""
    get_run_logger().info("Downloading object from bucket %s with key %s", bucket, key)
    return _download(bucket, key, aws_credentials, aws_client_parameters)


@task
async def adownload_from_bucket(
    bucket: str,
    key: str,
    aws_credentials: AwsCredentials,
    aws_client_parameters: AwsClientParameters = AwsClientParameters(),
) -> bytes:
    """Async twin of download_from_bucket."""
    get_run_logger().info("Downloading object from bucket %s with key %s", bucket, key)
    return await asyncio.to_thread(_download, bucket, key, aws_credentials, aws_client_parameters)


@task
def upload_to_bucket(
    data: bytes,
    bucket: str,
    aws_credentials: AwsCredentials,
    aws_client_parameters: AwsClientParameters = AwsClientParameters(),
    key: Optional[str] = None,
) -> str:
    """Store `data` in `bucket` at `key` (default: a UUID); returns the key."""
    get_run_logger().info("Uploading object to bucket %s with key %s", bucket, key)
    return _upload(data, bucket, aws_credentials, aws_client_parameters, key)


@task
async def aupload_to_bucket(
    data: bytes,
    bucket: str,
    aws_credentials: AwsCredentials,
    aws_client_parameters: AwsClientParameters = AwsClientParameters(),
    key: Optional[str] = None,
) -> str:
    """Async twin of upload_to_bucket."""
    get_run_logger().info("Uploading object to bucket %s with key %s", bucket, key)
    return await asyncio.to_thread(
        _upload, data, bucket, aws_credentials, aws_client_parameters, key
    )


@task
def copy_objects(
    source_path: str,
    target_path: str,
    source_bucket_name: str,
    aws_credentials: AwsCredentials,
    target_bucket_name: Optional[str] = None,
    **copy_kwargs: Any,
) -> str:
    """Copy an object inside S3 (server-side CopyObject); returns the target key."""
    return _copy(
        source_path, target_path, source_bucket_name, aws_credentials, target_bucket_name,
        **copy_kwargs,
    )  # fmt: skip


@task
async def acopy_objects(
    source_path: str,
    target_path: str,
    source_bucket_name: str,
    aws_credentials: AwsCredentials,
    target_bucket_name: Optional[str] = None,
    **copy_kwargs: Any,
) -> str:
    """Async twin of copy_objects."""
    return await asyncio.to_thread(
        _copy, source_path, target_path, source_bucket_name, aws_credentials,
        target_bucket_name, **copy_kwargs,
    )  # fmt: skip


@task
def move_objects(
    source_path: str,
    target_path: str,
    source_bucket_name: str,
    aws_credentials: AwsCredentials,
    target_bucket_name: Optional[str] = None,
) -> str:
    """Copy an object, then delete the source; returns the target key."""
    return _move(source_path, target_path, source_bucket_name, aws_credentials, target_bucket_name)


@task
async def amove_objects(
    source_path: str,
    target_path: str,
    source_bucket_name: str,
    aws_credentials: AwsCredentials,
    target_bucket_name: Optional[str] = None,
) -> str:
    """Async twin of move_objects."""
    return await asyncio.to_thread(
        _move, source_path, target_path, source_bucket_name, aws_credentials, target_bucket_name
    )


@task
def list_objects(
    bucket: str,
    aws_credentials: AwsCredentials,
    aws_client_parameters: AwsClientParameters = AwsClientParameters(),
    prefix: str = "",
    delimiter: str = "",
    page_size: Optional[int] = None,
    max_items: Optional[int] = None,
    jmespath_query: Optional[str] = None,
) -> list[dict[str, Any]]:
    """Objects in `bucket` whose key starts with `prefix`: S3's dicts (Key, Size, ...)."""
    return _list(
        bucket, aws_credentials, aws_client_parameters, prefix, delimiter, page_size,
        max_items, jmespath_query,
    )  # fmt: skip


@task
async def alist_objects(
    bucket: str,
    aws_credentials: AwsCredentials,
    aws_client_parameters: AwsClientParameters = AwsClientParameters(),
    prefix: str = "",
    delimiter: str = "",
    page_size: Optional[int] = None,
    max_items: Optional[int] = None,
    jmespath_query: Optional[str] = None,
) -> list[dict[str, Any]]:
    """Async twin of list_objects."""
    return await asyncio.to_thread(
        _list, bucket, aws_credentials, aws_client_parameters, prefix, delimiter, page_size,
        max_items, jmespath_query,
    )  # fmt: skip


# Prefect's older names.
s3_download = download_from_bucket
s3_upload = upload_to_bucket
s3_copy = copy_objects
s3_move = move_objects
s3_list_objects = list_objects
