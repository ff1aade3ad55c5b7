"""AWS blocks made with the CLI in real processes: they work against S3, and the sentinel
secret never appears in CLI output or in any file under HEADWATER_HOME."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SENTINEL = "sentinel-AWS-secret-71c4e0"
KEY_ID = "AKIAsentinelKEYID"


def headwater(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    code = "import sys; from headwater.cli.main import main; sys.argv[0] = 'headwater'; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        input=input,
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=120,
    )
    assert SENTINEL not in done.stdout + done.stderr, "the secret was printed"
    assert KEY_ID not in done.stdout + done.stderr, "the access key id was printed"
    return done


def assert_not_stored_in_clear(home: Path) -> None:
    for path in home.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert SENTINEL.encode() not in raw, f"{path} holds the secret in clear"
            assert KEY_ID.encode() not in raw, f"{path} holds the key id in clear"


def test_credentials_and_bucket_from_the_cli(headwater_home: Path, endpoint: str, bucket_name):
    made = headwater(
        "block", "create", "aws-credentials", "moto",
        "--set", f"aws_access_key_id={KEY_ID}",
        "--set", f"aws_secret_access_key={SENTINEL}",
        "--set", "region_name=us-east-1",
        "--set", f"aws_client_parameters.endpoint_url={endpoint}",
        "--set", 'aws_client_parameters.config={"retries": {"max_attempts": 2}}',
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "aws_secret_access_key" in made.stdout
    bucket = headwater(
        "block", "create", "s3-bucket", "results",
        "--set", f"bucket_name={bucket_name}",
        "--set", "credentials=aws-credentials/moto",
        "--set", "bucket_folder=runs",
    )  # fmt: skip
    assert bucket.returncode == 0, bucket.stderr
    for ref in ("aws-credentials/moto", "s3-bucket/results"):
        shown = headwater("block", "inspect", ref, "-o", "json")
        assert shown.returncode == 0, shown.stderr
    creds = json.loads(headwater("block", "inspect", "aws-credentials/moto", "-o", "json").stdout)
    assert creds["data"]["aws_secret_access_key"] == "********"
    assert creds["data"]["aws_client_parameters"]["endpoint_url"] == endpoint

    from headwater_aws import S3Bucket

    loaded = S3Bucket.load("results")
    assert loaded.credentials.aws_secret_access_key.get_secret_value() == SENTINEL
    assert loaded.write_path("x.txt", b"from the cli") == "runs/x.txt"
    assert loaded.read_path("x.txt") == b"from the cli"
    assert_not_stored_in_clear(headwater_home)


def test_prompted_credentials(headwater_home: Path):
    # then blank answers for client parameters and the assume-role fields
    answers = "\n".join([KEY_ID, SENTINEL, "", "", "eu-west-1"] + [""] * 18) + "\n"
    made = headwater("block", "create", "aws-credentials", "typed", input=answers)
    assert made.returncode == 0, made.stderr
    from headwater_aws import AwsCredentials

    creds = AwsCredentials.load("typed")
    assert creds.aws_secret_access_key.get_secret_value() == SENTINEL
    assert creds.aws_access_key_id.get_secret_value() == KEY_ID
    assert creds.region_name == "eu-west-1"
    assert_not_stored_in_clear(headwater_home)


def test_types_and_plugins_list_the_aws_blocks():
    types = headwater("block", "types", "aws-credentials")
    assert types.returncode == 0, types.stderr
    assert "headwater-aws" in types.stdout
    rows = {line.split()[0]: line.split() for line in types.stdout.splitlines()[3:] if line.strip()}
    assert rows["aws_secret_access_key"][-2:] == ["no", "yes"]
    assert rows["aws_client_parameters.endpoint_url"][-2:] == ["no", "no"]
    plugins = headwater("plugins", "--json")
    entry = next(p for p in json.loads(plugins.stdout) if p["distribution"] == "headwater-aws")
    assert sorted(entry["registers"]["block_types"]) == [
        "aws-credentials",
        "minio-credentials",
        "s3-bucket",
    ]


def test_validation_error_for_a_secret_field_never_shows_it():
    bad = headwater(
        "block", "create", "minio-credentials", "m",
        "--set", f"minio_root_password={SENTINEL}",
        "--set", "aws_client_parameters.use_ssl=maybe",
    )  # fmt: skip
    assert bad.returncode == 1
    assert "minio_root_user: it is required" in bad.stderr
    assert "aws_client_parameters.use_ssl: Input should be a valid boolean" in bad.stderr
