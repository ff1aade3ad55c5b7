"""Registers the AWS blocks; imports no boto3 until headwater asks for the classes."""

from __future__ import annotations

from typing import Any

from headwater.plugins import hookimpl


@hookimpl
def headwater_block_types() -> list[type[Any]]:
    from headwater_aws.credentials import AwsCredentials, MinIOCredentials
    from headwater_aws.s3 import S3Bucket

    return [AwsCredentials, MinIOCredentials, S3Bucket]
