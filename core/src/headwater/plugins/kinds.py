"""What each hook registers, and how one registration is checked and named.

pluggy checks only hook names and argument names; a plugin returning the wrong
thing would otherwise fail far from its cause. Each `Kind` turns one returned
item into its lookup name, or raises `PluginError` saying what is wrong.

The registry knows no domain class. The layer that owns a kind of registration
declares it with `register_kind`: task runners in `headwater.task_runners.registry`,
block types and operations in `headwater.blocks.registry`, CLI commands in
`headwater.cli.plugin_commands`. Each brings its own check and core's own
registrations of that kind, which reach the manager through the same hook as
any plugin's (see `headwater.plugins.builtins`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class PluginError(Exception):
    """A plugin failed to load or registered something invalid."""


def _nothing() -> list[Any]:
    return []


@dataclass(frozen=True)
class Kind:
    #: key in `PluginInfo.registers` and in `collect()`: "task_runners"
    name: str
    #: the hookspec that provides it
    hook: str
    #: validate one returned item and give its lookup name
    key: Callable[[Any], str]
    #: core's own registrations of this kind, returned by the built-in plugin's hook
    builtins: Callable[[], list[Any]] = field(default=_nothing, compare=False)


#: every declared kind, by name; filled by the modules that own them
KINDS: dict[str, Kind] = {}
_lock = threading.Lock()


def register_kind(kind: Kind) -> Kind:
    """Declare `kind` (its owner does this when imported); returns it for a module constant.

    Declaring a name again replaces it (a reloaded module), but only for the same hook.
    """
    with _lock:
        existing = KINDS.get(kind.name)
        if existing is not None and existing.hook != kind.hook:
            raise ValueError(
                f"Plugin kind {kind.name!r} is already declared for hook {existing.hook!r}; "
                f"it cannot also be declared for {kind.hook!r}. Pick another kind name."
            )
        KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> Kind:
    """The declared kind called `name`, or KeyError naming the declared ones."""
    try:
        return KINDS[name]
    except KeyError:
        declared = ", ".join(sorted(KINDS)) or "none"
        raise KeyError(
            f"No plugin kind {name!r} is declared (declared: {declared}). Import the module "
            "that owns it first, e.g. headwater.task_runners.registry for 'task_runners'."
        ) from None


def kind_for_hook(hook: str) -> Kind | None:
    """The declared kind that `hook` provides, if its owner has been imported."""
    return next((kind for kind in KINDS.values() if kind.hook == hook), None)


def require_class(item: Any, what: str) -> type:
    """`item` if it is a class, else PluginError saying a `what` class was expected."""
    if not isinstance(item, type):
        raise PluginError(f"expected a {what} class, got {item!r}")
    return item


def require_subclass(item: Any, base: type) -> type:
    """`item` if it is a subclass of `base`, else PluginError naming both."""
    cls = require_class(item, base.__name__)
    if not issubclass(cls, base):
        raise PluginError(f"{cls.__qualname__} is not a {base.__name__} subclass")
    return cls
