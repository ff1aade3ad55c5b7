"""`headwater version`: what is installed and where history goes, for bug reports."""

from __future__ import annotations

import platform
import sqlite3
import sys

import click


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("headwater")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _plugin_count() -> str:
    try:
        from headwater.plugins import get_plugin_manager

        return str(len(get_plugin_manager().plugin_info()))
    except Exception:
        return "unknown"


@click.command("version")
def version_command() -> None:
    """Show headwater's version, Python, platform, HEADWATER_HOME and SQLite version."""
    from headwater import settings

    rows = [
        ("Version", _version()),
        ("Python version", sys.version.split()[0]),
        ("Platform", f"{platform.system()}/{platform.machine()}"),
        ("HEADWATER_HOME", str(settings.home())),
        ("SQLite version", sqlite3.sqlite_version),
        ("Plugins", _plugin_count()),
    ]
    width = max(len(k) for k, _ in rows) + 1
    for key, value in rows:
        click.echo(f"{(key + ':').ljust(width)} {value}")
