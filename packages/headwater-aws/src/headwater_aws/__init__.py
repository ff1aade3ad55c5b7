"""headwater-aws: AWS credentials and S3 storage blocks (`prefect_aws` -> `headwater_aws`).

    from headwater_aws import AwsCredentials, S3Bucket

    bucket = S3Bucket(bucket_name="my-bucket", credentials=AwsCredentials.load("prod"))
    bucket.write_path("hello.txt", b"hi")

Names load on first use, so `import headwater_aws` does not import boto3.
"""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__all__ = ["AwsClientParameters", "AwsCredentials", "MinIOCredentials", "S3Bucket"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater_aws.client_parameters import AwsClientParameters
    from headwater_aws.credentials import AwsCredentials, MinIOCredentials
    from headwater_aws.s3 import S3Bucket
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "AwsClientParameters": "headwater_aws.client_parameters",
            "AwsCredentials": "headwater_aws.credentials",
            "MinIOCredentials": "headwater_aws.credentials",
            "S3Bucket": "headwater_aws.s3",
        },
    )
