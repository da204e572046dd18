"""Fixtures for the official-client tests: one real loopback server per session, fresh accounts per test.

Starting uvicorn per test would be slow; every test still gets its own HubSpot portal or Pipedrive company
through the control API, so tests never see each other's data.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from ...live import LiveSandbox
from .node import NODE_DIR


@pytest.fixture
def hs_portal(live_sandbox: LiveSandbox) -> dict[str, Any]:
    """A fresh seeded HubSpot portal: portal_id, private_app_token, base_url."""
    return live_sandbox.new_portal()


@pytest.fixture
def hubspot_sdk(live_sandbox: LiveSandbox, hs_portal: dict[str, Any]) -> Any:
    """The official ``hubspot-api-client`` pointed at the sandbox with the portal's private-app token."""
    from hubspot import HubSpot

    return HubSpot(access_token=hs_portal["private_app_token"], host=f"{live_sandbox.root}/hubspot")


@pytest.fixture
def pd_company(live_sandbox: LiveSandbox) -> dict[str, Any]:
    """A fresh seeded Pipedrive company: company_id, company_domain, api_domain, api_token."""
    return live_sandbox.new_company()


@pytest.fixture(scope="session")
def node() -> str:
    """Path of ``node``. Skips without Node or the npm packages, but fails when CI=true."""
    path = shutil.which("node")
    missing = None
    if path is None:
        missing = "node is not installed"
    elif not (NODE_DIR / "node_modules" / "pipedrive").is_dir():
        missing = f"npm packages missing: run `make node-deps` (npm ci in {NODE_DIR})"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Node client tests must run under CI: {missing}")
        pytest.skip(missing)
    assert path is not None
    return path
