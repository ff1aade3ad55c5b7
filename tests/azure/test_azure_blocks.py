"""The Azure blocks as blocks: conformance, plugin registration, CLI, result storage, secrets."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from azurite_support import ACCOUNT, DEV_KEY, connection_string
from headwater.testing.conformance.blocks import BlockConformance
from headwater_azure import AzureBlobStorageContainer, AzureBlobStorageCredentials

SENTINEL = "sentinel-client-secret-7f3a9c"


class TestConnectionStringCredentials(BlockConformance):
    @pytest.fixture
    def block(self):
        return AzureBlobStorageCredentials(connection_string=connection_string(10000))


class TestServicePrincipalCredentials(BlockConformance):
    @pytest.fixture
    def block(self):
        return AzureBlobStorageCredentials(
            account_url="https://acct.blob.core.windows.net",
            client_id="app-id",
            tenant_id="tenant-id",
            client_secret=SENTINEL,
        )


class TestContainer(BlockConformance):
    @pytest.fixture
    def block(self):
        return AzureBlobStorageContainer(
            container_name="results",
            credentials=AzureBlobStorageCredentials(connection_string=connection_string(10000)),
            base_folder="team",
        )


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from headwater.cli.main import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_registered_through_the_plugin_hook():
    from headwater.blocks.registry import block_types

    types = block_types()
    assert types["azure-blob-storage-credentials"] is AzureBlobStorageCredentials
    assert types["azure-blob-storage-container"] is AzureBlobStorageContainer


def test_importing_the_package_and_plugin_loads_no_sdk():
    code = (
        "import sys, headwater_azure, headwater_azure.plugin; "
        "print([m for m in sys.modules if m.startswith('azure')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_lists_plugin_and_block_types_and_masks_secrets(headwater_home: Path):
    plugins = _cli("plugins")
    assert plugins.returncode == 0, plugins.stderr
    line = next(ln for ln in plugins.stdout.splitlines() if ln.startswith("azure "))
    assert "azure-blob-storage-container" in line and "azure-blob-storage-credentials" in line

    types = _cli("block", "types")
    assert types.returncode == 0, types.stderr
    assert "azure-blob-storage-container" in types.stdout
    assert "azure-blob-storage-credentials" in types.stdout

    creds = AzureBlobStorageCredentials(
        account_url="https://acct.blob.core.windows.net",
        client_id="app-id",
        tenant_id="tenant-id",
        client_secret=SENTINEL,
    )
    AzureBlobStorageContainer(container_name="c", credentials=creds).save("prod")
    AzureBlobStorageCredentials(connection_string=connection_string(1, key=DEV_KEY)).save("emu")
    for ref in ("azure-blob-storage-container/prod", "azure-blob-storage-credentials/emu"):
        for output in ((), ("-o", "json")):
            shown = _cli("block", "inspect", ref, *output)
            assert shown.returncode == 0, shown.stderr
            assert SENTINEL not in shown.stdout + shown.stderr
            assert DEV_KEY not in shown.stdout + shown.stderr
    assert "app-id" in _cli("block", "inspect", "azure-blob-storage-container/prod").stdout
    raw = b"".join(p.read_bytes() for p in headwater_home.rglob("*") if p.is_file())
    assert SENTINEL.encode() not in raw and DEV_KEY.encode() not in raw


_FLOW = textwrap.dedent(
    """
    import json, sys
    from headwater import flow, task
    from headwater.cache_policies import INPUTS

    calls = []

    @task(cache_policy=INPUTS, persist_result=True, result_storage="azure-blob-storage-container/results")
    def square(x):
        calls.append(x)
        return {"square": x * x}

    @flow
    def main():
        return square(7)

    value = main()
    print(json.dumps({"value": value, "ran": len(calls)}))
    """
)


def test_result_storage_by_saved_name_and_cache_hit_in_a_new_process(
    container, sdk, tmp_path: Path
):
    container.save("results")
    script = tmp_path / "cached_flow.py"
    script.write_text(_FLOW)
    first = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout.splitlines()[-1]) == {"value": {"square": 49}, "ran": 1}
    stored = [b.name for b in sdk.list_blobs()]
    assert stored, "the result was not written to the container"

    second = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout.splitlines()[-1]) == {"value": {"square": 49}, "ran": 0}
    assert DEV_KEY not in first.stdout + first.stderr + second.stdout + second.stderr


def test_result_storage_with_a_block_instance(container, sdk):
    from headwater import flow, task

    container.base_folder = "flow-results"
    container.save("instance-results")

    @task(persist_result=True)
    def double(x: int) -> int:
        return 2 * x

    @flow(result_storage=container)
    def run() -> int:
        return double(21)

    assert run() == 42
    assert any(b.name.startswith("flow-results/") for b in sdk.list_blobs())


def test_prefect_tasks(credentials, container_name):
    from headwater import flow
    from headwater_azure.blob_storage import (
        blob_storage_download,
        blob_storage_list,
        blob_storage_upload,
    )

    @flow
    def round_trip() -> tuple[str, bytes, list[str]]:
        name = blob_storage_upload(b"data", container_name, credentials, blob="t/x.bin")
        data = blob_storage_download(container_name, name, credentials)
        listed = blob_storage_list(container_name, credentials, name_starts_with="t/")
        return name, data, [b.name for b in listed]

    assert round_trip() == ("t/x.bin", b"data", ["t/x.bin"])


def test_account_name_in_errors_is_not_a_secret_leak():
    """The connection string is masked in reprs even though it embeds the account name."""
    creds = AzureBlobStorageCredentials(connection_string=connection_string(1))
    assert DEV_KEY not in repr(creds) and ACCOUNT not in repr(creds)


def test_cli_block_create_with_set_then_use_it(azurite, container_name, sdk):
    made = _cli(
        "block", "create", "azure-blob-storage-credentials", "emu",
        "--set", f"connection_string={connection_string(azurite.port)}",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "connection_string" in made.stdout and DEV_KEY not in made.stdout
    made = _cli(
        "block", "create", "azure-blob-storage-container", "results",
        "--set", f"container_name={container_name}",
        "--set", "credentials=azure-blob-storage-credentials/emu",
        "--set", "base_folder=cli",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    loaded = AzureBlobStorageContainer.load("results")
    loaded.write_path("made-by-cli.txt", b"ok")
    assert sdk.download_blob("cli/made-by-cli.txt").readall() == b"ok"


def test_prefect_import_paths_and_public_names():
    """`prefect_azure` -> `headwater_azure`: Prefect's module paths and the package face."""
    import headwater_azure
    from headwater_azure import blob_storage, credentials

    assert blob_storage.AzureBlobStorageContainer is AzureBlobStorageContainer
    assert credentials.AzureBlobStorageCredentials is AzureBlobStorageCredentials
    for name in ("blob_storage_download", "blob_storage_upload", "blob_storage_list"):
        assert getattr(blob_storage, name) is getattr(headwater_azure, name)
    assert set(headwater_azure.__all__) <= set(dir(headwater_azure))
    for name in headwater_azure.__all__:
        assert getattr(headwater_azure, name).__name__ == name
