"""Run the official Pipedrive Node client (``tests/sandbox/node``) against a sandbox on loopback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

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
