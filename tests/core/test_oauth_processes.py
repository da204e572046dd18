"""Cross-process single-flight: 200 concurrent calls on an expired token, spread over 4 processes sharing
Postgres, cause exactly one token request (counted in the sandbox's request log)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import httpx
import pytest

from crmbridge import Bridge
from crmbridge.core import AccountStatus
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.server import serve_in_thread
from tests.dbutil import temporary_postgres_database

from .oauth_env import HS_REDIRECT, add_served_hubspot, query_of
from .oauth_workers import burst

PROCESSES = 4
CALLS_EACH = 50
JUMP = 31 * 60
#: One request per call (no look-ups): 200 requests against HubSpot's 110-per-window OAuth budget.
TOOL = "hubspot_owners_list"
SCOPES = ["crm.objects.owners.read"]


@pytest.mark.slow
@pytest.mark.timeout(180)  # four Python processes start, import crmbridge and share Postgres
def test_two_hundred_calls_over_four_processes_make_one_token_request(tmp_path: Path) -> None:
    with temporary_postgres_database() as db_url:
        sandbox = Sandbox(rate_window_scale=0.01)
        key_line = Vault.generate_key()
        with serve_in_thread(sandbox) as root, httpx.Client(base_url=root) as control:
            portal = control.post("/_sandbox/hubspot/portals", json={"contacts": 2, "seed": 3}).json()
            with Bridge(database_url=db_url, data_dir=tmp_path, vault=Vault.from_string(key_line)) as bridge:
                add_served_hubspot(bridge, control, root, HS_REDIRECT, SCOPES)
                link = bridge.get_authorization_link(connection_name="hubspot", identifier="u1")
                control.get(link).raise_for_status()
                granted = control.post(
                    link, data={"decision": "grant", "portal_id": str(portal["portal_id"])}
                )
                query = query_of(granted.headers["location"])
                account = bridge.complete_authorization(code=query["code"], state=query["state"])
                assert account.status == AccountStatus.ACTIVE
            control.post("/_sandbox/clock", json={"advance_seconds": JUMP}).raise_for_status()
            before = len(sandbox.ctx.log.query(provider="hubspot", path_prefix="/oauth/v1/token"))

            ctx = multiprocessing.get_context("spawn")
            barrier, out = ctx.Barrier(PROCESSES), ctx.Queue()
            workers = [
                ctx.Process(
                    target=burst,
                    args=(db_url, key_line, str(tmp_path), JUMP, TOOL, CALLS_EACH, barrier, out),
                )
                for _ in range(PROCESSES)
            ]
            for worker in workers:
                worker.start()
            reports = [out.get(timeout=90) for _ in workers]
            for worker in workers:
                worker.join(timeout=30)
                assert worker.exitcode == 0
            assert sum(r["ok"] for r in reports) == PROCESSES * CALLS_EACH, reports
            token_requests = sandbox.ctx.log.query(provider="hubspot", path_prefix="/oauth/v1/token")
            assert len(token_requests) - before == 1
            unauthorized = [
                e for e in sandbox.ctx.log.query(provider="hubspot", path_prefix="/crm/") if e.status == 401
            ]
            assert not unauthorized
