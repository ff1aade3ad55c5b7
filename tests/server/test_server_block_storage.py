"""Blocks saved by clients with HEADWATER_API_URL live on the server, secrets encrypted by
the client: the server's files and answers never hold the secret in clear."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hw_services import Service, free_port
from server_process import headwater_server

SENTINEL = "sentinel-block-secret-6d1f0a"
API_KEY = "sentinel-api-key-93be11"
TEAM_KEY = "_4jarm_JW_YCgLbp06V4MFr4dNjzAnSQpfDCXiXDUgs="  # a Fernet key the team shares


@pytest.fixture(scope="module")
def block_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Path]]:
    home = tmp_path_factory.mktemp("block-server-home")
    env = {"HEADWATER_SERVER_API_KEY": API_KEY}
    with headwater_server(home, tmp_path_factory.mktemp("logs"), env) as (service, _):
        yield service, home


def client(
    code: str,
    home: Path,
    url: str,
    api_key: str = API_KEY,
    encryption_key: str = TEAM_KEY,
) -> subprocess.CompletedProcess[str]:
    """Run `code` in another process pointed at the server: a machine of the team."""
    env = {
        **os.environ,
        "HEADWATER_HOME": str(home),
        "HEADWATER_API_URL": f"{url}/api",
        "HEADWATER_API_KEY": api_key,
        "HEADWATER_ENCRYPTION_KEY": encryption_key,
    }
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


SAVE = f"""
from headwater.blocks.system import Secret
print(Secret(value={SENTINEL!r}).save("db-password", overwrite=True))
"""
LOAD = """
from headwater.blocks.system import Secret
print(Secret.load("db-password").get())
"""


def _server_files(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


def test_a_block_saved_on_one_machine_loads_on_another(
    block_server: tuple[Service, Path], tmp_path: Path
) -> None:
    service, server_home = block_server
    saved = client(SAVE, tmp_path / "laptop", service.url)
    assert saved.returncode == 0, saved.stderr
    loaded = client(LOAD, tmp_path / "ci-runner", service.url)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == SENTINEL
    # it is on the server, not in either client's home
    assert not (tmp_path / "laptop" / "headwater.db").exists()
    assert SENTINEL.encode() not in _server_files(server_home)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    listing = httpx.get(f"{service.url}/api/block_storage/documents", headers=headers)
    assert listing.status_code == 200
    assert "db-password" in listing.text and SENTINEL not in listing.text


def test_the_cli_lists_the_servers_blocks(
    block_server: tuple[Service, Path], tmp_path: Path
) -> None:
    service, _ = block_server
    assert client(SAVE.replace("db-password", "cli-listed"), tmp_path, service.url).returncode == 0
    env = {
        **os.environ,
        "HEADWATER_HOME": str(tmp_path / "elsewhere"),
        "HEADWATER_API_URL": f"{service.url}/api",
        "HEADWATER_API_KEY": API_KEY,
    }
    done = subprocess.run(
        [sys.executable, "-m", "headwater", "block", "ls"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "cli-listed" in done.stdout
    assert SENTINEL not in done.stdout + done.stderr


def test_saving_over_a_name_needs_overwrite(
    block_server: tuple[Service, Path], tmp_path: Path
) -> None:
    service, _ = block_server
    code = """
from headwater.blocks.system import Secret
from headwater.blocks.errors import BlockExistsError
Secret(value="one").save("twice")
try:
    Secret(value="two").save("twice")
except BlockExistsError as exc:
    print("refused:", exc)
Secret(value="three").save("twice", overwrite=True)
print(Secret.load("twice").get())
"""
    done = client(code, tmp_path, service.url)
    assert done.returncode == 0, done.stderr
    assert "refused:" in done.stdout and "overwrite=True" in done.stdout
    assert done.stdout.strip().endswith("three")


def test_a_different_encryption_key_is_refused_by_name(
    block_server: tuple[Service, Path], tmp_path: Path
) -> None:
    service, _ = block_server
    assert client(SAVE, tmp_path / "a", service.url).returncode == 0
    other = "tCXphotH66uBLtaXInDzKurY1W_Y3zgAbe_PFPym0HU="
    done = client(LOAD, tmp_path / "b", service.url, encryption_key=other)
    assert done.returncode != 0
    assert "EncryptionKeyError" in done.stderr
    assert SENTINEL not in done.stdout + done.stderr
    assert other not in done.stderr and TEAM_KEY not in done.stderr


def test_a_wrong_api_key_is_refused_without_showing_it(
    block_server: tuple[Service, Path], tmp_path: Path
) -> None:
    service, _ = block_server
    wrong = "sentinel-wrong-api-key-5e0c"
    done = client(LOAD, tmp_path, service.url, api_key=wrong)
    assert done.returncode != 0
    assert "BlockStorageError" in done.stderr and "refused the API key it was sent" in done.stderr
    assert wrong not in done.stderr and API_KEY not in done.stderr


def test_no_server_at_the_url_names_it_and_the_fix(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = client(SAVE, tmp_path, url)
    assert done.returncode != 0
    assert f"the headwater server at {url}/api cannot be reached" in done.stderr
    assert "headwater server start" in done.stderr and "unset HEADWATER_API_URL" in done.stderr
    assert SENTINEL not in done.stderr
