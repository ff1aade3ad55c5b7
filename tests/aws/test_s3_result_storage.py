"""S3Bucket as result_storage: results land in the bucket; a saved block works by "slug/name"."""

from __future__ import annotations

from headwater import flow, task
from headwater.cache_policies import INPUTS


def test_task_results_are_written_to_the_bucket(bucket, s3_client, bucket_name):
    calls = []

    @task(cache_policy=INPUTS, result_storage=bucket, persist_result=True)
    def double(x: int) -> int:
        calls.append(x)
        return 2 * x

    @flow
    def pipeline() -> list[int]:
        return [double(1), double(2), double(1)]

    assert pipeline() == [2, 4, 2]
    assert calls == [1, 2]
    listed = s3_client.list_objects_v2(Bucket=bucket_name).get("Contents", [])
    assert len(listed) >= 2 and all(o["Key"].startswith("base/") for o in listed)


def test_saved_bucket_by_slug_and_name(bucket, s3_client, bucket_name):
    bucket.save("my-results")

    @task(cache_policy=INPUTS, result_storage="s3-bucket/my-results", persist_result=True)
    def square(x: int) -> int:
        return x * x

    @flow
    def pipeline() -> int:
        return square(7)

    assert pipeline() == 49
    listed = s3_client.list_objects_v2(Bucket=bucket_name).get("Contents", [])
    assert listed, "the result went to the saved bucket"
