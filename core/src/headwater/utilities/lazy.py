"""Lazy package exports: a name's module is imported on first use, not at import time.

`import headwater` must stay cheap (a one-task script starts in well under a
second), so package faces list their public names in a table and load each on
first access:

    # mypackage/__init__.py
    from headwater.utilities.lazy import lazy_exports

    __all__ = ["MyRunner"]

    TYPE_CHECKING = False
    if TYPE_CHECKING:  # what type checkers and editors read
        from mypackage.runner import MyRunner
    else:  # what runs
        __getattr__, __dir__ = lazy_exports(__name__, {"MyRunner": "mypackage.runner"})

`TYPE_CHECKING = False` (rather than importing it from `typing`) keeps
`typing` out of the import; mypy and pyright treat the name as true. Type
checkers never see the `__getattr__`, so a misspelt name is an error for
them rather than a silent `object`.

A table value is the module that defines the name, or `"module:attribute"`
when the public name is an alias of another attribute. Keep the
`TYPE_CHECKING` block and the table in step; headwater's tests check that
they agree for every package.

This module imports nothing but `sys` (not even `typing`), so using it adds
no import cost.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(
    module_name: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """`(__getattr__, __dir__)` for module `module_name`, loading `exports` on first use.

    A loaded value is stored in the module's globals, so the second access is
    a plain attribute lookup that never reaches `__getattr__`.
    """
    table = dict(exports)

    def __getattr__(name: str) -> object:
        where = table.get(name)
        if where is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        source, _, attribute = where.partition(":")
        __import__(source)
        value = getattr(sys.modules[source], attribute or name)
        setattr(sys.modules[module_name], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*table, *getattr(sys.modules[module_name], "__all__", ())})

    return __getattr__, __dir__
