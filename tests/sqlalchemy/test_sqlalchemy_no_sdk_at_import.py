"""Listing the connector block types imports no SQLAlchemy (DESIGN.md: plugins import no SDK
until used), so `Block.load("slug/name")` of any block and `headwater block types` stay cheap.

Creating or loading a connector itself still imports SQLAlchemy: its URL and driver are
checked then (as in Prefect), and that check is SQLAlchemy's own URL parser.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SDK_MODULES = ("sqlalchemy",)

_SCRIPT = """
import sys

from click.testing import CliRunner
from headwater.blocks.core import Block
from headwater.blocks.registry import block_types
from headwater.blocks.system import Secret
from headwater.cli.main import build_cli
from headwater_sqlalchemy import plugin

classes = plugin.headwater_block_types()
assert {c.__name__ for c in classes} == {"SqlAlchemyConnector", "AsyncSqlAlchemyConnector"}
assert "sqlalchemy-connector" in block_types(), sorted(block_types())
for cls in classes:
    assert "connection_info" in cls.model_json_schema()["properties"]

listing = CliRunner().invoke(build_cli(), ["block", "types", "-o", "json"])
assert listing.exit_code == 0, listing.output
assert "sqlalchemy-connector" in listing.output

Secret(value="s3cret").save("pw")
assert Block.load("secret/pw").get() == "s3cret"

loaded = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:]))
assert not loaded, f"imported while listing block types / loading a block: {loaded}"
"""


def test_block_types_hook_cli_and_loading_a_block_import_no_sqlalchemy() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *SDK_MODULES], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_bad_url_is_still_refused_when_the_connector_is_created() -> None:
    """The URL check moved into the validator's body; it still runs at creation."""
    from headwater_sqlalchemy import SqlAlchemyConnector
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not a SQLAlchemy URL"):
        SqlAlchemyConnector(connection_info="no url here")
    with pytest.raises(ValueError, match="async driver"):
        SqlAlchemyConnector(connection_info="sqlite+aiosqlite:///x.db")
