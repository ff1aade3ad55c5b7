"""Errors a GcsBucket raises, each naming the bucket, the key or path, and the fix.

google-cloud-storage reports a missing bucket and a missing object alike
("404 Not Found"), and a refused or unreachable token endpoint as a bare
google-auth error. `translated()` turns what the SDK raised into one of
these; the SDK's error stays attached as `__cause__`. Each subclasses the
builtin a caller would catch (FileNotFoundError, PermissionError,
ConnectionError), so code written against files keeps working.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

__all__ = [
    "GcsBucketNotFoundError",
    "GcsCredentialsError",
    "GcsEndpointError",
    "GcsObjectNotFoundError",
    "translated",
]


class GcsObjectNotFoundError(FileNotFoundError):
    """No object at that key in the bucket."""


class GcsBucketNotFoundError(FileNotFoundError):
    """The bucket itself does not exist."""


class GcsCredentialsError(PermissionError):
    """The credentials were refused, or no access token could be had for them."""


class GcsEndpointError(ConnectionError):
    """The storage endpoint (or the token endpoint) could not be reached."""


@contextlib.contextmanager
def translated(
    *,
    bucket: str,
    key: str | None,
    action: str,
    bucket_exists: Callable[[], bool],
    endpoint: str,
) -> Iterator[None]:
    """Raise the SDK's errors raised inside the block as the errors above.

    `bucket_exists` is only called after a 404, to tell a missing bucket
    from a missing object.
    """
    import requests
    from google.api_core import exceptions as api
    from google.auth import exceptions as auth

    where = f"GCS bucket {bucket!r}" + (f", key {key!r}" if key else "")
    try:
        yield
    except api.NotFound as exc:
        if _safe(bucket_exists):
            raise GcsObjectNotFoundError(
                f"{where}: no such object (while trying to {action}); check the path, or "
                "call list_blobs() to see what is there"
            ) from exc
        raise GcsBucketNotFoundError(
            f"GCS bucket {bucket!r} does not exist at {endpoint} (while trying to {action}); "
            f"fix the bucket name, or create it with GcsBucket(bucket={bucket!r}, ...)"
            ".create_bucket()"
        ) from exc
    except (api.Unauthorized, api.Forbidden) as exc:
        raise GcsCredentialsError(
            f"{where}: Google Cloud refused the credentials while trying to {action} "
            f"({exc.code} {_first_line(exc)}); check that the service account key is current "
            "and has the Storage Object Admin role (or the permissions needed) on the bucket"
        ) from exc
    except auth.RefreshError as exc:
        raise GcsCredentialsError(
            f"{where}: could not get an access token for the GcpCredentials while trying to "
            f"{action} ({_first_line(exc)}); the service account key may be revoked or wrong: "
            "create a new key and save it in the GcpCredentials block"
        ) from exc
    except (auth.TransportError, requests.exceptions.ConnectionError, api.RetryError) as exc:
        raise GcsEndpointError(
            f"{where}: cannot reach {endpoint} while trying to {action} "
            f"({type(exc).__name__}); check the network, or STORAGE_EMULATOR_HOST if you use "
            "an emulator (it needs the scheme, e.g. http://127.0.0.1:4443)"
        ) from exc


def _safe(check: Callable[[], bool]) -> bool:
    """`check()`, treating any failure to find out as "the bucket exists"."""
    try:
        return check()
    except Exception:
        return True


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc)
    return str(text).strip().splitlines()[0][:200] if str(text).strip() else type(exc).__name__
