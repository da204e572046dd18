"""Injected faults as a client on a real socket sees them: provider error bodies, dropped connections and
timeouts whose write still landed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hubspot import HubSpot
from hubspot.crm.contacts.exceptions import ServiceException

from crmbridge_sandbox import Sandbox

from ...live import LiveSandbox, serve

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def faulty() -> Iterator[LiveSandbox]:
    """A server of its own (faults are global to a sandbox) whose injected timeouts hang for 1 s."""
    with serve(Sandbox(fault_seed=1), hang_seconds=1.0) as running:
        yield running


@pytest.fixture
def faults(faulty: LiveSandbox) -> Iterator[Any]:
    def configure(spec: dict[str, Any]) -> None:
        r = faulty.control.post("/_sandbox/faults", json=spec)
        assert r.status_code == 200, r.text

    yield configure
    configure({})


def _deal_titles(live_sandbox: LiveSandbox, company: dict[str, Any]) -> list[str]:
    rows = live_sandbox.sandbox.pipedrive.companies[company["company_id"]].tables["deals"].rows.values()
    return [r["title"] for r in rows]


def test_hubspot_500_reaches_the_sdk_as_a_service_exception(faulty: LiveSandbox, faults: Any) -> None:
    portal = faulty.new_portal()
    client = HubSpot(access_token=portal["private_app_token"], host=f"{faulty.root}/hubspot")
    faults({"hubspot": {"500": 1.0}})
    with pytest.raises(ServiceException) as exc:
        client.crm.contacts.basic_api.get_page(limit=1)
    assert exc.value.status == 500
    body = json.loads(exc.value.body)
    assert body["category"] == "INTERNAL_ERROR" and body["status"] == "error"


def test_pipedrive_429_body(faulty: LiveSandbox, faults: Any) -> None:
    company = faulty.new_company()
    faults({"pipedrive": {"429": 1.0}})
    r = httpx.get(f"{company['api_domain']}/api/v2/deals", headers={"x-api-token": company["api_token"]})
    assert r.status_code == 429
    assert r.json()["success"] is False and r.json()["error"] == "Request over limit"


def test_reset_drops_the_connection_before_the_write(faulty: LiveSandbox, faults: Any) -> None:
    company = faulty.new_company()
    faults({"pipedrive": {"reset": 1.0}})
    with pytest.raises(httpx.TransportError):
        httpx.post(
            f"{company['api_domain']}/api/v2/deals",
            json={"title": "never stored"},
            headers={"x-api-token": company["api_token"]},
        )
    assert "never stored" not in _deal_titles(faulty, company)


def test_timeout_loses_the_response_but_keeps_the_write(faulty: LiveSandbox, faults: Any) -> None:
    company = faulty.new_company()
    faults({"pipedrive": {"timeout": 1.0}})
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{company['api_domain']}/api/v2/deals",
            json={"title": "stored anyway"},
            headers={"x-api-token": company["api_token"]},
            timeout=0.3,
        )
    assert "stored anyway" in _deal_titles(faulty, company)
