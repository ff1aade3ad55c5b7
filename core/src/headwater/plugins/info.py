"""What `headwater plugins` reports about each plugin.

Kept free of pluggy so the CLI and tests can build and read these cheaply.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable

    from headwater.plugins.kinds import Kind
    from headwater.plugins.manager import HeadwaterPluginManager

Status = Literal["active", "failed", "disabled"]


@dataclass
class PluginInfo:
    """One registered (or refused) plugin: an entry point, or core's built-ins."""

    name: str
    distribution: str | None = None
    version: str | None = None
    status: Status = "active"
    #: kind -> names it registered, e.g. {"task_runners": ["thread", "process"]}
    registers: dict[str, list[str]] = field(default_factory=dict)
    #: why it failed (or what went wrong with some of its registrations)
    error: str | None = None

    @property
    def label(self) -> str:
        """How warnings name the plugin: entry point, distribution and version."""
        if self.distribution and self.distribution != self.name:
            version = f" {self.version}" if self.version else ""
            return f"'{self.name}' (from {self.distribution}{version})"
        return f"'{self.name}'"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def collect_plugin_info(
    pm: HeadwaterPluginManager | None = None, kinds: Iterable[Kind] = ()
) -> list[PluginInfo]:
    """Every plugin with what it registers; runs each hook once (cached) to find out.

    What is listed is `kinds` plus every kind declared so far (a kind is declared
    when the module owning it is imported; `headwater plugins` imports them all).
    """
    if pm is None:
        from headwater.plugins.registry import get_plugin_manager

        pm = get_plugin_manager()
    for kind in kinds:
        pm.collect(kind)
    pm.collect_all()
    return pm.plugin_info()
