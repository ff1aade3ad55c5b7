"""botocore's errors turned into ones that name the bucket, the key and the fix.

A `ClientError` says "An error occurred (404) when calling the HeadObject
operation: Not Found"; users need to know which bucket and key, and whether to
create the bucket, fix a key, or fix credentials. Each translated error keeps
the original as `__cause__`. None of them ever contains a credential.

A missing object is an `ObjectNotFoundError`, a `FileNotFoundError`, so result
storage takes it for a cache miss; a missing bucket, bad credentials or an
unreachable endpoint are other kinds, so they are never mistaken for one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = [
    "BucketNotFoundError",
    "ObjectNotFoundError",
    "S3ConnectionError",
    "S3CredentialsError",
    "S3StorageError",
    "translated_errors",
]


class S3StorageError(OSError):
    """An S3 call failed; the message names the bucket, the key and what to do."""


class ObjectNotFoundError(S3StorageError, FileNotFoundError):
    """No object at that key in the bucket."""


class BucketNotFoundError(S3StorageError):
    """The bucket itself is missing at this endpoint."""


class S3CredentialsError(S3StorageError, PermissionError):
    """No credentials, wrong ones, or ones without the permission needed."""


class S3ConnectionError(S3StorageError, ConnectionError):
    """The S3 endpoint could not be reached."""


_MISSING_OBJECT = {"NoSuchKey", "404", "NotFound"}
_MISSING_BUCKET = {"NoSuchBucket"}
_DENIED = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "403",
    "Forbidden",
    "ExpiredToken",
    "InvalidToken",
    "InvalidClientTokenId",
}


def _bucket_exists(client: Any, bucket: str) -> bool | None:
    """True / False, or None when that cannot be told (no permission, no network)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        return False if code in ("404", "NoSuchBucket", "NotFound") else None
    except BotoCoreError:
        return None
    return True


def _endpoint(client: Any) -> str:
    return str(getattr(getattr(client, "meta", None), "endpoint_url", "") or "AWS")


def translate(
    exc: BaseException, *, client: Any, bucket: str, key: str | None, action: str
) -> BaseException:
    """The error to raise instead of `exc` (or `exc` itself when there is nothing to add)."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
        ReadTimeoutError,
    )

    where = f"s3://{bucket}/{key}" if key else f"bucket {bucket!r}"
    endpoint = _endpoint(client)
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return S3CredentialsError(
            f"Cannot {action} {where}: no AWS credentials were found ({type(exc).__name__}). "
            "Give the block credentials (AwsCredentials(aws_access_key_id=..., "
            "aws_secret_access_key=...), or a saved one), or set them in the environment "
            "or ~/.aws."
        )
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError)):
        return S3ConnectionError(
            f"Cannot {action} {where}: the endpoint {endpoint} could not be reached "
            f"({type(exc).__name__}). Check aws_client_parameters.endpoint_url and that the "
            "service is running and reachable."
        )
    if not isinstance(exc, ClientError):
        return exc
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    if code in _MISSING_BUCKET or (code in _MISSING_OBJECT and key is None):
        return _no_bucket(bucket, endpoint, action)
    if code in _MISSING_OBJECT:
        if _bucket_exists(client, bucket) is False:
            return _no_bucket(bucket, endpoint, action)
        return ObjectNotFoundError(
            f"Cannot {action} {where}: there is no object with key {key!r} in bucket "
            f"{bucket!r}. Check the path (the block's bucket_folder is already prefixed) "
            "or list what is there with list_objects()."
        )
    if code in _DENIED:
        return S3CredentialsError(
            f"Cannot {action} {where}: the endpoint {endpoint} refused the credentials "
            f"({code}). Check the access key id and secret key of the block's credentials "
            "(`headwater block inspect` shows which block is used), and that they may "
            f"{action} in bucket {bucket!r}."
        )
    message = error.get("Message") or str(exc)
    return S3StorageError(f"Cannot {action} {where} at {endpoint}: {code}: {message}")


def _no_bucket(bucket: str, endpoint: str, action: str) -> BucketNotFoundError:
    return BucketNotFoundError(
        f"Cannot {action}: the bucket {bucket!r} is missing at {endpoint}. Create it "
        "(e.g. `aws s3 mb s3://" + bucket + "`) or fix the block's bucket_name."
    )


@contextlib.contextmanager
def translated_errors(client: Any, bucket: str, key: str | None, action: str) -> Iterator[None]:
    """Re-raise botocore errors from the block as the errors above."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        better = translate(exc, client=client, bucket=bucket, key=key, action=action)
        if better is exc:
            raise
        raise better from exc
