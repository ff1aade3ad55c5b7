"""S3Bucket against a real S3 endpoint (moto's server): every storage method, folder prefix applied."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest


def keys(s3_client, bucket_name: str) -> list[str]:
    listed = s3_client.list_objects_v2(Bucket=bucket_name).get("Contents", [])
    return sorted(item["Key"] for item in listed)


def test_write_and_read_path_under_the_folder(bucket, s3_client, bucket_name):
    assert bucket.write_path("x/one.bin", b"1") == "base/x/one.bin"
    assert bucket.read_path("x/one.bin") == b"1"
    assert keys(s3_client, bucket_name) == ["base/x/one.bin"]
    body = s3_client.get_object(Bucket=bucket_name, Key="base/x/one.bin")["Body"].read()
    assert body == b"1"


def test_large_write_path_goes_up_in_parts(bucket, s3_client, bucket_name):
    content = b"z" * (9 * 1024 * 1024)
    bucket.write_path("big.bin", content)
    head = s3_client.head_object(Bucket=bucket_name, Key="base/big.bin")
    assert "-" in head["ETag"], "a multipart upload's ETag ends in -<parts>"
    assert bucket.read_path("big.bin") == content


def test_upload_and_download_path(bucket, tmp_path: Path):
    source = tmp_path / "notes.txt"
    source.write_text("hello")
    assert bucket.upload_from_path(source) == "base/notes.txt"
    assert bucket.upload_from_path(source, "other/n.txt") == "base/other/n.txt"
    target = bucket.download_object_to_path("other/n.txt", tmp_path / "out" / "n.txt")
    assert target == (tmp_path / "out" / "n.txt").absolute()
    assert target.read_text() == "hello"


def test_file_objects(bucket):
    assert bucket.upload_from_file_object(io.BytesIO(b"stream"), "s.bin") == "base/s.bin"
    out = io.BytesIO()
    assert bucket.download_object_to_file_object("s.bin", out) is out
    assert out.getvalue() == b"stream"


def test_folders_round_trip(bucket, files: Path, tmp_path: Path, s3_client, bucket_name):
    assert bucket.upload_from_folder(files, "tree") == "tree"
    assert keys(s3_client, bucket_name) == [
        "base/tree/a.txt",
        "base/tree/sub/b.txt",
        "base/tree/sub/deeper/c.bin",
    ]
    s3_client.put_object(Bucket=bucket_name, Key="base/tree2/not-mine.txt", Body=b"x")
    out = bucket.download_folder_to_path("tree", tmp_path / "copy")
    found = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert found == ["a.txt", "sub/b.txt", "sub/deeper/c.bin"], "tree2/ is not under tree/"
    assert (out / "sub" / "deeper" / "c.bin").read_bytes() == bytes(range(256))


def test_list_objects(bucket, files: Path):
    bucket.upload_from_folder(files)
    listed = bucket.list_objects()
    assert sorted(o["Key"] for o in listed) == [
        "base/a.txt",
        "base/sub/b.txt",
        "base/sub/deeper/c.bin",
    ]
    assert [o["Key"] for o in bucket.list_objects("sub/deeper")] == ["base/sub/deeper/c.bin"]
    assert len(bucket.list_objects(page_size=1, max_items=2)) == 2
    small = bucket.list_objects(jmespath_query="Contents[?Size < `10`][]")
    assert sorted(o["Key"] for o in small) == ["base/a.txt", "base/sub/b.txt"]


def test_copy_and_move(bucket, s3_client, bucket_name, aws_credentials):
    from headwater_aws import S3Bucket

    bucket.write_path("src.txt", b"data")
    assert bucket.copy_object("src.txt", "copy.txt") == "base/copy.txt"
    s3_client.create_bucket(Bucket=f"{bucket_name}-2")
    other = S3Bucket(bucket_name=f"{bucket_name}-2", credentials=aws_credentials, bucket_folder="o")
    assert bucket.copy_object("src.txt", "c.txt", to_bucket=other) == "o/c.txt"
    assert bucket.copy_object("src.txt", "raw.txt", to_bucket=f"{bucket_name}-2") == "raw.txt"
    assert other.read_path("c.txt") == b"data"
    assert bucket.move_object("copy.txt", "moved.txt") == "base/moved.txt"
    assert keys(s3_client, bucket_name) == ["base/moved.txt", "base/src.txt"]
    assert bucket.read_path("moved.txt") == b"data"


def test_stream_from_another_bucket(bucket, s3_client, bucket_name, aws_credentials):
    from headwater_aws import S3Bucket

    s3_client.create_bucket(Bucket=f"{bucket_name}-src")
    source = S3Bucket(bucket_name=f"{bucket_name}-src", credentials=aws_credentials)
    source.write_path("in/data.bin", b"q" * 100)
    assert bucket.stream_from(source, "in/data.bin") == "base/data.bin"
    assert bucket.read_path("data.bin") == b"q" * 100


def test_directories_for_deployments(bucket, files: Path, tmp_path: Path):
    ignore = tmp_path / ".hwignore"
    ignore.write_text("# comment\n*.bin\n")
    assert bucket.put_directory(str(files), "code", ignore_file=str(ignore)) == 2
    out = tmp_path / "checkout"
    bucket.get_directory("code", str(out))
    found = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert found == ["a.txt", "sub/b.txt"]


def test_async_twins(bucket, files: Path, tmp_path: Path):
    async def main() -> None:
        assert await bucket.awrite_path("a.txt", b"A") == "base/a.txt"
        assert await bucket.aread_path("a.txt") == b"A"
        await bucket.aupload_from_folder(files, "f")
        assert len(await bucket.alist_objects("f")) == 3
        await bucket.acopy_object("a.txt", "b.txt")
        await bucket.amove_object("b.txt", "c.txt")
        path = await bucket.adownload_object_to_path("c.txt", tmp_path / "c.txt")
        assert path.read_bytes() == b"A"
        out = io.BytesIO()
        await bucket.adownload_object_to_file_object("a.txt", out)
        assert out.getvalue() == b"A"
        await bucket.aupload_from_file_object(io.BytesIO(b"F"), "fo.txt")
        await bucket.aupload_from_path(tmp_path / "c.txt", "p.txt")
        folder = await bucket.adownload_folder_to_path("f", tmp_path / "f")
        assert (folder / "a.txt").read_bytes() == b"alpha"

    asyncio.run(main())


def test_minio_credentials_work_with_an_endpoint(endpoint, bucket_name):
    from headwater_aws import AwsClientParameters, MinIOCredentials, S3Bucket

    creds = MinIOCredentials(
        minio_root_user="minio",
        minio_root_password="minio-pass",
        region_name="us-east-1",
        aws_client_parameters=AwsClientParameters(endpoint_url=endpoint),
    )
    bucket = S3Bucket(bucket_name=bucket_name, credentials=creds)
    bucket.write_path("m.txt", b"m")
    assert bucket.read_path("m.txt") == b"m"


def test_saved_bucket_loads_with_nested_credentials(bucket):
    from headwater_aws import AwsCredentials, S3Bucket

    bucket.credentials.save("creds")
    bucket.save("store")
    loaded = S3Bucket.load("store")
    assert isinstance(loaded.credentials, AwsCredentials)
    assert loaded.credentials.aws_secret_access_key.get_secret_value() == "testing-secret-key"
    loaded.write_path("saved.txt", b"ok")
    assert bucket.read_path("saved.txt") == b"ok"


def test_clients_are_reused(aws_credentials):
    assert aws_credentials.get_s3_client() is aws_credentials.get_s3_client()
    assert aws_credentials.get_client("s3") is aws_credentials.get_s3_client()
    changed = aws_credentials.model_copy(update={"region_name": "eu-west-1"})
    assert changed.get_s3_client() is not aws_credentials.get_s3_client()


@pytest.mark.parametrize("path", ["../escape.txt", "a/../../escape.txt", "/etc/passwd"])
def test_paths_cannot_leave_the_folder(bucket, path):
    from headwater.blocks.object_keys import ObjectKeyError

    with pytest.raises(ObjectKeyError, match="S3Bucket"):
        bucket.write_path(path, b"x")
    with pytest.raises(ObjectKeyError):
        bucket.read_path(path)
