"""The optimiser package stays readable and below the others: module sizes and imports."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "optimizer"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def test_no_optimizer_module_over_500_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines())
             for p in PACKAGE.glob("*.py")}
    assert len(sizes) >= 15
    assert {k: v for k, v in sizes.items() if v > 500} == {}


def test_optimizer_imports_only_the_bottom_layer() -> None:
    for path in PACKAGE.glob("*.py"):
        upward = _imports(path) & {"planning", "maps", "pages", "app", "geo"}
        assert not upward, f"{path.name} imports {sorted(upward)}"


def test_other_layers_use_the_public_face_only() -> None:
    for folder in ("planning", "maps", "pages", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module:
                    assert not node.module.startswith("optimizer."), \
                        f"{path.relative_to(ROOT)} imports {node.module}"
