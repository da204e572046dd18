"""HubSpot sandbox OAuth server: consent page, scope rules, token endpoints, introspection, revoke, uninstall."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .oauth_flow import (
    CONTACTS,
    REDIRECT_URI,
    authorize_path,
    create_portal,
    exchange,
    grant,
    install,
    redirect_params,
    refresh,
    register_app,
    selected_portal,
)

pytestmark = pytest.mark.anyio

CUSTOM_READ = "crm.objects.custom.read"
RFC_VERSIONS = ("v3", "2026-03")


@pytest.fixture
async def app(client: httpx.AsyncClient) -> dict[str, Any]:
    return await register_app(client, optional=[CUSTOM_READ, "tickets"])


# ------------------------------------------------------------------------------------------ consent page


async def test_consent_page_lists_scopes_portals_and_buttons(
    client: httpx.AsyncClient, app: dict[str, Any]
) -> None:
    older = await create_portal(client, "starter")
    newer = await create_portal(client, "enterprise")
    path = authorize_path(app)
    r = await client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    for scope in [*CONTACTS, CUSTOM_READ, "tickets"]:
        assert f"<code>{scope}</code>" in page
    # the form posts back to the same URL, query string included
    action = re.search(r'<form method="post" action="([^"]+)"', page)
    assert action and action.group(1).replace("&amp;", "&") == path
    options = re.findall(r'<option value="(\d+)"', page)
    assert options == [str(newer["portal_id"]), str(older["portal_id"])]
    assert selected_portal(page) == str(newer["portal_id"])  # newest is the default
    assert 'name="decision" value="grant"' in page
    assert 'name="decision" value="deny"' in page


async def test_grant_redirects_with_code_and_state_then_exchange(
    client: httpx.AsyncClient, app: dict[str, Any], sandbox: Sandbox
) -> None:
    first = await create_portal(client, "enterprise")
    await create_portal(client, "starter")
    code = await grant(client, app, portal_id=first["portal_id"], state="xyz")
    r = await exchange(client, app, code)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "access_token",
        "refresh_token",
        "expires_in",
        "token_type",
        "token_use",
        "hub_id",
        "user_id",
        "scopes",
    }
    assert body["expires_in"] == 1800
    assert body["token_type"] == "bearer"
    assert body["token_use"] == "access_token"
    assert body["hub_id"] == first["portal_id"]  # the portal chosen on the form, not the default
    assert sorted(body["scopes"]) == sorted([*CONTACTS, CUSTOM_READ, "tickets"])  # enterprise keeps custom
    stored = sandbox.hubspot.tokens.access_tokens[body["access_token"]]
    assert stored.portal_id == first["portal_id"]
    assert isinstance(body["user_id"], int) and stored.user_id == body["user_id"]


async def test_redirect_keeps_existing_query_of_redirect_uri(client: httpx.AsyncClient) -> None:
    await create_portal(client)
    app = await register_app(client, redirect_uri="https://app.example/cb?tenant=7")
    page = await client.get(authorize_path(app))
    r = await client.post(
        authorize_path(app), data={"decision": "grant", "portal_id": selected_portal(page.text)}
    )
    base, params = redirect_params(r)
    assert base == "https://app.example/cb"
    assert params["tenant"] == "7" and params["code"] and params["state"] == "st-123"


async def test_deny_redirects_with_access_denied(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    await create_portal(client)
    r = await client.post(authorize_path(app), data={"decision": "deny"})
    base, params = redirect_params(r)
    assert base == REDIRECT_URI
    assert params["error"] == "access_denied"
    assert params["error_description"]
    assert params["state"] == "st-123"
    assert "code" not in params


async def test_account_specific_authorize_url(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    chosen = await create_portal(client)
    await create_portal(client)
    path = authorize_path(app).replace("/oauth/authorize", f"/oauth/{chosen['portal_id']}/authorize")
    page = await client.get(path)
    assert re.findall(r'<option value="(\d+)"', page.text) == [str(chosen["portal_id"])]
    missing = await client.get(authorize_path(app).replace("/oauth/authorize", "/oauth/1/authorize"))
    assert missing.status_code == 400 and "no HubSpot account 1" in missing.text


async def test_unknown_decision_and_portal_are_errors(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    await create_portal(client)
    r = await client.post(authorize_path(app), data={"decision": "maybe"})
    assert r.status_code == 400 and "decision must be" in r.text
    r = await client.post(authorize_path(app), data={"decision": "grant", "portal_id": "999"})
    assert r.status_code == 400 and "portal_id &#x27;999&#x27;" in r.text


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"client_id": "nope"}, "No app with client_id"),
        ({"redirect_uri": "https://evil.example/cb"}, "is not the redirect URL registered"),
        (
            {"scope": "crm.objects.contacts.read"},
            "Authorization failed: the scopes in this install URL are not enough",
        ),
        ({"scope": None}, "missing: crm.objects.contacts.read, crm.objects.contacts.write"),
        (
            {"scope": " ".join([*CONTACTS, "crm.objects.deals.read"])},
            "not permitted to request this set of scopes",
        ),
        ({"optional_scope": "crm.objects.deals.read"}, "does not declare crm.objects.deals.read"),
        ({"optional_scope": "crm.objects.contacts.read"}, "optional_scope may only list scopes"),
        ({"scope": " ".join([*CONTACTS, "tickets"])}, "tickets is configured as optional"),
    ],
)
async def test_scope_rules_give_error_pages(
    client: httpx.AsyncClient, app: dict[str, Any], overrides: dict[str, str | None], needle: str
) -> None:
    await create_portal(client)
    for method in ("GET", "POST"):
        r = await client.request(method, authorize_path(app, **overrides), data={"decision": "grant"})
        assert r.status_code == 400, (method, r.text)
        assert r.headers["content-type"].startswith("text/html")
        assert needle in r.text
        assert "location" not in r.headers


async def test_optional_tier_scope_dropped_on_lower_tier(
    client: httpx.AsyncClient, app: dict[str, Any]
) -> None:
    starter = await create_portal(client, "starter")
    tokens = await install(client, app, starter["portal_id"])
    assert sorted(tokens["scopes"]) == sorted([*CONTACTS, "tickets"])
    info = await client.get(f"/hubspot/oauth/v1/access-tokens/{tokens['access_token']}")
    assert CUSTOM_READ not in info.json()["scopes"]


async def test_required_tier_scope_on_lower_tier_is_refused(client: httpx.AsyncClient) -> None:
    starter = await create_portal(client, "starter")
    enterprise = await create_portal(client, "enterprise")
    app = await register_app(client, required=[*CONTACTS, "crm.schemas.custom.read"])
    r = await client.post(
        authorize_path(app), data={"decision": "grant", "portal_id": str(starter["portal_id"])}
    )
    assert r.status_code == 400
    assert "does not have access to some HubSpot features this app requires" in r.text
    tokens = await install(client, app, enterprise["portal_id"])
    assert "crm.schemas.custom.read" in tokens["scopes"]


async def test_no_portals_is_an_error_page(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    r = await client.get(authorize_path(app))
    assert r.status_code == 400 and "/_sandbox/hubspot/portals" in r.text


async def test_register_app_validation(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/_sandbox/hubspot/apps",
        json={"redirect_uri": "https://a.example/cb", "required_scopes": ["x"], "optional_scopes": ["x"]},
    )
    assert r.status_code == 400 and "both required and optional" in r.json()["error"]
    r = await client.post("/_sandbox/hubspot/apps", json={"redirect_uri": "cb", "required_scopes": ["x"]})
    assert r.status_code == 400 and "absolute http(s) URL" in r.json()["error"]


# -------------------------------------------------------------------------------------------- token calls


def _assert_cid(r: httpx.Response) -> None:
    assert r.json()["correlationId"] == r.headers["x-hubspot-correlation-id"]


async def test_bad_code_exact_bodies(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    r = await exchange(client, app, "not-a-code")
    assert r.status_code == 400
    body = r.json()
    assert body == {
        "status": "BAD_AUTH_CODE",
        "message": "missing or unknown auth code",
        "correlationId": body["correlationId"],
    }
    _assert_cid(r)
    for version in RFC_VERSIONS:
        r = await exchange(client, app, "not-a-code", version)
        assert r.status_code == 400
        body = r.json()
        assert body["error"] == "invalid_grant" and body["status"] == "BAD_AUTH_CODE"
        assert body["error_description"] == body["message"] == "missing or unknown auth code"
        _assert_cid(r)


async def test_code_is_single_use(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    await create_portal(client)
    code = await grant(client, app)
    assert (await exchange(client, app, code)).status_code == 200
    again = await exchange(client, app, code)
    assert again.status_code == 400 and again.json()["status"] == "BAD_AUTH_CODE"


async def test_code_expires_on_the_sandbox_clock(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    await create_portal(client)
    code = await grant(client, app)
    assert (await client.post("/_sandbox/clock", json={"advance_seconds": 601})).status_code == 200
    r = await exchange(client, app, code)
    assert r.status_code == 400 and r.json()["status"] == "EXPIRED_AUTH_CODE"
    r = await exchange(client, app, code, "2026-03")
    assert r.json()["error"] == "invalid_grant" and r.json()["status"] == "EXPIRED_AUTH_CODE"


async def test_code_exchange_checks_redirect_and_client(
    client: httpx.AsyncClient, app: dict[str, Any]
) -> None:
    await create_portal(client)
    code = await grant(client, app)
    r = await exchange(client, {**app, "redirect_uri": "https://other.example/cb"}, code)
    assert r.status_code == 400 and r.json()["status"] == "BAD_REDIRECT_URI"
    r = await exchange(client, {**app, "client_secret": "wrong"}, code, "v3")
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_client" and r.json()["status"] == "BAD_CLIENT_SECRET"
    r = await exchange(client, {**app, "client_id": "unknown"}, code)
    assert r.status_code == 400 and r.json()["status"] == "BAD_CLIENT_ID"
    other = await register_app(client)
    r = await exchange(client, other, code)  # another app's code is unknown to it
    assert r.status_code == 400 and r.json()["status"] == "BAD_AUTH_CODE"
    assert (await exchange(client, app, code)).status_code == 200  # failures did not burn the code


async def test_unknown_grant_type_and_json_body(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    r = await client.post(
        "/hubspot/oauth/v1/token",
        data={"grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"]},
    )
    assert r.status_code == 400 and r.json()["status"] == "UNSUPPORTED_GRANT_TYPE"
    r = await client.post("/hubspot/oauth/2026-03/token", data={"client_id": app["client_id"]})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = await client.post(
        "/hubspot/oauth/v1/token", json={"grant_type": "refresh_token", "refresh_token": "x"}
    )
    assert r.status_code == 400 and "x-www-form-urlencoded" in r.json()["message"]


@pytest.mark.parametrize("version", ["v1", "v3", "2026-03"])
async def test_refresh_returns_same_refresh_token_and_new_access_token(
    client: httpx.AsyncClient, app: dict[str, Any], version: str
) -> None:
    await create_portal(client)
    first = await install(client, app)
    r = await refresh(client, app, first["refresh_token"], version)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["refresh_token"] == first["refresh_token"]
    assert body["access_token"] != first["access_token"]
    assert body["expires_in"] == 1800 and body["hub_id"] == first["hub_id"]
    assert body["scopes"] == first["scopes"]
    for token in (first["access_token"], body["access_token"]):  # the old access token still works
        assert (await client.get(f"/hubspot/oauth/v1/access-tokens/{token}")).status_code == 200


async def test_bad_refresh_token_exact_bodies(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    r = await refresh(client, app, "na1-nope")
    assert r.status_code == 400
    body = r.json()
    assert body == {
        "status": "BAD_REFRESH_TOKEN",
        "message": "missing or invalid refresh token",
        "correlationId": body["correlationId"],
    }
    for version in RFC_VERSIONS:
        r = await refresh(client, app, "na1-nope", version)
        assert r.status_code == 400
        body = r.json()
        assert body == {
            "error": "invalid_grant",
            "error_description": "refresh token is invalid, expired or revoked",
            "status": "BAD_REFRESH_TOKEN",
            "message": "refresh token is invalid, expired or revoked",
            "correlationId": body["correlationId"],
        }
        _assert_cid(r)


async def test_refresh_token_of_another_app_is_bad(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    await create_portal(client)
    tokens = await install(client, app)
    other = await register_app(client)
    r = await refresh(client, other, tokens["refresh_token"])
    assert r.status_code == 400 and r.json()["status"] == "BAD_REFRESH_TOKEN"


# ----------------------------------------------------------------------------------------- introspection


async def test_v1_access_token_info(client: httpx.AsyncClient, app: dict[str, Any], sandbox: Sandbox) -> None:
    portal = await create_portal(client)
    tokens = await install(client, app)
    await client.post("/_sandbox/clock", json={"advance_seconds": 100})
    r = await client.get(f"/hubspot/oauth/v1/access-tokens/{tokens['access_token']}")
    assert r.status_code == 200
    info = r.json()
    assert info["token"] == tokens["access_token"]
    assert info["token_type"] == "access"
    assert info["hub_id"] == portal["portal_id"]
    assert info["app_id"] == app["app_id"]
    assert info["user_id"] == tokens["user_id"]
    assert info["scopes"] == tokens["scopes"]
    assert 1698 <= info["expires_in"] <= 1700  # remaining, on the sandbox clock
    assert "@" in info["user"]
    assert info["hub_domain"] == sandbox.hubspot.portals[portal["portal_id"]].domain
    await client.post("/_sandbox/clock", json={"advance_seconds": 1800})
    gone = await client.get(f"/hubspot/oauth/v1/access-tokens/{tokens['access_token']}")
    assert gone.status_code == 404 and gone.json()["category"] == "OBJECT_NOT_FOUND"


async def test_v1_refresh_token_info(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    portal = await create_portal(client)
    tokens = await install(client, app)
    r = await client.get(f"/hubspot/oauth/v1/refresh-tokens/{tokens['refresh_token']}")
    assert r.status_code == 200
    info = r.json()
    assert info["token"] == tokens["refresh_token"] and info["token_type"] == "refresh"
    assert info["client_id"] == app["client_id"] and info["hub_id"] == portal["portal_id"]
    assert info["scopes"] == tokens["scopes"] and info["user_id"] == tokens["user_id"]
    assert (await client.get("/hubspot/oauth/v1/refresh-tokens/na1-nope")).status_code == 404


async def _introspect(
    client: httpx.AsyncClient, app: dict[str, Any], token: str, version: str = "2026-03", **extra: str
) -> httpx.Response:
    form = {"client_id": app["client_id"], "client_secret": app["client_secret"], "token": token, **extra}
    return await client.post(f"/hubspot/oauth/{version}/token/introspect", data=form)


@pytest.mark.parametrize("version", RFC_VERSIONS)
async def test_introspect_active_tokens(client: httpx.AsyncClient, app: dict[str, Any], version: str) -> None:
    portal = await create_portal(client)
    tokens = await install(client, app)
    access = (await _introspect(client, app, tokens["access_token"], version)).json()
    assert access["active"] is True and access["token_use"] == "access_token"
    assert access["client_id"] == app["client_id"] and access["app_id"] == app["app_id"]
    assert access["hub_id"] == portal["portal_id"] and access["scopes"] == tokens["scopes"]
    assert 1799 <= access["expires_in"] <= 1800 and access["user_id"] == tokens["user_id"]
    assert access["signed_access_token"]["hubId"] == portal["portal_id"]
    ref = (
        await _introspect(client, app, tokens["refresh_token"], version, token_type_hint="refresh_token")
    ).json()
    assert ref["active"] is True and ref["token_use"] == "refresh_token"
    assert ref["token"] == tokens["refresh_token"] and ref["app_id"] == app["app_id"]
    assert ref["client_id"] == app["client_id"] and ref["hub_id"] == portal["portal_id"]


async def test_introspect_inactive_and_bad_client(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    await create_portal(client)
    tokens = await install(client, app)
    assert (await _introspect(client, app, "garbage")).json() == {"active": False}
    other = await register_app(client)
    assert (await _introspect(client, other, tokens["access_token"])).json() == {"active": False}
    await client.post("/_sandbox/clock", json={"advance_seconds": 1800})
    assert (await _introspect(client, app, tokens["access_token"])).json() == {"active": False}
    bad = await _introspect(client, {**app, "client_secret": "wrong"}, tokens["refresh_token"])
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_client"


# ---------------------------------------------------------------------------------------------- revoking


async def test_delete_refresh_token_keeps_access_tokens(
    client: httpx.AsyncClient, app: dict[str, Any]
) -> None:
    await create_portal(client)
    tokens = await install(client, app)
    r = await client.delete(f"/hubspot/oauth/v1/refresh-tokens/{tokens['refresh_token']}")
    assert r.status_code == 204 and r.content == b""
    bad = await refresh(client, app, tokens["refresh_token"], "2026-03")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    assert (await client.get(f"/hubspot/oauth/v1/access-tokens/{tokens['access_token']}")).status_code == 200
    assert (await _introspect(client, app, tokens["refresh_token"])).json() == {"active": False}
    again = await client.delete(f"/hubspot/oauth/v1/refresh-tokens/{tokens['refresh_token']}")
    assert again.status_code == 404


@pytest.mark.parametrize("version", RFC_VERSIONS)
async def test_revoke_endpoint(client: httpx.AsyncClient, app: dict[str, Any], version: str) -> None:
    await create_portal(client)
    tokens = await install(client, app)
    form = {
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "token": tokens["refresh_token"],
    }
    r = await client.post(f"/hubspot/oauth/{version}/token/revoke", data=form)
    assert r.status_code == 200
    assert (await _introspect(client, app, tokens["refresh_token"])).json() == {"active": False}
    assert (await _introspect(client, app, tokens["access_token"])).json()["active"] is True
    assert (await refresh(client, app, tokens["refresh_token"])).json()["status"] == "BAD_REFRESH_TOKEN"
    # revoking a dead or unknown token is not an error (RFC 7009)
    assert (await client.post(f"/hubspot/oauth/{version}/token/revoke", data=form)).status_code == 200


async def test_uninstall_kills_refresh_and_access_tokens(
    client: httpx.AsyncClient, app: dict[str, Any], sandbox: Sandbox
) -> None:
    portal = await create_portal(client)
    other_portal = await create_portal(client)
    tokens = await install(client, app, portal["portal_id"])
    kept = await install(client, app, other_portal["portal_id"])
    r = await client.post(
        f"/_sandbox/hubspot/portals/{portal['portal_id']}/uninstall", json={"client_id": app["client_id"]}
    )
    assert r.status_code == 200 and r.json()["revoked_refresh_tokens"] == 1
    v1 = await refresh(client, app, tokens["refresh_token"])
    assert v1.status_code == 400 and v1.json()["status"] == "BAD_REFRESH_TOKEN"
    for version in RFC_VERSIONS:
        body = (await refresh(client, app, tokens["refresh_token"], version)).json()
        assert body["error"] == "invalid_grant" and body["status"] == "BAD_REFRESH_TOKEN"
    assert (await _introspect(client, app, tokens["refresh_token"])).json() == {"active": False}
    assert (await _introspect(client, app, tokens["access_token"])).json() == {"active": False}
    assert sandbox.hubspot.tokens.access_tokens[tokens["access_token"]].revoked
    # the same app in another portal is untouched, and reinstalling works
    assert (await refresh(client, app, kept["refresh_token"])).status_code == 200
    again = await install(client, app, portal["portal_id"])
    assert (await refresh(client, app, again["refresh_token"])).status_code == 200


async def test_uninstall_unknown_portal_or_app(client: httpx.AsyncClient, app: dict[str, Any]) -> None:
    portal = await create_portal(client)
    r = await client.post("/_sandbox/hubspot/portals/1/uninstall", json={"client_id": app["client_id"]})
    assert r.status_code == 404 and "no HubSpot portal 1" in r.json()["error"]
    r = await client.post(
        f"/_sandbox/hubspot/portals/{portal['portal_id']}/uninstall", json={"client_id": "x"}
    )
    assert r.status_code == 404 and "no HubSpot app" in r.json()["error"]
