"""The sandbox's own machinery: clock, control API validation, request log, faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox, SandboxClock
from crmbridge_sandbox.faults import FaultPlan

pytestmark = pytest.mark.anyio


def test_frozen_clock_moves_only_when_advanced() -> None:
    clock = SandboxClock(start=1_000.0, frozen=True)
    assert clock.now() == 1_000.0
    assert clock.advance(60) == 1_060.0
    assert clock.now_ms() == 1_060_000
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)


def test_flowing_clock_keeps_its_offset() -> None:
    clock = SandboxClock()
    before = clock.now()
    clock.advance(3600)
    assert clock.now() - before >= 3600


async def test_clock_route_advances_the_sandbox_clock(sandbox: Sandbox, client: httpx.AsyncClient) -> None:
    before = sandbox.clock.now()
    r = await client.post("/_sandbox/clock", json={"advance_seconds": 1860})
    assert r.status_code == 200
    assert r.json()["now"] >= before + 1860
    assert sandbox.clock.now() >= before + 1860


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"advance_seconds": "soon"}, "must be a number"),
        ({"advance_seconds": -5}, "only moves forward"),
    ],
)
async def test_clock_route_rejects_bad_input(
    client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    r = await client.post("/_sandbox/clock", json=body)
    assert r.status_code == 400
    assert message in r.json()["error"]


async def test_control_api_rejects_malformed_bodies(client: httpx.AsyncClient) -> None:
    r = await client.post("/_sandbox/hubspot/portals", content=b"{nope")
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]
    r = await client.post("/_sandbox/hubspot/portals", json=[1, 2])
    assert r.status_code == 400 and "JSON object" in r.json()["error"]
    r = await client.post("/_sandbox/hubspot/portals", json={"contacts": "ten"})
    assert r.status_code == 400 and "'contacts' must be an integer" in r.json()["error"]
    r = await client.post("/_sandbox/hubspot/portals", json={"tier": "platinum"})
    assert r.status_code == 400 and "unknown tier" in r.json()["error"]
    r = await client.post("/_sandbox/pipedrive/companies", json={"plan": "gold"})
    assert r.status_code == 400 and "unknown plan" in r.json()["error"]
    r = await client.post("/_sandbox/hubspot/apps", json={"redirect_uri": "http://localhost/cb"})
    assert r.status_code == 400 and "'required_scopes' is required" in r.json()["error"]
    r = await client.post("/_sandbox/pipedrive/apps", json={"scopes": ["deals:full"]})
    assert r.status_code == 400 and "'redirect_uri' is required" in r.json()["error"]


async def test_control_api_answers_with_urls_of_the_host_it_was_reached_on(client: httpx.AsyncClient) -> None:
    hub = (await client.post("/_sandbox/hubspot/portals", json={"contacts": 0})).json()
    assert hub["base_url"] == "http://sandbox/hubspot"
    assert hub["private_app_token"].startswith("pat-na1-")
    app = (
        await client.post(
            "/_sandbox/hubspot/apps",
            json={"redirect_uri": "http://localhost/cb", "required_scopes": ["crm.objects.contacts.read"]},
        )
    ).json()
    assert app["authorize_url"] == "http://sandbox/hubspot/oauth/authorize"
    assert app["token_url"] == "http://sandbox/hubspot/oauth/v1/token"
    pd = (await client.post("/_sandbox/pipedrive/companies", json={"persons": 0})).json()
    assert pd["api_domain"] == f"http://sandbox/pipedrive/{pd['company_domain']}"
    pd_app = (
        await client.post(
            "/_sandbox/pipedrive/apps", json={"redirect_uri": "http://localhost/cb", "scopes": []}
        )
    ).json()
    assert pd_app["token_url"] == "http://sandbox/pipedrive/oauth/token"


async def test_uninstall_of_unknown_portal_or_app_is_404(client: httpx.AsyncClient) -> None:
    r = await client.post("/_sandbox/hubspot/portals/999/uninstall", json={"client_id": "x"})
    assert r.status_code == 404 and "no HubSpot portal 999" in r.json()["error"]
    r = await client.post("/_sandbox/pipedrive/companies/999/uninstall", json={"client_id": "x"})
    assert r.status_code == 404 and "no Pipedrive company 999" in r.json()["error"]
    r = await client.post("/_sandbox/hubspot/portals/1/uninstall", json={})
    assert r.status_code == 400 and "'client_id' is required" in r.json()["error"]


async def test_request_log_filters_by_provider_and_path_prefix(
    client: httpx.AsyncClient, portal: dict[str, Any], company: dict[str, Any]
) -> None:
    await client.delete("/_sandbox/requests")
    await client.get("/hubspot/crm/v3/objects/contacts", headers=portal["headers"])
    await client.get("/hubspot/crm/v3/owners", headers=portal["headers"])
    await client.get(f"{company['prefix']}/v1/users/me", headers=company["headers"])
    log = (await client.get("/_sandbox/requests")).json()
    assert log["count"] == 3
    only_hub = (await client.get("/_sandbox/requests", params={"provider": "hubspot"})).json()
    assert [e["path"] for e in only_hub["requests"]] == ["/crm/v3/objects/contacts", "/crm/v3/owners"]
    assert {e["account"] for e in only_hub["requests"]} == {str(portal["portal_id"])}
    owners = (
        await client.get(
            "/_sandbox/requests", params={"provider": "hubspot", "path_prefix": "/crm/v3/owners"}
        )
    ).json()
    assert owners["count"] == 1 and owners["requests"][0]["method"] == "GET"
    pd = (await client.get("/_sandbox/requests", params={"provider": "pipedrive"})).json()
    assert pd["requests"][0]["path"] == "/v1/users/me"
    assert pd["requests"][0]["status"] == 200
    bad = await client.get("/_sandbox/requests", params={"provider": "salesforce"})
    assert bad.status_code == 400


def test_fault_plan_validation() -> None:
    assert FaultPlan.parse({"500": 0.1, "timeout": 0.05, "latency_ms": 5}).as_dict()["500"] == 0.1
    with pytest.raises(ValueError, match="unknown fault 'boom'"):
        FaultPlan.parse({"boom": 0.1})
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultPlan.parse({"429": 2})
    with pytest.raises(ValueError, match="add up to at most 1"):
        FaultPlan.parse({"429": 0.6, "500": 0.6})


async def test_faults_route_configures_and_clears(client: httpx.AsyncClient) -> None:
    r = await client.post("/_sandbox/faults", json={"hubspot": {"500": 0.5}, "pipedrive": {"reset": 0.1}})
    assert r.status_code == 200
    assert r.json()["faults"]["hubspot"]["500"] == 0.5
    r = await client.post("/_sandbox/faults", json={})
    assert r.json()["faults"] == {}
    r = await client.post("/_sandbox/faults", json={"salesforce": {"500": 1}})
    assert r.status_code == 400 and "unknown provider" in r.json()["error"]


async def test_injected_statuses_have_provider_shapes(
    client: httpx.AsyncClient, portal: dict[str, Any], company: dict[str, Any]
) -> None:
    await client.post("/_sandbox/faults", json={"hubspot": {"429": 1.0}, "pipedrive": {"502": 1.0}})
    r = await client.get("/hubspot/crm/v3/objects/contacts", headers=portal["headers"])
    assert r.status_code == 429
    assert r.json()["policyName"] == "TEN_SECONDLY_ROLLING" and r.json()["errorType"] == "RATE_LIMIT"
    r = await client.get(f"{company['prefix']}/api/v2/deals", headers=company["headers"])
    assert r.status_code == 502 and r.json()["success"] is False
    log = (await client.get("/_sandbox/requests")).json()["requests"]
    assert {e["fault"] for e in log if e["provider"] in ("hubspot", "pipedrive")} == {"429", "502"}


async def test_timeout_fault_applies_the_write_but_loses_the_response(
    sandbox: Sandbox, client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    before = len(sandbox.hubspot.portals[portal["portal_id"]].tables["0-1"].live())
    await client.post("/_sandbox/faults", json={"hubspot": {"timeout": 1.0}})
    with pytest.raises(httpx.ReadTimeout):
        await client.post(
            "/hubspot/crm/v3/objects/contacts",
            headers=portal["headers"],
            json={"properties": {"email": "lost.response@example.com"}},
        )
    await client.post("/_sandbox/faults", json={})
    after = sandbox.hubspot.portals[portal["portal_id"]].tables["0-1"].live()
    assert len(after) == before + 1
    assert any(r.properties.get("email") == "lost.response@example.com" for r in after)


async def test_reset_fault_drops_the_request_before_it_is_applied(
    sandbox: Sandbox, client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    before = len(sandbox.hubspot.portals[portal["portal_id"]].tables["0-1"].live())
    await client.post("/_sandbox/faults", json={"hubspot": {"reset": 1.0}})
    with pytest.raises(httpx.ReadError):
        await client.post(
            "/hubspot/crm/v3/objects/contacts",
            headers=portal["headers"],
            json={"properties": {"email": "never.arrived@example.com"}},
        )
    assert len(sandbox.hubspot.portals[portal["portal_id"]].tables["0-1"].live()) == before


async def test_fault_rates_follow_the_configured_probability(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    await client.post("/_sandbox/faults", json={"hubspot": {"500": 0.3}, "seed": 11})
    statuses = []
    for _ in range(60):
        r = await client.get("/hubspot/crm/v3/owners", headers=portal["headers"])
        statuses.append(r.status_code)
    failures = statuses.count(500)
    assert 8 <= failures <= 32, failures
    assert set(statuses) <= {200, 500}
