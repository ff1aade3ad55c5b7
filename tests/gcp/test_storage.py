"""GcsBucket against a real fake-gcs-server: every storage method, with the folder prefix."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest


def names(sdk_client, bucket: str) -> list[str]:
    return sorted(blob.name for blob in sdk_client.list_blobs(bucket))


def test_write_then_read_under_the_folder(gcs_bucket, sdk_client) -> None:
    key = gcs_bucket.write_path("results/one.bin", b"\x00payload")
    assert key == "base/results/one.bin"
    assert gcs_bucket.read_path("results/one.bin") == b"\x00payload"
    assert names(sdk_client, gcs_bucket.bucket) == ["base/results/one.bin"]


def test_bucket_folder_gets_a_slash_like_prefect(bucket_name, credentials) -> None:
    from headwater_gcp import GcsBucket

    assert GcsBucket(bucket=bucket_name, bucket_folder="a/b").bucket_folder == "a/b/"
    assert GcsBucket(bucket=bucket_name).bucket_folder == ""


def test_list_blobs_folders_and_objects(gcs_bucket) -> None:
    for path in ["x/1.txt", "x/y/2.txt", "z/3.txt", "xx/4.txt"]:
        gcs_bucket.write_path(path, path.encode())
    assert sorted(b.name for b in gcs_bucket.list_blobs()) == [
        "base/x/1.txt",
        "base/x/y/2.txt",
        "base/xx/4.txt",
        "base/z/3.txt",
    ]
    # a folder is a folder, not a string prefix: "x" does not list "xx/"
    assert sorted(b.name for b in gcs_bucket.list_blobs("x")) == ["base/x/1.txt", "base/x/y/2.txt"]
    assert gcs_bucket.list_folders() == ["base/x", "base/x/y", "base/xx", "base/z"]
    listed = {o["key"]: o for o in gcs_bucket.list_objects("x")}
    assert set(listed) == {"x/1.txt", "x/y/2.txt"}
    assert listed["x/1.txt"]["size"] == len(b"x/1.txt")
    assert listed["x/1.txt"]["name"] == "base/x/1.txt"


def test_upload_and_download_paths(gcs_bucket, tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "report.csv"
    source.write_bytes(b"a,b\n1,2\n")
    assert gcs_bucket.upload_from_path(source) == "base/report.csv"
    assert gcs_bucket.upload_from_path(source, "copies/r.csv") == "base/copies/r.csv"
    out = gcs_bucket.download_object_to_path("copies/r.csv", tmp_path / "out" / "r.csv")
    assert out == tmp_path / "out" / "r.csv" and out.read_bytes() == b"a,b\n1,2\n"
    monkeypatch.chdir(tmp_path / "out")
    default = gcs_bucket.download_object_to_path("report.csv")
    assert default == tmp_path / "out" / "report.csv"
    assert default.read_bytes() == b"a,b\n1,2\n"
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".part")]


def test_file_objects(gcs_bucket) -> None:
    data = b"0123456789" * 1000
    assert gcs_bucket.upload_from_file_object(io.BytesIO(data), "f.bin") == "base/f.bin"
    sink = io.BytesIO()
    assert gcs_bucket.download_object_to_file_object("f.bin", sink) is sink
    assert sink.getvalue() == data


def test_large_object_streams_in_resumable_chunks(gcs_bucket, tmp_path: Path) -> None:
    import hashlib
    import os

    from headwater_gcp.cloud_storage import UPLOAD_CHUNK_SIZE

    size = UPLOAD_CHUNK_SIZE * 2 + 12345  # three chunks: a resumable upload
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(size))
    gcs_bucket.upload_from_path(source, "big.bin")
    out = gcs_bucket.download_object_to_path("big.bin", tmp_path / "big.out")
    assert out.stat().st_size == size
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest


def test_folders_round_trip(gcs_bucket, local_tree: Path, tmp_path: Path, sdk_client) -> None:
    assert gcs_bucket.upload_from_folder(local_tree, "tree") == "base/tree"
    assert names(sdk_client, gcs_bucket.bucket) == [
        "base/tree/a.txt",
        "base/tree/sub/b.bin",
        "base/tree/sub/deeper/c.txt",
    ]
    to = gcs_bucket.download_folder_to_path("tree", tmp_path / "back")
    assert to == tmp_path / "back"
    for rel in ["a.txt", "sub/b.bin", "sub/deeper/c.txt"]:
        assert (to / rel).read_bytes() == (local_tree / rel).read_bytes()


def test_put_and_get_directory(gcs_bucket, local_tree: Path, tmp_path: Path) -> None:
    ignore = tmp_path / ".ignore"
    ignore.write_text("# no binaries\n*.bin\n")
    assert gcs_bucket.put_directory(str(local_tree), "deploy", str(ignore)) == 2
    got = gcs_bucket.get_directory("deploy", str(tmp_path / "checkout"))
    assert sorted(p.relative_to(tmp_path / "checkout").as_posix() for p in got) == [
        "a.txt",
        "sub/deeper/c.txt",
    ]
    assert gcs_bucket.basepath == "base/"


def test_get_bucket_and_create_bucket(gcs_bucket, credentials) -> None:
    from headwater_gcp import GcsBucket

    assert gcs_bucket.get_bucket().name == gcs_bucket.bucket
    fresh = GcsBucket(bucket="hw-created-here", gcp_credentials=credentials)
    assert fresh.create_bucket().name == "hw-created-here"
    with pytest.raises(FileExistsError, match="'hw-created-here' already exists"):
        fresh.create_bucket()


def test_async_twins(gcs_bucket, tmp_path: Path) -> None:
    async def main() -> tuple[bytes, list[str], Path]:
        await gcs_bucket.awrite_path("a/1.txt", b"one")
        source = tmp_path / "s.txt"
        source.write_bytes(b"two")
        await gcs_bucket.aupload_from_path(source, "a/2.txt")
        content = await gcs_bucket.aread_path("a/1.txt")
        listed = [b.name for b in await gcs_bucket.alist_blobs("a")]
        out = await gcs_bucket.adownload_object_to_path("a/2.txt", tmp_path / "d.txt")
        return content, sorted(listed), out

    content, listed, out = asyncio.run(main())
    assert content == b"one"
    assert listed == ["base/a/1.txt", "base/a/2.txt"]
    assert out.read_bytes() == b"two"
    assert GcsBucketAsyncNames.issubset(dir(type(gcs_bucket)))


GcsBucketAsyncNames = {
    "acreate_bucket",
    "aget_bucket",
    "alist_blobs",
    "alist_folders",
    "aread_path",
    "awrite_path",
    "adownload_object_to_path",
    "adownload_object_to_file_object",
    "adownload_folder_to_path",
    "aupload_from_path",
    "aupload_from_file_object",
    "aupload_from_folder",
    "aget_directory",
    "aput_directory",
}
