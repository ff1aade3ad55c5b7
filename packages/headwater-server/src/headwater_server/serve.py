"""Run uvicorn on the server's ASGI app; the API starts loading once the socket listens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from headwater_server.asgi import assemble


def serve(
    home: Path, *, host: str, port: int, api_key: str | None, log_level: str = "info"
) -> None:
    """Serve `home`'s history on host:port until SIGINT/SIGTERM."""
    import uvicorn

    app, loader = assemble(home, api_key=api_key)

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            loader.start_loading()

    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False)
    try:
        Server(config).run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its clean shutdown: a normal stop
        pass
