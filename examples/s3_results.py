"""Task results and caches kept in an S3 bucket, so a cache hit works in any process or machine.

    export HEADWATER_EXAMPLE_S3_ENDPOINT=http://127.0.0.1:5000   # an S3-compatible endpoint;
    python examples/s3_results.py                                # unset: real AWS

Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
~/.aws, an instance role). The first run computes and writes each result to the bucket;
a second run, even in a fresh process with an empty HEADWATER_HOME, finds the results
there and its tasks finish Cached without running.
"""

import os

from headwater import flow, task
from headwater.cache_policies import INPUTS
from headwater_aws import AwsClientParameters, AwsCredentials, S3Bucket
from headwater_aws.errors import BucketNotFoundError

ENDPOINT = os.environ.get("HEADWATER_EXAMPLE_S3_ENDPOINT")  # None: AWS itself
BUCKET = os.environ.get("HEADWATER_EXAMPLE_S3_BUCKET", "headwater-example-results")


def save_result_bucket() -> None:
    """Save the bucket as the block "s3-bucket/example-results" (creating the bucket if needed)."""
    credentials = AwsCredentials(
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_client_parameters=AwsClientParameters(endpoint_url=ENDPOINT),
    )
    bucket = S3Bucket(bucket_name=BUCKET, credentials=credentials, bucket_folder="results")
    try:
        bucket.list_objects(max_items=1)
    except BucketNotFoundError:
        credentials.get_s3_client().create_bucket(Bucket=BUCKET)  # us-east-1; elsewhere
        # give CreateBucketConfiguration={"LocationConstraint": region}
    bucket.save("example-results", overwrite=True)


@task(cache_policy=INPUTS, result_storage="s3-bucket/example-results", persist_result=True)
def daily_totals(store: str, days: int) -> list[int]:
    """Stands in for an expensive query."""
    print(f"querying {days} days of sales for {store}")
    return [(len(store) * 37 + day * 11) % 100 for day in range(days)]


@task(cache_policy=INPUTS, result_storage="s3-bucket/example-results", persist_result=True)
def summarise(store: str, totals: list[int]) -> dict[str, float]:
    print(f"summarising {store}")
    return {"total": float(sum(totals)), "mean": sum(totals) / len(totals)}


@flow
def sales_report(stores: list[str], days: int = 7) -> dict[str, dict[str, float]]:
    return {store: summarise(store, daily_totals(store, days)) for store in stores}


if __name__ == "__main__":
    save_result_bucket()
    report = sales_report(["north", "south"])
    for store, summary in report.items():
        print(f"{store}: total={summary['total']:.0f} mean={summary['mean']:.2f}")
