"""`nox -s all` runs every package's tests in one pytest session, where test folders
have no __init__.py: two test modules with one basename would refuse to collect."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2]


def test_every_test_module_basename_is_unique() -> None:
    names = Counter(
        path.name
        for path in TESTS.rglob("*.py")
        if path.name != "conftest.py"
        and "__init__.py" not in {p.name for p in path.parent.iterdir()}
    )
    clashes = sorted(name for name, count in names.items() if count > 1)
    assert not clashes, f"rename these test modules so each basename is unique: {clashes}"
