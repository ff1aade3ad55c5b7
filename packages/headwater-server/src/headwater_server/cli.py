"""`headwater server start`: uvicorn serving the API over this home's run history."""

from __future__ import annotations

import click

from headwater_server.database.cli import database


@click.group("server", help="Run the headwater server (REST API over the run history).")
def server() -> None:
    pass


@server.command("start")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=4200, show_default=True, type=int, help="TCP port.")
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    help="uvicorn's log level.",
)
def start(host: str, port: int, log_level: str) -> None:
    """Serve /api (OpenAPI at /docs) over HEADWATER_HOME's run history until Ctrl-C."""
    from headwater import settings

    from headwater_server.serve import serve

    home = settings.home()
    if home.exists() and not home.is_dir():
        raise click.ClickException(
            f"HEADWATER_HOME={home} is a file, not a directory; set HEADWATER_HOME to the "
            "directory that holds your run history"
        )
    key = settings.get("server_api_key") or None
    url = settings.get("database_url")
    if url:
        from headwater_server.database.urls import masked

        click.echo(f"headwater server: run history in {masked(url)}")
    else:
        click.echo(f"headwater server: run history of {home}")
    click.echo(f"API at http://{host}:{port}/api, docs at http://{host}:{port}/docs")
    click.echo(f"record runs here with HEADWATER_API_URL=http://{host}:{port}/api")
    if key:
        click.echo("API key required (HEADWATER_SERVER_API_KEY is set)")
    if settings.get("api_url"):  # e.g. a profile made for clients: the server IS the history
        click.echo("HEADWATER_API_URL is ignored by the server itself (it serves its own home)")
    with settings.temporary_settings(restore_defaults=["HEADWATER_API_URL"]):
        serve(home, host=host, port=port, api_key=key, log_level=log_level)


server.add_command(database)
