"""The plugin manager: loads core's built-ins, then installed entry points.

Loading never raises. A plugin that cannot be imported, whose hook raises, or
that registers something invalid or already taken is reported once (a
`HeadwaterPluginWarning` naming it and its distribution), recorded as "failed"
in its `PluginInfo`, and skipped; every other plugin keeps working. Hooks are
called per plugin (not through pluggy's fan-out) so that errors are attributed.

Registrations are collected per kind on first lookup and cached, so finding a
task runner by name does not import every plugin's block classes.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterable
from importlib import metadata
from typing import Any

import pluggy

from headwater.plugins.hookspecs import PROJECT_NAME, HeadwaterSpecs
from headwater.plugins.info import PluginInfo
from headwater.plugins.kinds import KINDS, Kind, PluginError, get_kind

logger = logging.getLogger("headwater.plugins")

ENTRY_POINT_GROUP = "headwater"
BUILTINS_NAME = "headwater"


class HeadwaterPluginWarning(UserWarning):
    """A plugin failed to load or registered something invalid."""


def _core_version() -> str | None:
    try:
        return metadata.version("headwater")
    except metadata.PackageNotFoundError:
        return None


def disabled_plugin_names() -> set[str]:
    """Names from HEADWATER_DISABLED_PLUGINS (entry point or distribution names)."""
    from headwater import settings

    raw = settings.get("disabled_plugins") or ""
    return {part.strip().lower() for part in raw.split(",") if part.strip()}


class HeadwaterPluginManager(pluggy.PluginManager):
    """A pluggy manager that validates and attributes every registration."""

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)
        self.add_hookspecs(HeadwaterSpecs)
        self._infos: dict[str, PluginInfo] = {}
        self._collected: dict[str, dict[str, Any]] = {}
        self._owners: dict[str, dict[str, str]] = {}
        self._lock = threading.RLock()

    @classmethod
    def create(cls, load_entrypoints: bool = True) -> HeadwaterPluginManager:
        """Built-ins first, then (unless told not to) the `headwater` entry points."""
        from headwater.plugins import builtins

        pm = cls()
        pm.register_plugin(
            builtins, name=BUILTINS_NAME, distribution="headwater", version=_core_version()
        )
        if load_entrypoints:
            pm.load_entrypoints()
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:  # register_plugin catches these first
            warnings.warn(str(exc), HeadwaterPluginWarning, stacklevel=2)
        return pm

    # --- registering ------------------------------------------------------------
    def register(self, plugin: object, name: str | None = None) -> str | None:
        with self._lock:
            registered = super().register(plugin, name=name)
            if registered is not None and registered not in self._infos:
                self._infos[registered] = PluginInfo(name=registered)
            self._collected.clear()
            return registered

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        with self._lock:
            if name is None and plugin is not None:
                name = self.get_name(plugin)
            removed = super().unregister(plugin=plugin, name=name)
            if name is not None:
                self._infos.pop(name, None)
            self._collected.clear()
            return removed

    def register_plugin(
        self,
        plugin: object,
        name: str | None = None,
        distribution: str | None = None,
        version: str | None = None,
    ) -> PluginInfo:
        """Register `plugin`, recording (not raising) anything wrong with it."""
        name = name or self.get_canonical_name(plugin)
        info = PluginInfo(name=name, distribution=distribution, version=version)
        with self._lock:
            if name in self._infos:
                info.name = f"{name} ({distribution or 'unknown'})"
                self._infos[info.name] = info
                self._fail(info, f"plugin name {name!r} is already in use")
                return info
            self._infos[name] = info
            try:
                registered = self.register(plugin, name=name)
            except Exception as exc:
                self._fail(info, _describe(exc))
                return info
            if registered is None:  # blocked with set_blocked()
                info.status = "disabled"
                return info
            unknown = [hc.name for hc in self.get_hookcallers(plugin) or () if not hc.has_spec()]
            if unknown:
                super().unregister(plugin=plugin)
                self._fail(info, f"unknown hook(s) {', '.join(sorted(unknown))} (misspelt?)")
        return info

    def load_entrypoints(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Load and register every entry point in `group`, each on its own."""
        disabled = disabled_plugin_names()
        eps = sorted(
            metadata.entry_points(group=group), key=lambda ep: (_dist(ep)[0] or "", ep.name)
        )
        for ep in eps:
            dist, version = _dist(ep)
            if ep.name.lower() in disabled or (dist or "").lower() in disabled:
                self.set_blocked(ep.name)
                self._infos.setdefault(
                    ep.name, PluginInfo(ep.name, dist, version, status="disabled")
                )
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                info = PluginInfo(ep.name, dist, version)
                self._infos.setdefault(ep.name, info)
                self._fail(info, _describe(exc))
                continue
            self.register_plugin(plugin, name=ep.name, distribution=dist, version=version)

    # --- collecting -------------------------------------------------------------
    def collect(self, kind: str | Kind) -> dict[str, Any]:
        """name -> registered object for one kind ("task_runners", ...), validated."""
        kind = get_kind(kind) if isinstance(kind, str) else kind
        cached = self._collected.get(kind.name)
        if cached is not None:
            return cached
        with self._lock:
            if kind.name not in self._collected:
                self._collected[kind.name] = self._collect(kind)
            return self._collected[kind.name]

    def collect_all(self) -> dict[str, dict[str, Any]]:
        """Every declared kind (those whose owning module has been imported), collected."""
        return {kind.name: self.collect(kind) for kind in list(KINDS.values())}

    def owner(self, kind: str, name: str) -> str | None:
        """Which plugin registered `name` of `kind` (after it was collected)."""
        return self._owners.get(kind, {}).get(name)

    def plugin_info(self) -> list[PluginInfo]:
        return list(self._infos.values())

    def _collect(self, kind: Kind) -> dict[str, Any]:
        result: dict[str, Any] = {}
        owners: dict[str, str] = {}
        order = {name: i for i, name in enumerate(self._infos)}
        caller = getattr(self.hook, kind.hook)
        impls = sorted(caller.get_hookimpls(), key=lambda i: order.get(i.plugin_name, len(order)))
        for impl in impls:
            info = self._infos.setdefault(impl.plugin_name, PluginInfo(impl.plugin_name))
            info.registers.pop(kind.name, None)
            if impl.hookwrapper or impl.wrapper:
                continue
            try:
                items = _as_list(impl.function(), kind)
            except Exception as exc:
                self._fail(info, f"{kind.hook}() failed: {_describe(exc)}")
                continue
            names: list[str] = []
            for item in items:
                try:
                    key = kind.key(item)
                    if key in result:
                        raise PluginError(
                            f"{kind.name[:-1].replace('_', ' ')} {key!r} is already "
                            f"registered by plugin {owners[key]!r}"
                        )
                except Exception as exc:
                    self._fail(info, f"{kind.hook}(): {_describe(exc)}")
                    continue
                result[key] = item
                owners[key] = impl.plugin_name
                names.append(key)
            if names:
                info.registers[kind.name] = names
        self._owners[kind.name] = owners
        return result

    def _fail(self, info: PluginInfo, message: str) -> None:
        """Record a failure; warn only for the plugin's first one."""
        first = info.status != "failed"
        info.status = "failed"
        info.error = message if first or not info.error else f"{info.error}; {message}"
        if first:
            warnings.warn(
                f"headwater plugin {info.label} failed: {message}",
                HeadwaterPluginWarning,
                stacklevel=3,
            )
        else:
            logger.debug("headwater plugin %s: %s", info.label, message)


def _dist(ep: metadata.EntryPoint) -> tuple[str | None, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    return dist.metadata["Name"] or getattr(dist, "name", None), dist.version


def _as_list(returned: Any, kind: Kind) -> list[Any]:
    if returned is None:
        return []
    if isinstance(returned, (str, bytes, type)) or not isinstance(returned, Iterable):
        raise PluginError(f"{kind.hook}() must return a list, got {returned!r}")
    return list(returned)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
