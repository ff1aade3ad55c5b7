"""S3Bucket beside boto3 called directly, on one moto S3 server.

    python bench/aws_storage.py [--mb 300] [--small 1000] [--tasks 200] [--rounds 2]

Starts moto's S3 server (`python -m moto.server`, needs `moto[s3]` flask flask-cors)
on a free 127.0.0.1 port, then prints:

* one large object up and down: seconds and peak RSS growth, each measured in
  its own subprocess (resource.getrusage), for the block (upload_from_path /
  download_object_to_path) and for boto3's upload_file / download_file with
  default settings;
* small objects written then read: block write_path/read_path vs boto3's
  put_object/get_object;
* a task whose result is a cache hit: microseconds per call with S3Bucket
  result storage beside local storage.

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
import urllib.request
import uuid
from pathlib import Path

from storage_cache_hits import cache_hit_micros

ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("moto's server did not start; pip install 'moto[s3]' flask flask-cors")


def bucket_block(endpoint: str, bucket: str):  # type: ignore[no-untyped-def]
    from headwater_aws import AwsClientParameters, AwsCredentials, S3Bucket

    creds = AwsCredentials(aws_client_parameters=AwsClientParameters(endpoint_url=endpoint))
    return S3Bucket(bucket_name=bucket, credentials=creds)


def child(mode: str, endpoint: str, bucket: str, path: str) -> None:
    """One large transfer in this fresh process; prints seconds and peak RSS growth (MB)."""
    block = bucket_block(endpoint, bucket)
    client = block.credentials.get_s3_client()
    client.head_bucket(Bucket=bucket)  # connections, imports, credentials: all warm
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if mode == "block-up":
        block.upload_from_path(path, "big.bin")
    elif mode == "sdk-up":
        client.upload_file(path, bucket, "big-sdk.bin")
    elif mode == "block-down":
        block.download_object_to_path("big.bin", path)
    elif mode == "sdk-down":
        client.download_file(bucket, "big-sdk.bin", path)
    seconds = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps({"seconds": seconds, "rss_mb": grown}))


def run_child(mode: str, endpoint: str, bucket: str, path: Path) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", mode, endpoint, bucket, str(path)]
    out = subprocess.run(
        args, capture_output=True, text=True, check=True, env={**os.environ, **ENV}
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def large(endpoint: str, bucket: str, mb: int, tmp: Path, rounds: int) -> None:
    source = tmp / "big.bin"
    with open(source, "wb") as f:
        for _ in range(mb):
            f.write(os.urandom(1024 * 1024))
    print(f"\n{mb} MB object, best of {rounds} (seconds; peak RSS growth of the process):")
    for direction in ("up", "down"):
        target = source if direction == "up" else tmp / f"down-{direction}.bin"
        runs: dict[str, list[dict[str, float]]] = {"sdk": [], "block": []}
        for _ in range(rounds):  # alternate, so load from elsewhere hits both alike
            for who in ("sdk", "block"):
                runs[who].append(run_child(f"{who}-{direction}", endpoint, bucket, target))
        sdk, block = (
            {
                "seconds": min(r["seconds"] for r in runs[w]),
                "rss_mb": max(r["rss_mb"] for r in runs[w]),
            }
            for w in ("sdk", "block")
        )
        print(
            f"  {direction:5} block {block['seconds']:6.2f} s  {block['rss_mb']:6.1f} MB | "
            f"boto3 {sdk['seconds']:6.2f} s  {sdk['rss_mb']:6.1f} MB | "
            f"ratio {sdk['seconds'] / block['seconds']:.2f}"
        )


def small(endpoint: str, bucket: str, n: int) -> None:
    block = bucket_block(endpoint, bucket)
    client = block.credentials.get_s3_client()
    payload = os.urandom(1024)

    def timed(fn) -> float:  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        for i in range(n):
            fn(i)
        return time.perf_counter() - start

    rows = {"write": [], "read": []}  # type: ignore[var-annotated]
    for _ in range(3):  # alternate, so drift on the server hits both alike
        sdk_w = timed(lambda i: client.put_object(Bucket=bucket, Key=f"sdk/{i}", Body=payload))
        blk_w = timed(lambda i: block.write_path(f"blk/{i}", payload))
        sdk_r = timed(lambda i: client.get_object(Bucket=bucket, Key=f"sdk/{i}")["Body"].read())
        blk_r = timed(lambda i: block.read_path(f"blk/{i}"))
        rows["write"].append((blk_w, sdk_w))
        rows["read"].append((blk_r, sdk_r))
    print(f"\n{n} small objects (1 KiB), median of 3 rounds:")
    for what, pairs in rows.items():
        blk = statistics.median(p[0] for p in pairs)
        sdk = statistics.median(p[1] for p in pairs)
        print(f"  {what:5} block {blk / n * 1e3:6.2f} ms/object | boto3 {sdk / n * 1e3:6.2f} "
              f"ms/object | ratio {sdk / blk:.2f}")  # fmt: skip


def cache_hits(endpoint: str, bucket: str, n: int, tmp: Path) -> None:
    storages = {"local": str(tmp / "local-results"), "s3": bucket_block(endpoint, bucket)}
    results = cache_hit_micros(storages, n, tmp / "home")
    print(f"\ncache hit, per task call ({n} calls in one flow):")
    print(f"  local storage {results['local']:8.0f} us | S3Bucket {results['s3']:8.0f} us")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="large transfers: best of N")
    parser.add_argument("--child", nargs=4)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    os.environ.update(ENV)
    proc, endpoint = start_server()
    try:
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        bucket_block(endpoint, bucket).credentials.get_s3_client().create_bucket(Bucket=bucket)
        with tempfile.TemporaryDirectory() as tmp:
            print(f"moto S3 server at {endpoint}")
            if args.mb:
                large(endpoint, bucket, args.mb, Path(tmp), args.rounds)
            if args.small:
                small(endpoint, bucket, args.small)
            if args.tasks:
                cache_hits(endpoint, bucket, args.tasks, Path(tmp))
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
