"""`Block.register_type_and_schema()`: a block type known to every process sharing the home."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from headwater.blocks import Block, CredentialsBlock, InvalidBlockRegistration

MODULE = '''
from pydantic import Field

from headwater.blocks import Block, SecretStr


class ApiToken(Block):
    """Token for the reporting API."""

    token: SecretStr = Field(description="token")


class ReportingApi(Block):
    """The reporting API, with its token as a nested block."""

    _block_type_slug = "reporting-api"
    url: str = Field(description="base URL")
    auth: ApiToken | None = Field(default=None, description="token block")
'''


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env
    )


def _cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    code = f"from headwater.cli.main import main; import sys; sys.argv = ['headwater', *{args!r}]; main()"
    return _run(code, tmp_path)


def test_registered_type_is_found_by_other_processes(tmp_path: Path) -> None:
    (tmp_path / "reporting_blocks.py").write_text(MODULE)
    before = _cli(["block", "types"], tmp_path)
    assert before.returncode == 0, before.stderr
    assert "reporting-api" not in before.stdout

    registered = _run(
        """
        from reporting_blocks import ReportingApi
        ReportingApi.register_type_and_schema()
        """,
        tmp_path,
    )
    assert registered.returncode == 0, registered.stderr

    after = _cli(["block", "types"], tmp_path)
    assert after.returncode == 0, after.stderr
    assert "reporting-api" in after.stdout and "api-token" in after.stdout  # nested type too
    assert "The reporting API" in after.stdout

    # a third process that never imported the module finds the class by its slug
    found = _run(
        """
        from headwater.blocks.registry import block_class
        cls = block_class("reporting-api")
        print(cls.__module__, cls.__name__)
        cls(url="https://reports.example").save("prod")
        from headwater.blocks import Block
        print(Block.load("reporting-api/prod").url)
        """,
        tmp_path,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.split("\n")[:2] == [
        "reporting_blocks ReportingApi",
        "https://reports.example",
    ]


def test_register_is_awaitable_in_async_code() -> None:
    from headwater.blocks.documents import get_block_storage

    class Webhook(Block):
        """A webhook."""

        url: str

    async def main() -> None:
        await Webhook.register_type_and_schema()

    asyncio.run(main())
    assert "webhook" in {r.slug for r in get_block_storage().read_types()}


def test_aregister_type_and_schema() -> None:
    from headwater.blocks.documents import get_block_storage

    class Pager(Block):
        """A pager."""

        number: str

    asyncio.run(Pager.aregister_type_and_schema())
    assert Pager.register_type_and_schema() is None  # plain call outside a loop
    assert "pager" in {r.slug for r in get_block_storage().read_types()}


@pytest.mark.parametrize("cls", [Block, CredentialsBlock])
def test_base_and_abstract_kinds_cannot_be_registered(cls: type[Block]) -> None:
    with pytest.raises(
        InvalidBlockRegistration, match=cls.__name__ if cls is not Block else "subclass"
    ):
        cls.register_type_and_schema()
