"""Bad input as users hit it: each error names the bucket / key / path and the fix."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hw_services import free_port

SENTINEL = "sentinel-SECRET-9f1c2e"


def test_missing_bucket(aws_credentials):
    from headwater_aws import S3Bucket
    from headwater_aws.errors import BucketNotFoundError

    bucket = S3Bucket(bucket_name="no-such-bucket-hw", credentials=aws_credentials)
    for call in (
        lambda: bucket.read_path("a.txt"),
        lambda: bucket.write_path("a.txt", b"x"),
        lambda: bucket.list_objects(),
        lambda: bucket.upload_from_file_object(io.BytesIO(b"x"), "a.txt"),
    ):
        with pytest.raises(BucketNotFoundError, match="'no-such-bucket-hw' is missing") as info:
            call()
        assert "Create it" in str(info.value)
        assert not isinstance(info.value, FileNotFoundError), "must not look like a cache miss"


def test_missing_key(bucket, tmp_path: Path):
    from headwater_aws.errors import ObjectNotFoundError

    with pytest.raises(ObjectNotFoundError, match=r"no object with key 'base/nope\.txt'"):
        bucket.read_path("nope.txt")
    target = tmp_path / "downloads" / "nope.txt"
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        bucket.download_object_to_path("nope.txt", target)
    assert list(target.parent.iterdir()) == [], "no (temporary) download file is left behind"


def test_wrong_credentials_are_refused_by_name(auth_moto_server, bucket_name):
    from headwater_aws import AwsClientParameters, AwsCredentials, S3Bucket
    from headwater_aws.errors import S3CredentialsError

    creds = AwsCredentials(
        aws_access_key_id="AKIAWRONGKEY",
        aws_secret_access_key=SENTINEL,
        region_name="us-east-1",
        aws_client_parameters=AwsClientParameters(endpoint_url=auth_moto_server.url),
    )
    bucket = S3Bucket(bucket_name=bucket_name, credentials=creds)
    with pytest.raises(S3CredentialsError, match="refused the credentials") as info:
        bucket.write_path("a.txt", b"x")
    message = str(info.value)
    assert bucket_name in message and "a.txt" in message
    assert SENTINEL not in message and "AKIAWRONGKEY" not in message
    assert SENTINEL not in repr(info.value.__cause__)


def test_no_credentials_at_all(endpoint, bucket_name, monkeypatch, tmp_path: Path):
    from headwater_aws import AwsClientParameters, AwsCredentials, S3Bucket
    from headwater_aws.errors import S3CredentialsError

    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    creds = AwsCredentials(
        region_name="us-east-1",
        aws_client_parameters=AwsClientParameters(
            endpoint_url=endpoint, config={"retries": {"max_attempts": 1}}
        ),
    )
    with pytest.raises(S3CredentialsError, match="no AWS credentials were found"):
        S3Bucket(bucket_name=bucket_name, credentials=creds).read_path("a.txt")


def test_unreachable_endpoint(aws_credentials):
    from headwater_aws import AwsClientParameters, S3Bucket
    from headwater_aws.errors import S3ConnectionError

    dead = f"http://127.0.0.1:{free_port()}"
    params = AwsClientParameters(
        endpoint_url=dead, config={"retries": {"max_attempts": 1}, "connect_timeout": 2}
    )
    creds = aws_credentials.model_copy(update={"aws_client_parameters": params})
    bucket = S3Bucket(bucket_name="somewhere", credentials=creds)
    with pytest.raises(S3ConnectionError, match="could not be reached") as info:
        bucket.read_path("a.txt")
    assert dead in str(info.value) and "endpoint_url" in str(info.value)


def test_missing_local_file(bucket, tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no file at .*missing.txt"):
        bucket.upload_from_path(tmp_path / "missing.txt")
    with pytest.raises(FileNotFoundError, match="No folder at .*missing-dir"):
        bucket.upload_from_folder(tmp_path / "missing-dir")


def test_file_vanishing_during_folder_upload(bucket, files: Path, s3_client, bucket_name):
    doomed = files / "sub" / "b.txt"

    def remove_next_file(_bytes: int) -> None:
        doomed.unlink(missing_ok=True)

    with pytest.raises(FileNotFoundError, match="b.txt' disappeared while uploading") as info:
        bucket.upload_from_folder(files, "tree", Callback=remove_next_file)
    assert "1 file(s) were uploaded before it" in str(info.value)
    listed = s3_client.list_objects_v2(Bucket=bucket_name).get("Contents", [])
    assert [o["Key"] for o in listed] == ["base/tree/a.txt"]


class FailingReader(io.RawIOBase):
    """A file object that gives `good` bytes, then fails like a dropped network share."""

    def __init__(self, good: int) -> None:
        self.left = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self.left <= 0:
            raise OSError("the source went away")
        n = min(len(buffer), self.left)
        buffer[:n] = b"x" * n
        self.left -= n
        return n


@pytest.mark.parametrize("good", [1000, 20 * 1024 * 1024], ids=["single-put", "multipart"])
def test_failed_upload_leaves_no_object(bucket, s3_client, bucket_name, good):
    from headwater_aws.errors import ObjectNotFoundError

    bucket.write_path("result.bin", b"old complete value")
    with pytest.raises(OSError, match="the source went away"):
        bucket.upload_from_file_object(FailingReader(good), "partial.bin")
    with pytest.raises(ObjectNotFoundError):
        bucket.read_path("partial.bin")
    uploads = s3_client.list_multipart_uploads(Bucket=bucket_name).get("Uploads", [])
    assert uploads == [], "the failed multipart upload was aborted"
    with pytest.raises(OSError, match="the source went away"):
        bucket.upload_from_file_object(FailingReader(good), "result.bin")
    assert bucket.read_path("result.bin") == b"old complete value"


def test_object_key_escaping_the_download_folder(bucket, s3_client, bucket_name, tmp_path: Path):
    from headwater.blocks.object_keys import ObjectKeyError

    s3_client.put_object(Bucket=bucket_name, Key="base/t/..%2F..%2Fevil", Body=b"x")
    s3_client.put_object(Bucket=bucket_name, Key="base/t/../../evil.txt", Body=b"x")
    listed = [o["Key"] for o in s3_client.list_objects_v2(Bucket=bucket_name)["Contents"]]
    if "base/t/../../evil.txt" not in listed:
        pytest.skip(f"this endpoint normalised the key: {listed}")
    with pytest.raises(ObjectKeyError, match="outside"):
        bucket.download_folder_to_path("t", tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()
