"""Every lazily exported name resolves, and what type checkers read matches what runs.

Each package face lists its names three times: `__all__`, a `TYPE_CHECKING`
import block (what mypy, pyright and editors see) and the `lazy_exports`
table (what runs). They must agree name for name and module for module.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect

import pytest

# (module, the third-party module its names need at resolution, or None)
FACES = [
    ("headwater", None),
    ("headwater.blocks", None),
    ("headwater.task_runners", None),
    ("headwater.plugins", None),
    ("headwater_shell", None),
    ("headwater_dask", "distributed"),
    ("headwater_ray", "ray"),
    ("headwater_aws", "boto3"),
    ("headwater_azure", "azure.storage.blob"),
    ("headwater_gcp", "google.cloud.storage"),
    ("headwater_sqlalchemy", "sqlalchemy"),
    ("headwater_slack", "slack_sdk"),
]


def _load(name: str, needs: str | None):  # type: ignore[no-untyped-def]
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed here")
    if needs is not None and importlib.util.find_spec(needs) is None:
        pytest.skip(f"{name}'s names need {needs}, not installed here")
    return importlib.import_module(name)


def _faces(module) -> tuple[dict[str, str], dict[str, str], set[str]]:  # type: ignore[no-untyped-def]
    """(names imported under TYPE_CHECKING -> module, table name -> module, declared-only names)."""
    tree = ast.parse(inspect.getsource(module))
    checked: dict[str, str] = {}
    table: dict[str, str] = {}
    declared: set[str] = set()
    for node in tree.body:
        if not (isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"):
            continue
        for stmt in node.body:
            if isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    checked[alias.asname or alias.name] = f"{stmt.module}:{alias.name}"
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                declared.add(stmt.target.id)
        for stmt in ast.walk(ast.Module(body=node.orelse, type_ignores=[])):
            if (
                isinstance(stmt, ast.Call)
                and getattr(stmt.func, "id", None) == "lazy_exports"
                and isinstance(stmt.args[1], ast.Dict)
            ):
                for key, value in zip(stmt.args[1].keys, stmt.args[1].values, strict=True):
                    name, where = ast.literal_eval(key), ast.literal_eval(value)  # type: ignore[arg-type]
                    table[name] = where if ":" in where else f"{where}:{name}"
    return checked, table, declared


@pytest.mark.parametrize(("name", "needs"), FACES)
def test_type_checking_block_mirrors_the_lazy_table(name: str, needs: str | None) -> None:
    module = _load(name, None)
    checked, table, declared = _faces(module)
    assert table, f"{name}: no lazy_exports table found"
    assert checked == table, f"{name}: TYPE_CHECKING imports and the lazy table disagree"
    eager = {n for n in module.__all__ if n in vars(module)}
    assert set(module.__all__) == set(table) | declared | eager, (
        f"{name}: __all__ lists names that neither the table nor the module defines: "
        f"{sorted(set(module.__all__) - set(table) - declared - eager)}"
    )


@pytest.mark.parametrize(("name", "needs"), FACES)
def test_every_public_name_resolves_to_its_source(name: str, needs: str | None) -> None:
    module = _load(name, needs)
    _, table, _ = _faces(module)
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)  # what a user's star import does
    assert set(module.__all__) <= set(namespace)
    for public, where in table.items():
        source, attribute = where.split(":")
        assert namespace[public] is getattr(importlib.import_module(source), attribute)
    assert set(table) <= set(dir(module))


def test_unknown_names_raise_attribute_error_naming_the_module() -> None:
    import headwater

    with pytest.raises(AttributeError, match="module 'headwater' has no attribute 'get_clint'"):
        headwater.get_clint  # noqa: B018


def test_import_headwater_loads_no_submodule_but_the_lazy_helper() -> None:
    import subprocess
    import sys

    code = (
        "import sys; before = set(sys.modules); import headwater; "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('headwater') or m == 'typing'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "['headwater',",
        "'headwater.utilities',",
        "'headwater.utilities.lazy']",
    ]
