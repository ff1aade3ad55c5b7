"""Automations over what clients record through the server.

A client with HEADWATER_API_URL set evaluates no automations itself: its events
land in the server's home. The server process opens that home's run store, which
starts core's automation evaluator beside it (`headwater.automations.runtime`),
and wakes it after each batch that brought states or events, so an automation
fires as soon as the event is committed, as it does in a process without a server.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("headwater.server")


def wake_automations() -> None:
    """Have the home's evaluator look at newly committed events now (never raises)."""
    try:
        from headwater.automations.runtime import evaluator_for
        from headwater.history import get_store

        background = evaluator_for(get_store())
        if background is not None:
            background.wake.set()
    except Exception:  # automations must never fail a client's batch
        logger.exception("could not wake the automation evaluator")
