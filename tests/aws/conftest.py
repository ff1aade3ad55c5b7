"""A real S3 endpoint for the aws tests: moto's standalone server on 127.0.0.1.

One server per test session (started through hw_services.running_service);
each test gets its own bucket, so tests never see each other's objects.
"""

from __future__ import annotations

import importlib.util
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hw_services import Service, free_port, missing_service, running_service

ACCESS_KEY = "testing-key-id"
SECRET_KEY = "testing-secret-key"
REGION = "us-east-1"


def _answers(service: Service) -> bool:
    try:
        with urllib.request.urlopen(f"{service.url}/moto-api/", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """moto's S3 server: `python -m moto.server -H 127.0.0.1 -p PORT`."""
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        missing_service("moto's S3 server", 'pip install "moto[s3]" flask flask-cors')
    port = free_port()
    argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    log_dir = tmp_path_factory.mktemp("moto")
    with running_service("moto", argv, port=port, log_dir=log_dir, ready=_answers) as service:
        yield service


@pytest.fixture(scope="session")
def auth_moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A second moto server that checks credentials (INITIAL_NO_AUTH_ACTION_COUNT=0).

    It knows no IAM users, so every key is refused as AWS refuses an unknown one.
    """
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        missing_service("moto's S3 server", 'pip install "moto[s3]" flask flask-cors')
    port = free_port()
    argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    log_dir = tmp_path_factory.mktemp("moto-auth")
    env = {"INITIAL_NO_AUTH_ACTION_COUNT": "0"}
    with running_service(
        "moto-auth", argv, port=port, log_dir=log_dir, ready=_answers, env=env
    ) as service:
        yield service


@pytest.fixture
def endpoint(moto_server: Service) -> str:
    return moto_server.url


@pytest.fixture
def aws_credentials(endpoint: str) -> Any:
    from headwater_aws import AwsClientParameters, AwsCredentials

    return AwsCredentials(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
        aws_client_parameters=AwsClientParameters(endpoint_url=endpoint),
    )


@pytest.fixture
def s3_client(aws_credentials: Any) -> Any:
    """A plain boto3 client on the same endpoint, to check what the block did."""
    return aws_credentials.get_boto3_session().client(
        "s3", **aws_credentials.aws_client_parameters.get_params_override()
    )


@pytest.fixture
def bucket_name(s3_client: Any) -> str:
    name = f"hw-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def bucket(bucket_name: str, aws_credentials: Any) -> Any:
    from headwater_aws import S3Bucket

    return S3Bucket(bucket_name=bucket_name, credentials=aws_credentials, bucket_folder="base")


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A small local folder tree: a.txt, sub/b.txt, sub/deeper/c.bin."""
    root = tmp_path / "files"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"alpha")
    (root / "sub" / "b.txt").write_bytes(b"beta")
    (root / "sub" / "deeper" / "c.bin").write_bytes(bytes(range(256)))
    return root
