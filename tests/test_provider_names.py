"""No code outside ``providers/`` branches on a provider's name: adding a CRM is adding a folder.

The guard reads the syntax tree of every module under ``src/crmbridge`` except ``providers/`` and flags a
provider name (or a ``<name>_`` tool-name prefix) used as a comparison operand, in an ``in`` test, as a
``match`` case, as a dict key or subscript, or as the argument of a lookup or prefix test. Planted
samples prove it is not blind; a clean sample proves it leaves ordinary mentions alone.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "src" / "crmbridge"
PROVIDER_NAMES = ("hubspot", "pipedrive")
#: Methods whose argument decides what is looked up or matched.
_LOOKUPS = frozenset({"get", "pop", "setdefault", "startswith", "endswith"})


def _names_provider(node: ast.AST | None) -> bool:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value.lower()
    return any(text == name or text.startswith(f"{name}_") for name in PROVIDER_NAMES)


def _mentions_provider(node: ast.AST) -> bool:
    """A provider-name literal, or a tuple, list or set holding one (the right side of ``in``)."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_provider(element) for element in node.elts)
    return _names_provider(node)


def _branches(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        return any(_mentions_provider(operand) for operand in (node.left, *node.comparators))
    if isinstance(node, ast.MatchValue):
        return _names_provider(node.value)
    if isinstance(node, ast.MatchMapping | ast.Dict):
        return any(_names_provider(key) for key in node.keys)
    if isinstance(node, ast.Subscript):
        return _mentions_provider(node.slice)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _LOOKUPS:
        return any(_mentions_provider(arg) for arg in node.args)
    return False


def provider_branches(root: pathlib.Path) -> list[str]:
    """``path:line`` of every place under ``root`` (``providers/`` excluded) that branches on a name."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] == "providers":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if _branches(node):
                found.append(f"{relative}:{getattr(node, 'lineno', '?')}")
    return found


def test_nothing_outside_the_providers_folder_branches_on_a_provider_name() -> None:
    assert PACKAGE.is_dir()
    assert provider_branches(PACKAGE) == []


CLEAN = '''
"""Mentions that decide nothing: docs, defaults, messages, attributes."""
import logging

log = logging.getLogger("crmbridge")


def connect(provider: str = "hubspot") -> str:
    log.info("connecting to pipedrive")
    return f"{provider} via {sandbox.hubspot}"
'''


@pytest.mark.parametrize(
    "planted",
    [
        'if provider == "hubspot":\n    pass\n',
        'ok = "Pipedrive" != connection.provider\n',
        'if name in ("hubspot", "other"):\n    pass\n',
        'if name not in {"pipedrive"}:\n    pass\n',
        'match name:\n    case "hubspot":\n        pass\n',
        'match config:\n    case {"pipedrive": url}:\n        pass\n',
        'URLS = {"pipedrive": "https://api.pipedrive.com"}\n',
        'url = URLS["hubspot"]\n',
        'url = URLS.get("pipedrive")\n',
        'def f(tool):\n    return tool.name.startswith("hubspot_")\n',
        'is_search = tool_name == "hubspot_contacts_search"\n',
    ],
)
def test_the_guard_catches_a_planted_branch(tmp_path: pathlib.Path, planted: str) -> None:
    root = tmp_path / "crmbridge"
    (root / "core").mkdir(parents=True)
    (root / "providers" / "hubspot").mkdir(parents=True)
    (root / "core" / "clean.py").write_text(CLEAN)
    (root / "providers" / "hubspot" / "inside.py").write_text(planted)  # a provider may know its name
    assert provider_branches(root) == []
    (root / "core" / "planted.py").write_text(planted)
    assert [hit.split(":")[0] for hit in provider_branches(root)] == ["core/planted.py"]
