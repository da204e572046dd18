"""The MCP Inspector's CLI (npm ``@modelcontextprotocol/inspector``, ``--cli``) against ``crmbridge mcp``
over stdio: a client we did not write lists the tools and calls one against the sandbox.

Skips without Node or the npm packages (``make node-deps``), but fails when ``CI=true``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .test_mcp_stdio import env  # noqa: F401  (the fixture: user u1 connected to a fresh portal)

NODE_DIR = Path(__file__).resolve().parent / "node"
INSPECTOR = NODE_DIR / "node_modules" / ".bin" / "mcp-inspector"


@pytest.fixture(scope="module")
def inspector() -> Path:
    missing = None
    if shutil.which("node") is None:
        missing = "node is not installed"
    elif not INSPECTOR.exists():
        missing = f"npm packages missing: run `make node-deps` (npm ci in {NODE_DIR.name})"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the MCP Inspector test must run under CI: {missing}")
        pytest.skip(missing)
    return INSPECTOR


def _inspect(inspector: Path, server: dict[str, str], tmp_path: Path, *method: str) -> Any:
    """One Inspector CLI run: it starts ``crmbridge mcp`` over stdio, sends ``method`` and prints JSON."""
    server_env = [f"{k}={server[k]}" for k in ("CRMBRIDGE_HOME", "CRMBRIDGE_DATABASE_URL", "PYTHONPATH")]
    command = [
        str(inspector),
        "--cli",
        *[part for pair in server_env for part in ("-e", pair)],
        sys.executable,
        *("-m", "crmbridge.cli", "mcp", "--integration", "hubspot", "--identifier", "u1"),
        *method,
    ]
    node_env = {
        "PATH": server["PATH"],
        "HOME": str(tmp_path),  # the Inspector keeps a catalog there: never the real home
        "MCP_CATALOG_PATH": str(tmp_path / "catalog.json"),
    }
    done = subprocess.run(command, env=node_env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_the_inspector_lists_and_calls_a_tool_over_stdio(
    inspector: Path,
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    listed = _inspect(inspector, env, tmp_path, "--method", "tools/list")
    tools = {t["name"]: t for t in listed["tools"]}
    search = tools["hubspot_contacts_search"]
    assert search["annotations"]["readOnlyHint"] is True and search["inputSchema"]["type"] == "object"
    assert tools["hubspot_record_archive"]["annotations"]["destructiveHint"] is True

    called = _inspect(
        inspector,
        env,
        tmp_path,
        *("--method", "tools/call", "--tool-name", "hubspot_contacts_list", "--tool-arg", "limit=2"),
    )
    assert called.get("isError") in (None, False), called
    assert called["structuredContent"]["ok"] is True
    assert len(called["structuredContent"]["data"]["results"]) == 2
