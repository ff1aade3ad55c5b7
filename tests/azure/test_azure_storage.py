"""AzureBlobStorageContainer against a real Azurite: every storage method, under base_folder."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from headwater.blocks.object_keys import ObjectKeyError
from headwater_azure import AzureBlobStorageContainer
from headwater_azure.errors import (
    AzureConnectionError,
    BlobExistsError,
    BlobNotFoundError,
    ContainerNotFoundError,
)


@pytest.fixture
def folder_block(container_name, credentials):
    return AzureBlobStorageContainer(
        container_name=container_name, credentials=credentials, base_folder="team/runs"
    )


def test_paths_land_under_base_folder(folder_block, sdk, tmp_path: Path):
    folder_block.write_path("r/one.bin", b"1")
    source = tmp_path / "two.txt"
    source.write_bytes(b"2")
    assert folder_block.upload_from_path(source) == "team/runs/two.txt"
    assert folder_block.upload_from_path(source, "sub/2.txt") == "team/runs/sub/2.txt"
    assert folder_block.upload_from_file_object(io.BytesIO(b"3"), "three") == "team/runs/three"
    sdk.upload_blob("elsewhere/x", b"outside")
    sdk.upload_blob("team/runs-other/y", b"sibling prefix, not the folder")

    expected = [
        "team/runs/r/one.bin",
        "team/runs/sub/2.txt",
        "team/runs/three",
        "team/runs/two.txt",
    ]
    assert sorted(folder_block.list_blobs()) == expected
    assert folder_block.list_objects("sub") == ["team/runs/sub/2.txt"]
    assert sdk.download_blob("team/runs/r/one.bin").readall() == b"1"
    assert folder_block.read_path("three") == b"3"


@pytest.mark.parametrize("bad", ["../escape.txt", "a/../../escape.txt", "/etc/passwd"])
def test_keys_that_leave_the_folder_are_refused(folder_block, sdk, bad: str):
    with pytest.raises(ObjectKeyError, match=folder_block.container_name):
        folder_block.write_path(bad, b"x")
    with pytest.raises(ObjectKeyError):
        folder_block.read_path(bad)
    assert list(sdk.list_blobs()) == []


def test_download_to_path_and_file_object(container, tmp_path: Path):
    container.write_path("data/file.bin", b"payload" * 1000)
    target = container.download_object_to_path("data/file.bin", tmp_path / "deep" / "f.bin")
    assert target.read_bytes() == b"payload" * 1000
    buffer = io.BytesIO()
    assert container.download_object_to_file_object("data/file.bin", buffer) is buffer
    assert buffer.getvalue() == b"payload" * 1000


def test_folder_round_trip(folder_block, tmp_path: Path):
    source = tmp_path / "src"
    (source / "nested" / "deeper").mkdir(parents=True)
    (source / "a.txt").write_text("a")
    (source / "nested" / "b.txt").write_text("b")
    (source / "nested" / "deeper" / "c.txt").write_text("c")
    assert folder_block.upload_from_folder(source, "snap") == "team/runs/snap"
    out = folder_block.download_folder_to_path("snap", tmp_path / "out")
    found = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert found == ["a.txt", "nested/b.txt", "nested/deeper/c.txt"]
    assert (out / "nested" / "deeper" / "c.txt").read_text() == "c"


def test_put_and_get_directory_with_ignore_file(container, tmp_path: Path):
    source = tmp_path / "project"
    (source / "pkg").mkdir(parents=True)
    (source / "flow.py").write_text("print('hi')")
    (source / "pkg" / "mod.py").write_text("x = 1")
    (source / "pkg" / "mod.pyc").write_bytes(b"\0")
    (source / ".env").write_text("TOKEN=1")
    ignore = tmp_path / ".headwaterignore"
    ignore.write_text("# compiled\n*.pyc\n.env\n")
    assert container.put_directory(str(source), "deploy", ignore_file=str(ignore)) == 2
    assert sorted(container.list_blobs()) == ["deploy/flow.py", "deploy/pkg/mod.py"]
    # put_directory overwrites, as deployments re-upload the same paths
    (source / "flow.py").write_text("print('v2')")
    assert container.put_directory(str(source), "deploy", ignore_file=str(ignore)) == 2
    container.get_directory("deploy", str(tmp_path / "checkout"))
    assert (tmp_path / "checkout" / "flow.py").read_text() == "print('v2')"
    assert (tmp_path / "checkout" / "pkg" / "mod.py").read_text() == "x = 1"


def test_missing_blob_names_blob_container_and_fix(container):
    with pytest.raises(BlobNotFoundError) as info:
        container.read_path("nope/missing.txt")
    message = str(info.value)
    assert "'nope/missing.txt'" in message and container.container_name in message
    assert "list_blobs()" in message
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, RuntimeError)


def test_failed_download_leaves_no_local_file(container, tmp_path: Path):
    target = tmp_path / "downloads" / "out.bin"
    with pytest.raises(BlobNotFoundError):
        container.download_object_to_path("missing.bin", target)
    assert list(target.parent.iterdir()) == []


def test_missing_container(credentials, tmp_path: Path):
    block = AzureBlobStorageContainer(container_name="no-such-container", credentials=credentials)
    for call in (
        lambda: block.write_path("k", b"x"),
        lambda: block.read_path("k"),
        block.list_blobs,
    ):
        with pytest.raises(ContainerNotFoundError) as info:
            call()
        assert "'no-such-container'" in str(info.value)
        assert "does not exist" in str(info.value) and "create" in str(info.value).lower()


def test_missing_local_file_and_folder(container, tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="nothing-here.txt"):
        container.upload_from_path(tmp_path / "nothing-here.txt", "x")
    with pytest.raises(IsADirectoryError, match="upload_from_folder"):
        container.upload_from_path(tmp_path, "x")
    with pytest.raises(FileNotFoundError, match="no-folder"):
        container.upload_from_folder(tmp_path / "no-folder")
    assert container.list_blobs() == []


def test_existing_blob_kept_unless_overwrite(container, tmp_path: Path):
    source = tmp_path / "f.txt"
    source.write_text("first")
    container.upload_from_path(source, "f.txt")
    source.write_text("second")
    with pytest.raises(BlobExistsError, match="overwrite=True"):
        container.upload_from_path(source, "f.txt")
    assert container.read_path("f.txt") == b"first"
    container.upload_from_path(source, "f.txt", overwrite=True)
    assert container.read_path("f.txt") == b"second"


def test_file_vanishing_midway_through_a_folder_upload(container, tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (source / name).write_text(name)

    def remove_next(response) -> None:
        (source / "b.txt").unlink(missing_ok=True)

    # The SDK's own hook runs after a.txt is sent; b.txt is gone before it is opened.
    with pytest.raises(FileNotFoundError) as info:
        container.upload_from_folder(source, "dst", raw_response_hook=remove_next)
    message = str(info.value)
    assert "b.txt" in message and "1 files were uploaded" in message
    assert container.list_blobs() == ["dst/a.txt"]


class _Breaks(io.RawIOBase):
    """A readable stream that fails after `limit` bytes, like a dropped source."""

    def __init__(self, limit: int) -> None:
        self.sent = 0
        self.limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.sent >= self.limit:
            raise OSError("source connection dropped")
        n = min(len(buffer), self.limit - self.sent + 1)
        buffer[:n] = b"z" * n
        self.sent += n
        return n


def test_interrupted_upload_commits_nothing(container, sdk):
    """A chunked upload that fails midway leaves no blob (new) and the old one intact."""
    size = 20 * 1024 * 1024
    with pytest.raises(OSError, match="dropped"):
        container.upload_from_file_object(_Breaks(12 * 1024 * 1024), "big.bin", length=size)
    with pytest.raises(BlobNotFoundError):
        container.read_path("big.bin")

    container.write_path("big.bin", b"complete old version")
    with pytest.raises(OSError, match="dropped"):
        container.upload_from_file_object(
            _Breaks(12 * 1024 * 1024), "big.bin", length=size, overwrite=True
        )
    assert container.read_path("big.bin") == b"complete old version"


def test_large_transfers_are_chunked(container, sdk, tmp_path: Path):
    """Uploads go as staged blocks (so never whole in memory); the download matches."""
    source = tmp_path / "big.bin"
    chunk = os.urandom(1024 * 1024)
    with open(source, "wb") as f:
        for _ in range(21):
            f.write(chunk)
    container.upload_from_path(source, "big.bin")
    committed, _ = sdk.get_blob_client("big.bin").get_block_list("committed")
    assert len(committed) >= 5  # 21 MiB in 4 MiB blocks
    target = container.download_object_to_path("big.bin", tmp_path / "back.bin")
    assert target.stat().st_size == 21 * 1024 * 1024
    with open(source, "rb") as a, open(target, "rb") as b:
        assert a.read() == b.read()


def test_unreachable_endpoint_fails_fast_with_a_clear_error():
    from azurite_support import connection_string
    from headwater_azure import AzureBlobStorageCredentials
    from hw_services import free_port

    port = free_port()  # nothing listens there
    block = AzureBlobStorageContainer(
        container_name="c",
        credentials=AzureBlobStorageCredentials(connection_string=connection_string(port)),
    )
    with pytest.raises(AzureConnectionError) as info:
        block.read_path("k")
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message and "'c'" in message
    assert "refused" in message.lower()
