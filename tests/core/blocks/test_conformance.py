"""Every built-in block passes the block conformance suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from headwater.testing.conformance.blocks import BlockConformance


class TestSecretString(BlockConformance):
    @pytest.fixture
    def block(self):
        from headwater.blocks.system import Secret

        return Secret(value="s3cr3t-string-value")


class TestSecretJSON(BlockConformance):
    @pytest.fixture
    def block(self):
        from headwater.blocks.system import Secret

        return Secret(value={"user": "admin", "password": "json-s3cr3t"})


class TestLocalFileSystem(BlockConformance):
    @pytest.fixture
    def block(self, tmp_path: Path):
        from headwater.blocks.filesystems import LocalFileSystem

        return LocalFileSystem(basepath=str(tmp_path))


def test_builtins_are_registered_through_the_hook() -> None:
    from headwater.blocks.registry import block_types

    types = block_types()
    assert types["secret"].__name__ == "Secret"
    assert types["local-file-system"].__name__ == "LocalFileSystem"
