"""Integrations, connecting accounts (OAuth through the browser hand-off, and API keys), accounts, tools."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .service_env import PUBLIC, ServiceEnv, callback_query

pytestmark = pytest.mark.anyio


async def test_oauth_connect_completes_in_the_browser_that_started_it(env: ServiceEnv) -> None:
    await env.hubspot_oauth()
    portal = await env.control("/_sandbox/hubspot/portals", {"contacts": 3, "seed": 5})
    r = await env.api.post("/integrations/hubspot/connect", headers=env.headers(), json={"identifier": "u1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["account"]["status"] == "PENDING"
    assert body["oauthUrl"].startswith(f"{PUBLIC}/oauth/begin?h=")
    page = await env.consent(body["oauthUrl"], {"portal_id": str(portal["portal_id"])})
    assert page.status_code == 200 and "connected" in page.text.lower(), page.text
    account = (await env.api.get("/integrations/hubspot/accounts/u1", headers=env.headers())).json()
    assert account["status"] == "ACTIVE"
    assert account["reauthorizationUrl"] is None
    assert "crm.objects.contacts.read" in account["grantedScopes"]
    result = await env.api.post(
        "/tools/hubspot_contacts_search/execute",
        headers=env.headers(),
        json={"identifier": "u1", "input": {"limit": 2}},
    )
    assert result.status_code == 200, result.text
    assert result.json()["ok"] is True
    assert len(result.json()["data"]["results"]) == 2


async def test_a_callback_opened_in_another_browser_is_refused(env: ServiceEnv) -> None:
    await env.hubspot_oauth()
    portal = await env.control("/_sandbox/hubspot/portals", {"contacts": 1, "seed": 5})
    body = (
        await env.api.post("/integrations/hubspot/connect", headers=env.headers(), json={"identifier": "u2"})
    ).json()
    begin = await env.api.get(body["oauthUrl"].removeprefix(PUBLIC))
    env.api.cookies.clear()  # the victim's browser: it never opened the begin link
    consent = begin.headers["location"]
    page = await env.crm.get(consent)
    assert page.status_code == 200
    query = callback_query(consent)
    granted = await env.crm.post(
        f"{urlsplit(consent).path}?{urlsplit(consent).query}",
        data={"decision": "grant", "portal_id": str(portal["portal_id"])},
    )
    back = urlsplit(granted.headers["location"])
    refused = await env.api.get(f"{back.path}?{back.query}")
    assert refused.status_code == 403
    account = (await env.api.get("/integrations/hubspot/accounts/u2", headers=env.headers())).json()
    assert account["status"] == "PENDING"
    assert account["reauthorizationUrl"].startswith(f"{PUBLIC}/oauth/begin?h=")
    assert query["state"]  # the consent screen got a state, but the callback still could not use it


async def test_return_url_receives_the_outcome(env: ServiceEnv) -> None:
    await env.hubspot_oauth()
    portal = await env.control("/_sandbox/hubspot/portals", {"contacts": 1, "seed": 5})
    body = (
        await env.api.post(
            "/integrations/hubspot/connect",
            headers=env.headers(),
            json={"identifier": "u3", "returnUrl": "https://app.example/done?x=1"},
        )
    ).json()
    back = await env.consent(body["oauthUrl"], {"portal_id": str(portal["portal_id"])})
    assert back.status_code == 303
    target = back.headers["location"]
    assert target.startswith("https://app.example/done?x=1&")
    assert callback_query(target) == {
        "x": "1",
        "status": "ACTIVE",
        "integration": "hubspot",
        "identifier": "u3",
    }


async def test_api_key_connect_checks_the_key(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    accounts = (await env.api.get("/integrations/pipedrive/accounts", headers=env.headers())).json()
    assert [a["identifier"] for a in accounts["data"]] == ["u1"]
    assert accounts["data"][0]["status"] == "ACTIVE"
    bad = await env.api.post(
        "/integrations/pipedrive/connect",
        headers=env.headers(),
        json={"identifier": "u9", "apiKey": "not-a-real-token"},
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["code"] == "invalid_input"
    deals = await env.api.post(
        "/tools/pipedrive_deals_list/execute", headers=env.headers(), json={"identifier": "u1", "input": {}}
    )
    assert deals.status_code == 200 and deals.json()["ok"] is True, deals.text


async def test_integrations_never_show_their_secret(env: ServiceEnv) -> None:
    app = await env.hubspot_oauth()
    listed = await env.api.get("/integrations", headers=env.headers())
    got = await env.api.get("/integrations/hubspot", headers=env.headers())
    for response in (listed, got):
        assert response.status_code == 200
        assert app["client_secret"] not in response.text
    assert got.json()["hasClientSecret"] is True
    assert got.json()["redirectUri"] == f"{PUBLIC}/oauth/callback"
    # An update without clientSecret keeps the stored one.
    r = await env.api.put(
        "/integrations/hubspot",
        headers=env.headers(),
        json={"clientId": app["client_id"], "baseUrl": "http://sandbox/hubspot", "scopes": ["oauth"]},
    )
    assert r.status_code == 200 and r.json()["hasClientSecret"] is True


async def test_deleting_an_integration_removes_its_accounts(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    assert (await env.api.delete("/integrations/pipedrive", headers=env.headers())).status_code == 204
    gone = await env.api.get("/integrations/pipedrive/accounts", headers=env.headers())
    assert gone.status_code == 404
    assert env.runtime.store.accounts.list("acme") == []


async def test_tool_errors_are_results_and_misuse_is_a_problem(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    bad_input = await env.api.post(
        "/tools/pipedrive_deal_get/execute", headers=env.headers(), json={"identifier": "u1", "input": {}}
    )
    assert bad_input.status_code == 200
    assert bad_input.json()["ok"] is False and bad_input.json()["error"]["code"] == "invalid_input"
    unknown = await env.api.post(
        "/tools/no_such_tool/execute", headers=env.headers(), json={"identifier": "u1"}
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_tool"
    malformed = await env.api.post(
        "/tools/pipedrive_deal_get/execute",
        headers={**env.headers(), "content-type": "application/json"},
        content=b"{not json",
    )
    assert malformed.status_code == 422
    extra = await env.api.post(
        "/tools/pipedrive_deal_get/execute", headers=env.headers(), json={"identifier": "u1", "inptu": {}}
    )
    assert extra.status_code == 422
    assert [e["path"] for e in extra.json()["errors"]] == ["inptu"]


async def test_tools_are_listed_in_each_format(env: ServiceEnv) -> None:
    for fmt, name_of in (
        ("mcp", lambda d: d["name"]),
        ("anthropic", lambda d: d["name"]),
        ("openai", lambda d: d["function"]["name"]),
    ):
        r = await env.api.get(f"/tools?provider=hubspot&format={fmt}", headers=env.headers())
        assert r.status_code == 200, r.text
        names = [name_of(d) for d in r.json()["data"]]
        assert "hubspot_contact_get" in names and not any(n.startswith("pipedrive") for n in names)
    assert (await env.api.get("/tools?format=xml", headers=env.headers())).status_code == 422


async def test_reauthorisation_links_in_tool_errors_are_the_services_hand_offs(env: ServiceEnv) -> None:
    await env.hubspot_oauth()
    r = await env.api.post("/integrations/hubspot/connect", headers=env.headers(), json={"identifier": "u5"})
    assert r.status_code == 200
    result = await env.api.post(
        "/tools/hubspot_contacts_search/execute",
        headers=env.headers(),
        json={"identifier": "u5", "input": {}},
    )
    error = result.json()["error"]
    assert error["code"] == "reauthorization_required", error
    assert error["authorization_link"].startswith(f"{PUBLIC}/oauth/begin?h=")


async def test_an_unbound_state_is_refused_at_the_callback(env: ServiceEnv) -> None:
    await env.hubspot_oauth()
    bridge = env.runtime.tenant("acme")
    link = bridge.oauth.authorization_link("hubspot", "u6", (), None)  # made by library code: unbound
    state = callback_query(link)["state"]
    refused = await env.api.get(f"/oauth/callback?code=x&state={state}")
    assert refused.status_code == 403
