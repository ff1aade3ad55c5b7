"""Finding the Block class for a type slug.

Looked up in order: classes registered by plugins (`headwater_block_types`),
Block subclasses already imported in this process, then the class path
recorded when a block of that type was saved (so `Block.load("my-block/x")`
works in a fresh process for a user's own block class, as long as its module
is importable).

Blocks own their plugin kinds: this module declares `block_types` and
`operations` (the registry below knows no Block class) with core's Secret and
LocalFileSystem as built-ins.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

from headwater.blocks.errors import BlockTypeNotFoundError
from headwater.plugins.kinds import Kind, PluginError, register_kind, require_subclass
from headwater.plugins.registry import get_plugin_manager

if TYPE_CHECKING:
    from headwater.blocks.core import Block


def _subclasses(cls: type[Any]) -> list[type[Any]]:
    found: list[type[Any]] = []
    stack = list(cls.__subclasses__())
    while stack:
        sub = stack.pop()
        found.append(sub)
        stack.extend(sub.__subclasses__())
    return found


def _slug(item: Any, base: type[Any]) -> str:
    """Check one registered class subclasses `base` and has a slug; give the slug."""
    cls: Any = require_subclass(item, base)
    slug = cls.get_block_type_slug()
    if not isinstance(slug, str) or not slug.strip():
        raise PluginError(f"{cls.__qualname__} has an empty block type slug")
    return slug.strip()


def _block_type_key(item: Any) -> str:
    from headwater.blocks.core import Block

    return _slug(item, Block)


def _operation_key(item: Any) -> str:
    from headwater.blocks.abstract import Operation

    return _slug(item, Operation)


def _core_block_types() -> list[Any]:
    from headwater.blocks.filesystems import LocalFileSystem
    from headwater.blocks.notifications import CustomWebhookNotificationBlock
    from headwater.blocks.system import Secret

    return [Secret, LocalFileSystem, CustomWebhookNotificationBlock]


BLOCK_TYPES = register_kind(
    Kind("block_types", "headwater_block_types", _block_type_key, _core_block_types)
)
OPERATIONS = register_kind(Kind("operations", "headwater_operations", _operation_key))


def block_types() -> dict[str, type[Block]]:
    """block type slug -> Block class, for every block type registered through plugins."""
    return dict(get_plugin_manager().collect(BLOCK_TYPES))


def operations() -> dict[str, type[Any]]:
    """block type slug -> Operation class, for every registered operation."""
    return dict(get_plugin_manager().collect(OPERATIONS))


def known_block_types() -> dict[str, type[Block]]:
    """Registered classes plus every concrete Block subclass imported so far."""
    from headwater.blocks.core import Block

    known: dict[str, type[Block]] = {}
    for sub in _subclasses(Block):
        if sub.__module__.startswith("headwater.blocks.abstract") or sub.__name__.startswith("_"):
            continue
        known.setdefault(sub.get_block_type_slug(), sub)
    known.update(block_types())
    return known


def warn_if_shadowed(cls: type[Block]) -> None:
    """Warn when an installed plugin registers another class under `cls`'s slug.

    `Block.load("slug/name")` resolves a slug to the plugin's class first, so a
    user's class with the same slug would silently load as the plugin's.
    """
    slug = cls.get_block_type_slug()
    registered = block_types().get(slug)
    if registered is not None and registered is not cls:
        warnings.warn(
            f"Block type slug {slug!r} of {_path(cls)} is also registered by an installed "
            f"plugin ({_path(registered)}): Block.load({slug + '/NAME'!r}) returns the "
            f"plugin's class. Give {cls.__name__} its own slug (_block_type_slug = "
            f"'my-{slug}') or load it with {cls.__name__}.load(NAME).",
            UserWarning,
            stacklevel=3,
        )


def _path(cls: type[Any]) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def block_class(slug: str) -> type[Block]:
    """The class for `slug`, or BlockTypeNotFoundError naming the known slugs."""
    found = block_types().get(slug)
    if found is not None:
        return found
    from headwater.blocks.core import Block

    for sub in _subclasses(Block):
        if sub.get_block_type_slug() == slug:
            return sub
    from headwater.blocks.documents import get_block_storage

    for record in get_block_storage().read_types():
        if record.slug == slug:
            module, _, qualname = record.class_path.partition(":")
            try:
                obj: Any = importlib.import_module(module)
                for part in qualname.split("."):
                    obj = getattr(obj, part)
                return obj  # type: ignore[no-any-return]
            except (ImportError, AttributeError) as exc:
                raise BlockTypeNotFoundError(
                    f"Block type {slug!r} was saved from {record.class_path}, which cannot be "
                    f"imported here ({exc}). Import the module that defines it first."
                ) from None
    known = ", ".join(sorted(known_block_types())) or "none"
    raise BlockTypeNotFoundError(
        f"No block type with slug {slug!r}. Known block types: {known}. Import the module "
        "that defines the class, or install the package that registers it."
    )
