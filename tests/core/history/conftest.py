"""Store fixture: the process store opened on the per-test HEADWATER_HOME."""

from __future__ import annotations

import pytest


@pytest.fixture
def store(headwater_home):
    from headwater.history import get_store

    return get_store()
