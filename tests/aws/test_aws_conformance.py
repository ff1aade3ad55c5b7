"""The AWS blocks pass core's BlockConformance, and the plugin registers them."""

from __future__ import annotations

import pytest
from headwater.testing.conformance.blocks import BlockConformance


def aws_credentials():
    from headwater_aws import AwsClientParameters, AwsCredentials

    return AwsCredentials(
        aws_access_key_id="AKIAconformance",
        aws_secret_access_key="conformance-s3cr3t",
        aws_session_token="conformance-token",
        region_name="eu-west-1",
        aws_client_parameters=AwsClientParameters(endpoint_url="http://127.0.0.1:9"),
    )


class TestAwsCredentials(BlockConformance):
    @pytest.fixture
    def block(self):
        return aws_credentials()


class TestMinIOCredentials(BlockConformance):
    @pytest.fixture
    def block(self):
        from headwater_aws import MinIOCredentials

        return MinIOCredentials(minio_root_user="minio", minio_root_password="minio-s3cr3t")


class TestS3Bucket(BlockConformance):
    @pytest.fixture
    def block(self):
        from headwater_aws import S3Bucket

        return S3Bucket(bucket_name="b", credentials=aws_credentials(), bucket_folder="f")


def test_plugin_registers_the_blocks():
    from headwater.blocks.registry import block_types

    types = block_types()
    assert types["aws-credentials"].__name__ == "AwsCredentials"
    assert types["minio-credentials"].__name__ == "MinIOCredentials"
    assert types["s3-bucket"].__name__ == "S3Bucket"


def test_prefect_import_paths():
    import headwater_aws
    from headwater_aws.client_parameters import AwsClientParameters
    from headwater_aws.credentials import AwsCredentials, MinIOCredentials
    from headwater_aws.s3 import S3Bucket, s3_download, s3_upload, upload_to_bucket

    assert headwater_aws.S3Bucket is S3Bucket
    assert headwater_aws.AwsCredentials is AwsCredentials
    assert headwater_aws.MinIOCredentials is MinIOCredentials
    assert headwater_aws.AwsClientParameters is AwsClientParameters
    assert s3_upload is upload_to_bucket and s3_download is not None


def test_importing_the_package_and_plugin_loads_no_boto3():
    import subprocess
    import sys

    code = (
        "import sys, headwater_aws, headwater_aws.plugin; "
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_s3_bucket_is_a_storage_block():
    from headwater.blocks import ObjectStorageBlock, WritableFileSystem
    from headwater.blocks.filesystems import WritableDeploymentStorage
    from headwater_aws import S3Bucket

    assert issubclass(S3Bucket, WritableFileSystem)
    assert issubclass(S3Bucket, ObjectStorageBlock)
    assert issubclass(S3Bucket, WritableDeploymentStorage)
    assert S3Bucket.get_block_type_slug() == "s3-bucket"
    assert S3Bucket.get_block_type_name() == "S3 Bucket"
