"""A real Azurite (Azure Blob emulator) for the tests, on a free loopback port.

The binary comes from HEADWATER_TEST_AZURITE (nox installs Azurite with npm
under .nox/_node and sets it), else from that same folder if a developer ran
`npm install --prefix .nox/_node azurite@3.35.0`. Without it the tests skip
locally and fail under CI=true. The connection string uses Azurite's
well-known development account key, which is public, not a secret.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from azurite_support import ACCOUNT, connection_string
from hw_services import Service, free_port, missing_service, running_service

ROOT = Path(__file__).resolve().parents[2]
AZURITE_ENV = "HEADWATER_TEST_AZURITE"
DEFAULT_AZURITE = ROOT / ".nox" / "_node" / "node_modules" / ".bin" / "azurite-blob"


def _answers(service: Service) -> bool:
    try:
        urllib.request.urlopen(f"{service.url}/{ACCOUNT}?comp=list", timeout=2).close()
    except urllib.error.HTTPError:
        return True  # any HTTP answer means it is serving
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    binary = os.environ.get(AZURITE_ENV) or str(DEFAULT_AZURITE)
    if not Path(binary).is_file():
        missing_service(
            f"Azurite ({binary})",
            f"run `npm install --prefix {ROOT / '.nox' / '_node'} azurite@3.35.0` or set "
            f"{AZURITE_ENV} to an azurite-blob executable",
        )
    port = free_port()
    workdir = tmp_path_factory.mktemp("azurite")
    argv = [
        binary,
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        str(port),
        "--location",
        str(workdir / "data"),
        "--skipApiVersionCheck",
        "--loose",
        "--disableTelemetry",
        "--silent",
    ]
    with running_service(
        "azurite", argv, port=port, log_dir=workdir, ready=_answers, cwd=workdir
    ) as service:
        yield service


@pytest.fixture
def conn_str(azurite: Service) -> str:
    return connection_string(azurite.port)


@pytest.fixture
def credentials(conn_str: str):
    from headwater_azure import AzureBlobStorageCredentials

    return AzureBlobStorageCredentials(connection_string=conn_str)


@pytest.fixture
def container_name(conn_str: str) -> Iterator[str]:
    """A new, empty container for one test, deleted after it."""
    from azure.storage.blob import BlobServiceClient

    name = f"t-{uuid.uuid4().hex[:20]}"
    service = BlobServiceClient.from_connection_string(conn_str, retry_total=0)
    service.create_container(name)
    yield name
    service.delete_container(name)
    service.close()


@pytest.fixture
def container(container_name: str, credentials):
    from headwater_azure import AzureBlobStorageContainer

    return AzureBlobStorageContainer(container_name=container_name, credentials=credentials)


@pytest.fixture
def sdk(conn_str: str, container_name: str):
    """The SDK's own ContainerClient for the test's container, to check what the block did."""
    from azure.storage.blob import ContainerClient

    client = ContainerClient.from_connection_string(conn_str, container_name, retry_total=0)
    yield client
    client.close()
