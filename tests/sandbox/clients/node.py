"""Run the official Pipedrive Node client (``tests/sandbox/node``) against a sandbox on loopback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from ...live import LiveSandbox

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def run_node(node: str, script: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``tests/sandbox/node/<script>`` and parse the one JSON object it prints last."""
    proc = subprocess.run(
        [node, str(NODE_DIR / script), *args],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert proc.returncode == 0, f"{script} exited {proc.returncode}\n{proc.stderr}\n{proc.stdout}"
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert lines, f"{script} printed nothing\n{proc.stderr}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run_for_company(node: str, live: LiveSandbox, script: str, *args: str, **company: Any) -> dict[str, Any]:
    """Run ``script`` against a fresh seeded company of the live sandbox (``company``: its seeding)."""
    made = live.new_company(**company)
    env = {"PD_API_DOMAIN": made["api_domain"], "PD_API_TOKEN": made["api_token"]}
    return run_node(node, script, *args, env=env)


def step_body(run: dict[str, Any], name: str) -> dict[str, Any]:
    """The body the client accepted for step ``name`` (``success: true``)."""
    result = run["results"].get(name)
    assert result is not None, f"step {name} never ran"
    assert result["ok"], f"{name} failed: {result['error']}"
    body: dict[str, Any] = result["value"]
    assert body["success"] is True, body
    return body


def step_data(run: dict[str, Any], name: str) -> Any:
    """The ``data`` of the body the client accepted for step ``name``."""
    return step_body(run, name)["data"]


def step_refusal(run: dict[str, Any], name: str) -> dict[str, Any]:
    """The error body the client rejected step ``name`` with (``success: false``)."""
    result = run["results"].get(name)
    assert result is not None, f"step {name} never ran"
    assert result["ok"] is False, f"{name} was accepted: {result['value']}"
    error: dict[str, Any] = result["error"]
    assert error["success"] is False, error
    return error
