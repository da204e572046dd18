"""The public surface is deliberate: ``crmbridge.__all__`` is sorted, complete and loads lazily."""

from __future__ import annotations

import subprocess
import sys

import crmbridge


def test_all_is_sorted_and_every_name_resolves() -> None:
    names = [n for n in crmbridge.__all__ if n != "__version__"]
    assert names == sorted(names, key=str.casefold) or names == sorted(names)
    for name in crmbridge.__all__:
        assert getattr(crmbridge, name) is not None, name


def test_public_names_are_the_ones_users_need() -> None:
    exported = set(crmbridge.__all__)
    assert {"Bridge", "Runtime", "Toolset", "Tool", "Provider", "ToolResult", "ToolError"} <= exported
    assert {"AccountStatus", "ConnectedAccount", "Connection", "CrmBridgeError"} <= exported
    assert not any(name.startswith("_") and name != "__version__" for name in exported)


def test_unknown_attributes_raise_attribute_error() -> None:
    try:
        crmbridge.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("crmbridge.NoSuchThing should not exist")


def test_importing_the_package_and_its_catalog_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, crmbridge\n"
        "from crmbridge.providers import default_catalog\n"
        "assert len(default_catalog().tools()) > 60\n"
        "heavy = ('httpx', 'sqlalchemy', 'alembic', 'jsonschema', 'fastjsonschema', 'faker', 'starlette',\n"
        "         'uvicorn', 'crmbridge_sandbox')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""
