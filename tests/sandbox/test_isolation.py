"""The sandbox plays the CRMs: it must not share a line of code with the product it tests.

The guard resolves relative imports too, so ``from ..x import y`` cannot smuggle product code in, and a
planted import proves the guard is not blind.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

SANDBOX_SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "crmbridge_sandbox"


def _module_of(path: pathlib.Path, root: pathlib.Path) -> list[str]:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _package_of(path: pathlib.Path, root: pathlib.Path) -> list[str]:
    module = _module_of(path, root)
    return module if path.name == "__init__.py" else module[:-1]


def imported_modules(path: pathlib.Path, root: pathlib.Path) -> list[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                package = _package_of(path, root)
                up = node.level - 1
                if up > len(package) - 1:
                    found.append("<relative import above the sandbox package>")
                    continue
                parent = package[: len(package) - up]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            found.append(base)
            found.extend(f"{base}.{alias.name}" for alias in node.names)
    return found


def product_imports(root: pathlib.Path) -> list[str]:
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for name in imported_modules(path, root):
            if name == "crmbridge" or name.startswith(("crmbridge.", "<")):
                offenders.append(f"{path.relative_to(root)}: {name}")
    return offenders


def test_sandbox_imports_nothing_of_crmbridge() -> None:
    assert SANDBOX_SRC.is_dir()
    assert product_imports(SANDBOX_SRC) == []


@pytest.mark.parametrize(
    "planted",
    [
        "from crmbridge.engine import Engine\n",
        "import crmbridge\n",
        "import crmbridge.errors as errors\n",
        "from crmbridge import errors\n",
        "def f():\n    from crmbridge.providers import hubspot\n",
        "from ... import x\n",
    ],
)
def test_the_guard_catches_a_planted_import(tmp_path: pathlib.Path, planted: str) -> None:
    root = tmp_path / "crmbridge_sandbox"
    (root / "hubspot").mkdir(parents=True)
    (root / "__init__.py").write_text("from .hubspot import x\n")
    (root / "hubspot" / "__init__.py").write_text("x = 1\n")
    assert product_imports(root) == []
    (root / "hubspot" / "planted.py").write_text(planted)
    assert product_imports(root) != []
