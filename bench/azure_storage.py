"""AzureBlobStorageContainer beside azure-storage-blob called directly, on one Azurite.

    python bench/azure_storage.py [--mb 300] [--small 1000] [--tasks 200]

Starts Azurite's blob service (HEADWATER_TEST_AZURITE, else .nox/_node's
azurite-blob: `npm install --prefix .nox/_node azurite@3.35.0`) on a free
127.0.0.1 port with its data in a temporary folder, then prints:

* one large object up and down: seconds and peak RSS growth, each measured in
  its own subprocess (resource.getrusage), for the block (upload_from_path /
  download_object_to_path) and for the SDK's ContainerClient.upload_blob with
  an open file / download_blob().readinto with default settings;
* small objects written then read: block write_path/read_path vs the SDK's
  upload_blob/download_blob().readall() on one ContainerClient;
* a task whose result is a cache hit: microseconds per call with the container
  as result storage beside local storage.

Ratios are SDK time / block time (>= 1 means the block is as fast or faster).
Measures and prints only; nothing passes or fails on a number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from storage_cache_hits import cache_hit_micros

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def connection_string(port: int) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={DEV_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};"
    )


def start_azurite(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    binary = os.environ.get("HEADWATER_TEST_AZURITE") or str(
        ROOT / ".nox" / "_node" / "node_modules" / ".bin" / "azurite-blob"
    )
    if not Path(binary).is_file():
        raise SystemExit(
            f"No Azurite at {binary}: npm install --prefix {ROOT / '.nox' / '_node'} azurite@3.35.0"
        )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [binary, "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location",
            str(workdir / "azurite"), "--skipApiVersionCheck", "--loose", "--disableTelemetry",
            "--silent"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/{ACCOUNT}?comp=list", timeout=1)
            return proc, port
        except urllib.error.HTTPError:
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("Azurite did not start")


def container_block(port: int, container: str):  # type: ignore[no-untyped-def]
    from headwater_azure import AzureBlobStorageContainer, AzureBlobStorageCredentials

    creds = AzureBlobStorageCredentials(connection_string=connection_string(port))
    return AzureBlobStorageContainer(container_name=container, credentials=creds)


def sdk_client(port: int, container: str):  # type: ignore[no-untyped-def]
    from azure.storage.blob import ContainerClient

    return ContainerClient.from_connection_string(connection_string(port), container)


def child(mode: str, port: str, container: str, path: str) -> None:
    """One large transfer in this fresh process; prints seconds and peak RSS growth (MB)."""
    block = container_block(int(port), container)
    client = sdk_client(int(port), container)
    client.get_container_properties()  # imports, connection: warm for both
    block.list_blobs()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if mode == "block-up":
        block.upload_from_path(path, "big.bin", overwrite=True)
    elif mode == "sdk-up":
        with open(path, "rb") as f:
            client.upload_blob("big-sdk.bin", f, overwrite=True)
    elif mode == "block-down":
        block.download_object_to_path("big.bin", path)
    elif mode == "sdk-down":
        with open(path, "wb") as f:
            client.download_blob("big-sdk.bin").readinto(f)
    seconds = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps({"seconds": seconds, "rss_mb": grown}))


def run_child(mode: str, port: int, container: str, path: Path) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", mode, str(port), container, str(path)]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def large(port: int, container: str, mb: int, tmp: Path) -> None:
    source = tmp / "big.bin"
    with open(source, "wb") as f:
        for _ in range(mb):
            f.write(os.urandom(1024 * 1024))
    print(f"\n{mb} MB object (seconds; peak RSS growth of the process):")
    for direction in ("up", "down"):
        target = source if direction == "up" else tmp / "down.bin"
        sdk = run_child(f"sdk-{direction}", port, container, target)
        block = run_child(f"block-{direction}", port, container, target)
        print(
            f"  {direction:5} block {block['seconds']:6.2f} s  {block['rss_mb']:6.1f} MB | "
            f"SDK {sdk['seconds']:6.2f} s  {sdk['rss_mb']:6.1f} MB | "
            f"ratio {sdk['seconds'] / block['seconds']:.2f}"
        )
    source.unlink()


def small(port: int, container: str, n: int) -> None:
    block = container_block(port, container)
    client = sdk_client(port, container)
    payload = os.urandom(1024)

    def timed(fn) -> float:  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        for i in range(n):
            fn(i)
        return time.perf_counter() - start

    rows: dict[str, list[tuple[float, float]]] = {"write": [], "read": []}
    for _ in range(3):  # alternate, so drift on the server hits both alike
        sdk_w = timed(lambda i: client.upload_blob(f"sdk/{i}", payload, overwrite=True))
        blk_w = timed(lambda i: block.write_path(f"blk/{i}", payload))
        sdk_r = timed(lambda i: client.download_blob(f"sdk/{i}").readall())
        blk_r = timed(lambda i: block.read_path(f"blk/{i}"))
        rows["write"].append((blk_w, sdk_w))
        rows["read"].append((blk_r, sdk_r))
    print(f"\n{n} small objects (1 KiB), median of 3 rounds:")
    for what, pairs in rows.items():
        blk = statistics.median(p[0] for p in pairs)
        sdk = statistics.median(p[1] for p in pairs)
        print(f"  {what:5} block {blk / n * 1e3:6.2f} ms/object | SDK {sdk / n * 1e3:6.2f} "
              f"ms/object | ratio {sdk / blk:.2f}")  # fmt: skip


def cache_hits(port: int, container: str, n: int, tmp: Path) -> None:
    storages = {"local": str(tmp / "local-results"), "azure": container_block(port, container)}
    results = cache_hit_micros(storages, n, tmp / "home")
    print(f"\ncache hit, per task call ({n} calls in one flow):")
    print(
        f"  local storage {results['local']:8.0f} us | "
        f"AzureBlobStorageContainer {results['azure']:8.0f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--child", nargs=4)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_azurite(Path(tmp))
        try:
            container = f"bench-{uuid.uuid4().hex[:8]}"
            sdk_client(port, container).create_container()
            print(f"Azurite at http://127.0.0.1:{port}")
            large(port, container, args.mb, Path(tmp))
            small(port, container, args.small)
            cache_hits(port, container, args.tasks, Path(tmp))
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
