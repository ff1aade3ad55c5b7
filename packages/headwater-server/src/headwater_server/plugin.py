"""Adds the `server` command group to `headwater`; imports neither FastAPI nor uvicorn."""

from __future__ import annotations

from typing import Any

from headwater.plugins import hookimpl


@hookimpl
def headwater_cli_commands() -> list[Any]:
    from headwater_server.cli import server

    return [server]
