"""A large local file sent to GCS in one streamed request of a resumable upload.

google-cloud-storage sends a file in resumable chunks, each read into memory
first: 100 MiB chunks by default (+200 MB of memory), or many small requests
when the chunk is kept small. Here the upload session is opened by the SDK
(`Blob.create_resumable_upload_session`) and the whole file goes in one PUT
whose body is read from disk as it is sent, so memory stays flat whatever the
size. If that request breaks off (or GCS answers 408, 429 or 5xx), the
session is cancelled and the file is sent again in a new one, a few times
with backoff. (Resuming a session at the offset GCS persisted would save
resending, but fake-gcs-server completes a session on the status query that
asks for that offset, so the emulator could not test it.) GCS shows the object
only when the last byte has arrived, so a failed upload leaves no partial object.
The CRC32C of what was read is compared with the one GCS computed; on a
mismatch the new object is deleted and the upload fails.
"""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from google.cloud.storage import Blob

__all__ = ["SESSION_OPTIONS", "stream_upload"]

#: upload options this path understands (all go to the session); others use the SDK's upload
SESSION_OPTIONS = frozenset(
    {
        "content_type",
        "timeout",
        "retry",
        "predefined_acl",
        "if_generation_match",
        "if_generation_not_match",
        "if_metageneration_match",
        "if_metageneration_not_match",
    }
)
#: whole-file attempts before a broken-off upload fails
ATTEMPTS = 5
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class _Body:
    """`size` bytes of `source` for requests to stream, noting the CRC32C and any read error."""

    def __init__(self, source: BinaryIO, size: int, crc: Any) -> None:
        self.source = source
        self.left = size
        self.crc = crc
        #: an error reading the source (the request then fails; this is what to raise)
        self.error: BaseException | None = None

    def __len__(self) -> int:
        return self.left

    def __iter__(self) -> Any:  # requests streams an object that has __iter__ and __len__
        while block := self.read(1 << 20):
            yield block

    def read(self, n: int = -1) -> bytes:
        want = self.left if n is None or n < 0 else min(n, self.left)
        try:
            block = self.source.read(want) if want else b""
        except BaseException as exc:
            self.error = exc
            raise
        self.left -= len(block)
        if self.crc is not None:
            self.crc.update(block)
        return block


def stream_upload(blob: Blob, source: BinaryIO, size: int, **options: Any) -> None:
    """Upload `size` bytes of `source` (a seekable file at its start position) to `blob`."""
    from google.api_core import exceptions as api
    from requests import exceptions as http

    start = source.tell()
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(min(2**attempt * 0.25, 4))
            source.seek(start)
        try:
            _send(blob, source, size, options)
            return
        except (http.ConnectionError, http.Timeout, _BrokenOff):
            if attempt + 1 == ATTEMPTS:
                raise
    raise api.ServiceUnavailable(f"the upload to {blob.name!r} failed; upload it again")


class _BrokenOff(Exception):
    """The server answered with a status worth another try (408, 429, 5xx)."""


def _send(blob: Blob, source: BinaryIO, size: int, options: dict[str, Any]) -> None:
    """One whole upload in a new session; the session is cancelled if it fails."""
    import google_crc32c
    from google.api_core import exceptions as api
    from requests import exceptions as http

    url = blob.create_resumable_upload_session(size=size, checksum=None, **options)
    transport = blob.client._http  # the SDK's authorised requests session
    body = _Body(source, size, google_crc32c.Checksum())
    last = f"0-{size - 1}" if size else "*"
    done = False
    try:
        try:
            response = transport.put(
                url, data=body, headers={"Content-Range": f"bytes {last}/{size}"},
                timeout=options.get("timeout", 60),
            )  # fmt: skip
        except (http.ConnectionError, http.Timeout):
            if body.error is not None:
                raise body.error from None
            raise
        if body.error is not None:
            raise body.error
        if response.status_code in _RETRY_STATUS:
            raise _BrokenOff(response.status_code)
        if response.status_code not in (200, 201):
            raise api.from_http_response(response)
        done = True
        _check(blob, response.json(), size, body.crc)
    finally:
        if not done:
            _cancel(transport, url)


def _check(blob: Blob, resource: dict[str, Any], size: int, crc: Any) -> None:
    """Fail (and remove the object) if GCS holds other bytes than were read."""
    from google.api_core import exceptions as api

    expected = base64.b64encode(crc.digest()).decode()
    stored = resource.get("crc32c")
    if int(resource.get("size", size)) == size and stored in (None, expected):
        return
    try:
        blob.bucket.blob(blob.name, generation=resource.get("generation")).delete()
    except api.GoogleAPICallError:
        pass
    raise api.DataLoss(
        f"GCS stored {resource.get('size')} bytes with CRC32C {stored} for {blob.name!r}, "
        f"but {size} bytes with CRC32C {expected} were sent; the object was removed: "
        "upload it again"
    )


def _cancel(transport: Any, url: str) -> None:
    """Best effort: tell GCS to drop the unfinished session (it expires anyway)."""
    try:
        transport.delete(url, timeout=10)
    except Exception:
        pass
