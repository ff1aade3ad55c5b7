"""A click group whose commands report an unusable HEADWATER_HOME as one clear line.

Commands that keep their data in the home's database (variables, artifacts)
open it on first use; a home that is a file, unwritable or corrupt then fails
with exit code 1 and the fix, not a traceback.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import click


class HomeDatabaseGroup(click.Group):
    """A group whose commands turn database and filesystem errors into ClickExceptions."""

    def invoke(self, ctx: click.Context) -> Any:
        from headwater.exceptions import RunStoreError

        try:
            return super().invoke(ctx)
        except RunStoreError as exc:
            raise click.ClickException(str(exc)) from None
        except (OSError, sqlite3.Error) as exc:
            from headwater import settings

            raise click.ClickException(
                f"HEADWATER_HOME={settings.home()} cannot be used: {exc}; set "
                "HEADWATER_HOME to a writable directory"
            ) from None
