"""AwsCredentials(assume_role_arn=...): clients sign as the assumed role (moto serves STS)."""

from __future__ import annotations

from typing import Any

import pytest

ROLE = "arn:aws:iam::123456789012:role/headwater-test"
SENTINEL = "sentinel-ROLE-secret-5d2a"


def _credentials(endpoint: str, **extra: Any) -> Any:
    from headwater_aws import AwsClientParameters, AwsCredentials

    return AwsCredentials(
        aws_access_key_id="testing-key-id",
        aws_secret_access_key=SENTINEL,
        region_name="us-east-1",
        aws_client_parameters=AwsClientParameters(endpoint_url=endpoint),
        **extra,
    )


def test_session_signs_with_the_roles_temporary_credentials(endpoint: str) -> None:
    creds = _credentials(
        endpoint,
        assume_role_arn=ROLE,
        assume_role_kwargs={"RoleSessionName": "nightly", "DurationSeconds": 900},
    )
    frozen = creds.get_boto3_session().get_credentials().get_frozen_credentials()
    assert frozen.access_key != "testing-key-id" and frozen.token  # STS session credentials
    assert frozen.secret_key != SENTINEL
    identity = creds.get_client("sts").get_caller_identity()
    assert "assumed-role/headwater-test/nightly" in identity["Arn"]


def test_s3_bucket_works_through_an_assumed_role(endpoint: str, bucket_name: str) -> None:
    from headwater_aws import S3Bucket

    bucket = S3Bucket(
        bucket_name=bucket_name, credentials=_credentials(endpoint, assume_role_arn=ROLE)
    )
    bucket.write_path("via-role.txt", b"hello")
    assert bucket.read_path("via-role.txt") == b"hello"


def test_a_client_is_rebuilt_before_the_role_session_expires(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from headwater_aws import credentials as module

    creds = _credentials(endpoint, assume_role_arn=ROLE)
    first = creds.get_s3_client()
    assert creds.get_s3_client() is first  # cached while the session is valid
    real_time = module.time.time
    monkeypatch.setattr(module.time, "time", lambda: real_time() + 3600)  # an hour later
    renewed = creds.get_s3_client()
    assert renewed is not first
    renewed.list_buckets()


def test_role_parameters_round_trip_through_save_and_load(endpoint: str) -> None:
    from headwater_aws import AwsCredentials

    _credentials(
        endpoint, assume_role_arn=ROLE, assume_role_kwargs={"ExternalId": "partner-7"}
    ).save("with-role")
    loaded = AwsCredentials.load("with-role")
    assert loaded.assume_role_arn == ROLE
    assert loaded.assume_role_kwargs.get_params_override() == {"ExternalId": "partner-7"}
    assert SENTINEL not in repr(loaded)


def test_a_refused_assume_role_names_the_role_and_the_fix_never_a_secret(
    auth_moto_server: Any,
) -> None:
    from headwater_aws.errors import S3CredentialsError

    creds = _credentials(auth_moto_server.url, assume_role_arn=ROLE)
    with pytest.raises(S3CredentialsError, match="assume role") as info:
        creds.get_boto3_session()
    message = str(info.value)
    assert ROLE in message and "trust policy" in message
    assert SENTINEL not in message and "testing-key-id" not in message
