"""Packages use only core's public names (DESIGN.md): no `from headwater.x import _y`,
no `headwater._x` module, and no private member of a core object (`call._finish`).

A private name may change with any core release; a package that reaches for one
breaks for its users when that happens, so anything a plugin needs must be public.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CORE = ROOT / "core" / "src" / "headwater"
PACKAGE_SOURCES = sorted(
    [p / "src" for p in (ROOT / "packages").iterdir() if (p / "src").is_dir()]
    + [ROOT / "shell" / "src"]
)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _trees(root: Path) -> Iterator[tuple[Path, ast.AST]]:
    for path in sorted(root.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _private_members(root: Path) -> set[str]:
    """Underscore methods and attributes that classes under `root` define."""
    names: set[str] = set()
    for _, tree in _trees(root):
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in ast.walk(node):
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        names.add(item.name)
                    elif isinstance(item, ast.Attribute) and isinstance(item.ctx, ast.Store):
                        names.add(item.attr)
                    elif isinstance(item, ast.Constant) and isinstance(item.value, str):
                        names.add(item.value)  # __slots__ entries
    return {n for n in names if _private(n)}


def _core_module(module: str) -> bool:
    return module == "headwater" or module.startswith("headwater.")


def private_uses(source_root: Path, core_private: set[str]) -> list[str]:
    """Every use of a private core name in the packages under `source_root`."""
    own = _private_members(source_root)
    found: list[str] = []
    for path, tree in _trees(source_root):
        where = path.relative_to(source_root.parent.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _core_module(node.module or ""):
                module = node.module or ""
                bad = [a.name for a in node.names if _private(a.name)]
                if any(_private(part) for part in module.split(".")) or bad:
                    found.append(f"{where}:{node.lineno}: from {module} import {bad or '...'}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if _core_module(alias.name) and any(_private(p) for p in parts):
                        found.append(f"{where}:{node.lineno}: import {alias.name}")
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in core_private
                and node.attr not in own
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                found.append(f"{where}:{node.lineno}: .{node.attr} (a private member in core)")
    return found


def test_packages_use_no_private_name_of_core() -> None:
    core_private = _private_members(CORE)
    found = [use for root in PACKAGE_SOURCES for use in private_uses(root, core_private)]
    assert not found, "packages reach into core's private names:\n" + "\n".join(found)


def test_the_scan_finds_private_imports_and_members(tmp_path: Path) -> None:
    pkg = tmp_path / "headwater-x" / "src" / "headwater_x"
    pkg.mkdir(parents=True)
    (pkg / "runner.py").write_text(
        "from headwater.context import _flow_run\n"
        "from headwater.testing.conformance._tasks import add\n"
        "import headwater.engine._hidden\n"
        "def lost(call):\n"
        "    call._finish(None)\n"
        "    return call.finish(None)\n"
    )
    found = private_uses(pkg.parent, {"_finish"})
    assert len(found) == 4, found
    assert any("import ['_flow_run']" in f for f in found)
    assert any("._finish" in f for f in found)
