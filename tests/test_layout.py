"""The layout rules of the code base, checked so that they stay true.

Layers import downwards only: ``core`` ← ``geo``, ``optimizer`` ← ``planning`` ← ``maps`` ←
entry points (``app.py``, ``pages/``, ``planning/cli.py`` and ``planning/commands/``), and no
library module is longer than 500 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ("core", "geo", "optimizer", "planning", "maps", "pages")
MAX_LINES = 500

#: What each layer must not import (its own layer and those below are allowed).
FORBIDDEN = {
    "core": ("geo", "optimizer", "planning", "maps", "pages", "app"),
    "geo": ("optimizer", "planning", "maps", "pages", "app"),
    "optimizer": ("geo", "planning", "maps", "pages", "app"),
    "planning": ("maps", "pages", "app"),
    "maps": ("pages", "app"),
}
#: Entry points of the command line: they may import every layer.
ENTRY = ("planning/cli.py", "planning/__main__.py", "planning/commands/")


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if ".venv" not in p.parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_downwards_only(package: str) -> None:
    wrong = []
    for path in _modules(package):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(ENTRY):
            continue
        bad = _imports(path) & set(FORBIDDEN[package])
        if bad:
            wrong.append(f"{rel} imports {sorted(bad)}")
    assert not wrong, "\n".join(wrong)


def test_maps_use_only_public_planning_modules() -> None:
    """maps may read planning's results, not the runner's internals."""
    allowed = {"planning.indicators", "planning.profiles", "planning.scenarios",
               "planning.summaries", "planning.compliance"}
    wrong = []
    for path in _modules("maps"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.ImportFrom) and node.module
                    and node.module.startswith("planning") and node.module not in allowed):
                wrong.append(f"{path.relative_to(ROOT)} imports {node.module}")
    assert not wrong, "\n".join(wrong)


def test_no_library_module_is_too_long() -> None:
    long = [f"{p.relative_to(ROOT)}: {n} lines" for pkg in LIBRARY for p in _modules(pkg)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
            and "catalog" not in p.parts]
    assert not long, "\n".join(long)


def test_the_layer_test_catches_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "m.py"
    bad.write_text("from planning.runs import run_scenario\nimport maps.export\n")
    assert _imports(bad) == {"planning", "maps"}


def test_other_layers_use_geo_and_optimizer_through_their_public_faces() -> None:
    """Outside geo and optimizer, their names come from ``geo`` / ``optimizer`` themselves."""
    wrong = []
    paths = [p for pkg in ("core", "planning", "maps", "pages") for p in _modules(pkg)]
    for path in [*paths, ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module] if isinstance(node, ast.ImportFrom) and node.module
                     and node.level == 0 else
                     [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            wrong += [f"{path.relative_to(ROOT)} imports {n}" for n in names
                      if n.startswith(("geo.", "optimizer."))]
    assert not wrong, "\n".join(wrong)
