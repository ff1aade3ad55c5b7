"""headwater-server: the REST API over a home's run history (`headwater server start`).

Importing this package imports neither FastAPI nor uvicorn; `headwater_server.app`
builds the application and `headwater_server.cli` holds the `server` command group.
"""

from __future__ import annotations

__version__ = "0.1.0"
