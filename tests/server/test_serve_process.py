"""``crmbridge serve`` as a real process on loopback: the CLI makes the tenant and its key, the service
answers health probes, and an API-key integration against a sandbox (served on loopback in a thread) is
configured, connected and used for a tool call — all over real sockets, with JSON logs on stderr."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crmbridge.vault import Vault
from crmbridge_sandbox.server import serve_in_thread
from tests.core.oauth_env import new_sandbox

pytestmark = [pytest.mark.slow, pytest.mark.network]

SCOPES = "integrations:write,integrations:connect,integrations:read,accounts:read,tools:execute"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "crmbridge.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def service_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("CRMBRIDGE_") or k == "CRMBRIDGE_LOG_LEVEL"
    }
    env.update(
        CRMBRIDGE_HOME=str(tmp_path),
        CRMBRIDGE_SECRET_KEYS=Vault.generate_key(),
        PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[2] / "src"), env.get("PYTHONPATH", "")]),
    )
    return env


@pytest.fixture
def served(service_env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crmbridge.cli", "serve", "--port", str(port)],
        env=service_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(f"{root}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "crmbridge serve did not answer within 60 s"
            time.sleep(0.1)
        yield root, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        finally:
            if proc.stderr is not None:
                proc.stderr.close()


def test_a_real_serve_process_runs_a_tool_call_end_to_end(
    service_env: dict[str, str], served: tuple[str, subprocess.Popen[str]]
) -> None:
    root, proc = served
    cli(service_env, "tenants", "create", "acme")
    key = cli(service_env, "api-keys", "create", "--tenant", "acme", "--scopes", SCOPES).stdout.strip()
    assert key.startswith("crmb_")
    listed = json.loads(cli(service_env, "api-keys", "list", "--tenant", "acme").stdout)
    assert [k["scopes"] for k in listed] == [SCOPES.split(",")]
    auth = {"Authorization": f"Bearer {key}"}
    sandbox = new_sandbox()
    with serve_in_thread(sandbox) as crm, httpx.Client(base_url=root, timeout=30) as api:
        ready = api.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok", ready.text
        assert api.get("/openapi.json").json()["info"]["title"] == "crmbridge"
        refused = api.get("/integrations")
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
        assert refused.headers["x-request-id"]
        company = httpx.post(f"{crm}/_sandbox/pipedrive/companies", json={"seed": 4, "deals": 3}).json()
        r = api.put(
            "/integrations/pipedrive", headers=auth, json={"auth": "api_key", "baseUrl": f"{crm}/pipedrive"}
        )
        assert r.status_code == 200, r.text
        r = api.post(
            "/integrations/pipedrive/connect",
            headers=auth,
            json={"identifier": "u1", "apiKey": company["api_token"]},
        )
        assert r.status_code == 200 and r.json()["account"]["status"] == "ACTIVE", r.text
        result = api.post(
            "/tools/pipedrive_deals_list/execute",
            headers={**auth, "Idempotency-Key": "e2e-1"},
            json={"identifier": "u1", "input": {}},
        )
        assert result.status_code == 200 and result.json()["ok"] is True, result.text
        assert len(result.json()["data"]["results"]) == 3, result.json()
        replayed = api.post(
            "/tools/pipedrive_deals_list/execute",
            headers={**auth, "Idempotency-Key": "e2e-1"},
            json={"identifier": "u1", "input": {}},
        )
        assert replayed.headers["idempotent-replayed"] == "true"
        # A key revoked by the CLI stops working (within the verified-key cache's few seconds).
        key_id = listed[0]["id"]
        cli(service_env, "api-keys", "revoke", key_id)
        deadline = time.monotonic() + 15
        while api.get("/integrations", headers=auth).status_code != 401:
            assert time.monotonic() < deadline, "a revoked key kept working"
            time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert proc.stderr is not None
    lines = [json.loads(line) for line in proc.stderr.read().splitlines() if line.startswith("{")]
    access = [entry for entry in lines if entry.get("logger") == "crmbridge.server.access"]
    assert any(e.get("route") == "/tools/{tool_name}/execute" and e.get("tenant") == "acme" for e in access)
    assert all(e.get("request_id") for e in access)
    text = json.dumps(lines)
    assert key.split("_")[-1] not in text and company["api_token"] not in text
