"""AzureBlobStorageCredentials: Prefect's sign-in rules, sync and async clients, bad credentials."""

from __future__ import annotations

import asyncio

import pydantic
import pytest
from azurite_support import ACCOUNT, DEV_KEY, connection_string
from headwater_azure import AzureBlobStorageContainer, AzureBlobStorageCredentials
from headwater_azure.errors import AzureAuthenticationError

SECRET = "spn-client-secret-sentinel-4242"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "needs a connection_string, or an account_url"),
        (
            {"account_url": "https://a.blob.core.windows.net", "client_id": "c"},
            "missing: tenant_id",
        ),
        (
            {"connection_string": "x", "account_url": "https://a.blob.core.windows.net"},
            "not both",
        ),
        (
            {"connection_string": "x", "client_id": "c", "tenant_id": "t", "client_secret": "s"},
            "not both",
        ),
    ],
)
def test_one_way_to_sign_in(values, message):
    with pytest.raises(pydantic.ValidationError, match=message):
        AzureBlobStorageCredentials(**values)


def test_sync_clients_from_a_connection_string(credentials, container_name):
    service = credentials.get_client()
    assert container_name in [c.name for c in service.list_containers()]
    container = credentials.get_container_client(container_name)
    container.upload_blob("k.txt", b"v")
    assert credentials.get_blob_client(container_name, "k.txt").download_blob().readall() == b"v"


def test_account_url_with_a_shared_key_credential(azurite, container_name):
    """The account_url path, signed in with the account key (what Azurite accepts)."""
    from azure.core.credentials import AzureNamedKeyCredential

    creds = AzureBlobStorageCredentials(account_url=f"{azurite.url}/{ACCOUNT}")
    key = AzureNamedKeyCredential(ACCOUNT, DEV_KEY)
    client = creds.get_container_client(container_name, credential=key)
    client.upload_blob("via-url.txt", b"ok")
    blob = creds.get_blob_client(container_name, "via-url.txt", credential=key)
    assert blob.download_blob().readall() == b"ok"
    names = [c.name for c in creds.get_client(credential=key).list_containers()]
    assert container_name in names


def test_token_sign_in_over_http_is_refused_clearly(azurite):
    creds = AzureBlobStorageCredentials(account_url=f"{azurite.url}/{ACCOUNT}")
    with pytest.raises(ValueError, match="https only"):
        creds.get_client()


def test_service_principal_builds_a_client_secret_credential():
    creds = AzureBlobStorageCredentials(
        account_url="https://acct.blob.core.windows.net",
        client_id="app-id",
        tenant_id="tenant-id",
        client_secret=SECRET,
    )
    client = creds.get_client()
    assert type(client.credential).__name__ == "ClientSecretCredential"
    assert SECRET not in repr(creds) and SECRET not in str(creds.model_dump())
    creds.close()


def test_default_credential_without_an_identity_says_how_to_sign_in(monkeypatch):
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    # An https endpoint nobody serves: the sign-in fails before any request is sent.
    creds = AzureBlobStorageCredentials(account_url="https://127.0.0.1:1/devstoreaccount1")
    block = AzureBlobStorageContainer(container_name="c", credentials=creds)
    with pytest.raises(AzureAuthenticationError, match="az login") as info:
        block.read_path("k")
    assert "DefaultAzureCredential" in str(info.value)


def test_wrong_account_key_is_a_clear_error_without_the_key(azurite, container_name):
    wrong = "QUJD" + DEV_KEY[4:]
    block = AzureBlobStorageContainer(
        container_name=container_name,
        credentials=AzureBlobStorageCredentials(
            connection_string=connection_string(azurite.port, key=wrong)
        ),
    )
    with pytest.raises(AzureAuthenticationError) as info:
        block.write_path("k", b"x")
    message = str(info.value)
    assert "refused the credentials" in message and "403" in message
    assert container_name in message and "account key" in message
    assert wrong not in message and DEV_KEY not in message
    assert isinstance(info.value, PermissionError)


def test_async_clients(credentials, container_name):
    async def main() -> bytes:
        async with credentials.get_async_container_client(container_name) as container:
            await container.upload_blob("async.txt", b"from aio")
        async with credentials.get_async_blob_client(container_name, "async.txt") as blob:
            downloader = await blob.download_blob()
            data = await downloader.readall()
        async with credentials.get_async_client() as service:
            names = [c.name async for c in service.list_containers()]
        assert container_name in names
        async with credentials:
            pass
        return data  # type: ignore[no-any-return]

    assert asyncio.run(main()) == b"from aio"


def test_blocks_pickle_without_their_clients(container):
    """A block that made a client still pickles (it is sent to process and Dask workers)."""
    import cloudpickle

    container.write_path("p.txt", b"1")  # makes and caches the SDK client
    copy = cloudpickle.loads(cloudpickle.dumps(container))
    assert copy.read_path("p.txt") == b"1"
    assert container.model_copy(deep=True).read_path("p.txt") == b"1"
