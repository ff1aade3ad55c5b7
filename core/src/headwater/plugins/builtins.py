"""Core's own registrations, made through the same hooks as any plugin.

Dogfooding the hooks means every hook has a real implementation from day one.
Classes are imported inside the hooks; blocks are optional because core's block
modules may be absent in a trimmed install (or not written yet).
"""

from __future__ import annotations

import importlib
from typing import Any

from headwater.plugins import hookimpl


def _optional(module: str, attr: str) -> Any | None:
    """`module.attr`, or None if that module does not exist (other errors propagate)."""
    try:
        return getattr(importlib.import_module(module), attr)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


def _present(*found: Any) -> list[Any]:
    return [cls for cls in found if cls is not None]


@hookimpl
def headwater_task_runners() -> list[type[Any]]:
    return _present(
        _optional("headwater.task_runners.thread", "ThreadPoolTaskRunner"),
        _optional("headwater.task_runners.process", "ProcessPoolTaskRunner"),
    )


@hookimpl
def headwater_block_types() -> list[type[Any]]:
    return _present(
        _optional("headwater.blocks.system", "Secret"),
        _optional("headwater.blocks.filesystems", "LocalFileSystem"),
    )
