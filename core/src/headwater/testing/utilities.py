"""Prefect's `prefect.testing.utilities` path: `prefect_test_harness` for users' tests.

    from headwater.testing.utilities import prefect_test_harness

    @pytest.fixture(autouse=True, scope="session")
    def headwater_isolation():
        with prefect_test_harness():
            yield

Prefect's harness starts a temporary server; headwater needs none, so this
points HEADWATER_HOME (run history, blocks, keys, default result storage) at
a fresh temporary directory, and puts everything back afterwards.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from headwater import settings

__all__ = ["headwater_test_harness", "prefect_test_harness"]

#: settings that would send records or results outside the temporary home
_POINTING_ELSEWHERE = (
    settings.HEADWATER_RESULTS_LOCAL_STORAGE_PATH,
    settings.HEADWATER_API_URL,
    settings.HEADWATER_API_KEY,
    settings.HEADWATER_DATABASE_URL,
)


@contextlib.contextmanager
def headwater_test_harness(server_startup_timeout: int | None = 30) -> Iterator[Path]:
    """Run the block against a temporary, empty headwater home; yields its path.

    `server_startup_timeout` is accepted for Prefect's signature; no server starts.
    """
    from headwater.history import reset_store  # registers the store's home listener

    with tempfile.TemporaryDirectory(prefix="headwater-test-home-") as tmp:
        home = Path(tmp)
        try:
            with settings.temporary_settings(
                updates={settings.HEADWATER_HOME: home},
                restore_defaults=_POINTING_ELSEWHERE,
            ):
                yield home
        finally:
            reset_store()  # flush and close anything still open on the temporary home


prefect_test_harness = headwater_test_harness
