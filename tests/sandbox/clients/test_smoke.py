"""The loopback harness itself: the server answers on a real socket and hands out accounts."""

from __future__ import annotations

import httpx
import pytest

from ...live import LiveSandbox

pytestmark = pytest.mark.network


def test_control_api_over_a_real_socket(live_sandbox: LiveSandbox) -> None:
    assert live_sandbox.root.startswith("http://127.0.0.1:")
    portal = live_sandbox.new_portal()
    assert portal["base_url"] == f"{live_sandbox.root}/hubspot"
    assert portal["portal_id"] in live_sandbox.sandbox.hubspot.portals
    company = live_sandbox.new_company()
    assert company["api_domain"] == f"{live_sandbox.root}/pipedrive/{company['company_domain']}"
    assert company["company_id"] in live_sandbox.sandbox.pipedrive.companies


def test_requests_reach_the_providers_and_are_logged(live_sandbox: LiveSandbox) -> None:
    r = httpx.get(
        f"{live_sandbox.root}/hubspot/crm/v3/objects/contacts", headers={"Authorization": "Bearer nope"}
    )
    assert r.status_code in (401, 404)
    assert "x-hubspot-correlation-id" in r.headers
    log = live_sandbox.control.get("/_sandbox/requests", params={"provider": "hubspot"}).json()
    assert any(e["path"] == "/crm/v3/objects/contacts" for e in log["requests"])
