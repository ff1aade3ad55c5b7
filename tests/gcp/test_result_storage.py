"""GcsBucket as result_storage: results land in the bucket, and a cache hit in a NEW
process reads the value back from it (by block and by "gcs-bucket/name")."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import sys
    from headwater import flow, task
    from headwater.cache_policies import INPUTS

    calls = []

    @task(cache_policy=INPUTS, persist_result=True, result_storage=sys.argv[1])
    def square(x):
        calls.append(x)
        return {"square": x * x}

    @flow
    def run():
        return square(7)

    print(run(), "ran" if calls else "cached")
    """
)


def _run(script: Path, storage: str, home: Path) -> str:
    env = {**os.environ, "HEADWATER_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, str(script), storage], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_cache_hit_in_a_new_process_reads_from_the_bucket(
    gcs_bucket, sdk_client, headwater_home: Path, tmp_path: Path
) -> None:
    gcs_bucket.save("results")
    script = tmp_path / "cached.py"
    script.write_text(SCRIPT)

    assert _run(script, "gcs-bucket/results", headwater_home) == "{'square': 49} ran"
    stored = [b.name for b in sdk_client.list_blobs(gcs_bucket.bucket)]
    assert stored and all(name.startswith("base/") for name in stored)

    assert _run(script, "gcs-bucket/results", headwater_home) == "{'square': 49} cached"

    # The value really comes from the bucket: with the objects gone, the task runs again.
    for name in stored:
        sdk_client.bucket(gcs_bucket.bucket).blob(name).delete()
    assert _run(script, "gcs-bucket/results", headwater_home) == "{'square': 49} ran"


def test_block_instance_as_result_storage(gcs_bucket, headwater_home: Path) -> None:
    from headwater import flow, task
    from headwater.cache_policies import INPUTS

    calls: list[int] = []

    @task(cache_policy=INPUTS, persist_result=True, result_storage=gcs_bucket)
    def double(x: int) -> int:
        calls.append(x)
        return 2 * x

    @flow
    def twice() -> tuple[int, int]:
        return double(21), double(21)

    assert twice() == (42, 42)
    assert calls == [21]
    assert gcs_bucket.list_blobs()
