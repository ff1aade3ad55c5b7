"""Unhappy paths as users hit them: each error names the bucket, key or path, and the fix."""

from __future__ import annotations

import io
from pathlib import Path

import pytest


def test_missing_object_is_file_not_found_naming_the_key(gcs_bucket) -> None:
    from headwater_gcp.exceptions import GcsObjectNotFoundError

    with pytest.raises(GcsObjectNotFoundError, match=r"'base/nope.txt'.*list_blobs") as info:
        gcs_bucket.read_path("nope.txt")
    assert isinstance(info.value, FileNotFoundError)
    assert gcs_bucket.bucket in str(info.value)


def test_missing_bucket_says_so_and_how_to_create_it(credentials) -> None:
    from headwater_gcp import GcsBucket
    from headwater_gcp.exceptions import GcsBucketNotFoundError

    block = GcsBucket(bucket="hw-no-such-bucket", gcp_credentials=credentials)
    for call in (
        lambda: block.write_path("k", b"v"),
        lambda: block.read_path("k"),
        block.list_blobs,
        block.get_bucket,
    ):
        with pytest.raises(GcsBucketNotFoundError, match=r"'hw-no-such-bucket' does not exist"):
            call()
    with pytest.raises(GcsBucketNotFoundError, match=r"create_bucket\(\)"):
        block.write_path("k", b"v")


@pytest.mark.parametrize("path", ["../escape.txt", "a/../../escape.txt", "/etc/passwd"])
def test_keys_that_leave_the_folder_are_refused(gcs_bucket, sdk_client, path: str) -> None:
    from headwater.blocks.object_keys import ObjectKeyError

    with pytest.raises(ObjectKeyError, match=gcs_bucket.bucket):
        gcs_bucket.write_path(path, b"x")
    with pytest.raises(ObjectKeyError):
        gcs_bucket.read_path(path)
    assert list(sdk_client.list_blobs(gcs_bucket.bucket)) == []


def test_download_folder_refuses_an_object_that_would_escape(
    gcs_bucket, sdk_client, tmp_path: Path
) -> None:
    from headwater.blocks.object_keys import ObjectKeyError

    # GCS allows any name; someone else wrote this one.
    sdk_client.bucket(gcs_bucket.bucket).blob("base/tree/../../../outside.txt").upload_from_string(
        b"x"
    )
    with pytest.raises(ObjectKeyError, match=r"outside\.txt.*outside"):
        gcs_bucket.download_folder_to_path("tree", tmp_path / "dest")
    assert not (tmp_path / "outside.txt").exists()


def test_missing_local_file_names_the_path(gcs_bucket, tmp_path: Path) -> None:
    missing = tmp_path / "not-there.csv"
    with pytest.raises(FileNotFoundError, match=r"not-there\.csv.*check the path"):
        gcs_bucket.upload_from_path(missing)
    with pytest.raises(FileNotFoundError, match="No folder at"):
        gcs_bucket.upload_from_folder(tmp_path / "no-folder")


def test_a_file_that_vanishes_during_a_folder_upload(
    gcs_bucket, local_tree: Path, monkeypatch
) -> None:
    import headwater_gcp.cloud_storage as module

    listed = module.local_files

    def vanishing(folder):
        for number, (path, relative) in enumerate(listed(folder)):
            if number == 1:
                path.unlink()  # deleted after it was listed, before it is read
            yield path, relative

    monkeypatch.setattr(module, "local_files", vanishing)
    with pytest.raises(FileNotFoundError, match=r"b\.bin.*vanished.*upload again") as info:
        gcs_bucket.upload_from_folder(local_tree, "tree")
    assert gcs_bucket.bucket in str(info.value) and "base/tree/sub/b.bin" in str(info.value)


class FailingReader(io.BytesIO):
    """A seekable stream whose reads fail once `fail_after` bytes have been read."""

    def __init__(self, data: bytes, fail_after: int) -> None:
        super().__init__(data)
        self.fail_after = fail_after

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() >= self.fail_after:
            raise OSError("the source disk went away")
        return super().read(size)


def test_an_interrupted_upload_leaves_no_partial_object(gcs_bucket) -> None:
    from headwater_gcp.cloud_storage import UPLOAD_CHUNK_SIZE
    from headwater_gcp.exceptions import GcsObjectNotFoundError

    data = b"z" * (UPLOAD_CHUNK_SIZE * 3)
    with pytest.raises(OSError, match="went away"):
        gcs_bucket.upload_from_file_object(FailingReader(data, UPLOAD_CHUNK_SIZE + 1), "big.bin")
    with pytest.raises(GcsObjectNotFoundError):
        gcs_bucket.read_path("big.bin")

    # Over an existing object: the old content stays whole.
    gcs_bucket.write_path("big.bin", b"old and complete")
    with pytest.raises(OSError, match="went away"):
        gcs_bucket.upload_from_file_object(FailingReader(data, UPLOAD_CHUNK_SIZE + 1), "big.bin")
    assert gcs_bucket.read_path("big.bin") == b"old and complete"


def test_unreachable_endpoint_names_it(credentials, monkeypatch) -> None:
    from headwater_gcp import GcsBucket
    from headwater_gcp.exceptions import GcsEndpointError
    from hw_services import free_port

    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", url)
    block = GcsBucket(bucket="any-bucket", gcp_credentials=credentials)
    with pytest.raises(GcsEndpointError, match=rf"'any-bucket'.*cannot reach {url}"):
        block.write_path("k", b"v")


def test_refused_credentials_say_what_to_do(bucket_name, make_key) -> None:
    from headwater_gcp import GcpCredentials, GcsBucket
    from headwater_gcp.exceptions import GcsCredentialsError, GcsEndpointError

    info = make_key()  # its token endpoint is a closed local port: no token can be had
    block = GcsBucket(bucket=bucket_name, gcp_credentials=GcpCredentials(service_account_info=info))
    with pytest.raises((GcsCredentialsError, GcsEndpointError), match=bucket_name) as raised:
        block.write_path("k", b"v")
    message = str(raised.value)
    assert info["private_key"] not in message and info["private_key_id"] not in message
