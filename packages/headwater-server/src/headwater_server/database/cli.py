"""`headwater server database upgrade / reset`: the server's run history tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

_T = TypeVar("_T")

__all__ = ["database"]


def _target() -> tuple[str, str]:
    """(URL, how to show it): HEADWATER_DATABASE_URL, else the home's embedded database."""
    from headwater import settings

    url = settings.get("database_url")
    if url:
        from headwater_server.database.urls import masked

        return url, masked(url)
    from headwater.history.sqlite import ensure_schema

    path = settings.home() / "headwater.db"
    ensure_schema(path)  # the embedded home as core makes it (schema 5), then migrated
    return f"sqlite:///{path}", str(path)


@click.group("database", help="Create, upgrade or reset the server's run history tables.")
def database() -> None:
    pass


@database.command("upgrade")
def upgrade_command() -> None:
    """Migrate HEADWATER_DATABASE_URL's database (else HEADWATER_HOME's) to the newest schema."""
    from headwater.exceptions import RunStoreError

    from headwater_server.database import migrate

    try:
        url, shown = _target()
        before, after = _run(migrate.upgrade, url)
    except RunStoreError as exc:
        raise click.ClickException(str(exc)) from None
    if before == after:
        click.echo(f"{shown}: already at the newest migration ({after})")
    else:
        click.echo(f"{shown}: upgraded from {before or 'nothing'} to {after}")


@database.command("reset")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def reset_command(yes: bool) -> None:
    """Drop every run history row of the database and create its tables again."""
    from headwater.exceptions import RunStoreError

    from headwater_server.database import migrate

    try:
        url, shown = _target()
    except RunStoreError as exc:
        raise click.ClickException(str(exc)) from None
    if not yes and not click.confirm(
        f"Delete all run history in {shown} and recreate its tables?", default=False
    ):
        click.echo("Nothing was deleted.")
        raise click.exceptions.Exit(1)
    try:
        _run(migrate.reset, url)
    except RunStoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{shown}: reset (every run history table is empty)")


def _run(action: Callable[[Engine], _T], url: str) -> _T:
    """`action(engine)`, with database errors explained (password masked)."""
    import sqlalchemy as sa

    from headwater_server.database.run_store import SQLAlchemyRunStore
    from headwater_server.database.urls import explain

    store = SQLAlchemyRunStore(url)
    try:
        return action(store.engine)
    except sa.exc.SQLAlchemyError as exc:
        raise explain(exc, url) from None
    finally:
        store.close()
