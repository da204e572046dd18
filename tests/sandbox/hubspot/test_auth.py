"""Bearer-token authentication for CRM routes: private-app and OAuth tokens, expiry, revocation, scopes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.clock import SandboxClock
from crmbridge_sandbox.hubspot.auth import authenticate, require_access
from crmbridge_sandbox.hubspot.errors import HubSpotError

from .oauth_flow import CONTACTS, create_portal, install, refresh, register_app

pytestmark = pytest.mark.anyio

#: The install happens here, so tokens expire at 2026-03-10T23:04:41.164Z (the reference's example).
START = datetime(2026, 3, 10, 22, 34, 41, 164000, tzinfo=UTC).timestamp()


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(clock=SandboxClock(start=START, frozen=True))


def crm_request(sandbox: Sandbox, token: str | None) -> Request:
    """A request as a CRM route receives it (the route-level API that every CRM handler calls)."""
    headers = [(b"authorization", f"Bearer {token}".encode())] if token is not None else []
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/crm/v3/objects/contacts",
        "query_string": b"",
        "headers": headers,
        "app": sandbox.hubspot.app.app,  # type: ignore[attr-defined]
        "sandbox": {"headers": {}},
    }
    return Request(scope)


def auth_error(sandbox: Sandbox, token: str | None) -> HubSpotError:
    with pytest.raises(HubSpotError) as caught:
        authenticate(crm_request(sandbox, token))
    return caught.value


async def _advance(client: httpx.AsyncClient, seconds: float) -> None:
    r = await client.post("/_sandbox/clock", json={"advance_seconds": seconds})
    assert r.status_code == 200


async def test_private_and_oauth_tokens_resolve(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    portal = await create_portal(client)
    app = await register_app(client)
    tokens = await install(client, app)
    private = authenticate(crm_request(sandbox, portal["private_app_token"]))
    assert private.kind == "private_app" and private.portal.id == portal["portal_id"]
    assert "crm.objects.contacts.read" in private.scopes
    oauth = authenticate(crm_request(sandbox, tokens["access_token"]))
    assert oauth.kind == "oauth" and oauth.portal.id == portal["portal_id"]
    assert oauth.scopes == frozenset(CONTACTS)
    assert oauth.client_id == app["client_id"] and oauth.user_id == tokens["user_id"]


@pytest.mark.parametrize("token", [None, "", "garbage", "pat-na1-00000000-0000-0000-0000-000000000000"])
async def test_garbage_token_is_invalid_authentication(sandbox: Sandbox, token: str | None) -> None:
    err = auth_error(sandbox, token)
    assert err.status_code == 401 and err.category == "INVALID_AUTHENTICATION"
    assert err.message.startswith("Authentication credentials not found.")
    assert err.headers == {"x-hubspot-auth-failure": "401 Unauthorized"}


async def test_expired_access_token_body(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    await create_portal(client)
    tokens = await install(client, await register_app(client))
    await _advance(client, 1799)
    assert authenticate(crm_request(sandbox, tokens["access_token"])).kind == "oauth"
    await _advance(client, 1)
    err = auth_error(sandbox, tokens["access_token"])
    assert err.status_code == 401
    assert err.body("cid") == {
        "status": "error",
        "message": "The OAuth token used to make this call expired 0 second(s) ago.",
        "correlationId": "cid",
        "context": {"expire time": ["2026-03-10T23:04:41.164Z"]},
        "category": "EXPIRED_AUTHENTICATION",
    }


@pytest.mark.parametrize(
    ("seconds", "wording"),
    [(42, "42 second(s)"), (125, "2 minute(s)"), (5 * 3600 + 10, "5 hour(s)"), (3 * 86400, "3 day(s)")],
)
async def test_expired_wording_uses_largest_unit(
    client: httpx.AsyncClient, sandbox: Sandbox, seconds: int, wording: str
) -> None:
    await create_portal(client)
    tokens = await install(client, await register_app(client))
    await _advance(client, 1800 + seconds)
    assert auth_error(sandbox, tokens["access_token"]).message.endswith(f"expired {wording} ago.")


async def test_uninstalled_app_tokens_are_invalid(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    portal = await create_portal(client)
    app = await register_app(client)
    tokens = await install(client, app)
    await client.post(
        f"/_sandbox/hubspot/portals/{portal['portal_id']}/uninstall", json={"client_id": app["client_id"]}
    )
    assert auth_error(sandbox, tokens["access_token"]).category == "INVALID_AUTHENTICATION"


async def test_require_access_scopes_and_account(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    portal = await create_portal(client)
    tokens = await install(client, await register_app(client, required=["tickets"]))
    request = crm_request(sandbox, tokens["access_token"])
    with pytest.raises(HubSpotError) as caught:
        require_access(request, ("crm.objects.contacts.read", "crm.objects.contacts.write"))
    err = caught.value
    assert err.status_code == 403 and err.category == "MISSING_SCOPES"
    assert err.errors and err.errors[0]["context"]["requiredGranularScopes"] == [
        "crm.objects.contacts.read",
        "crm.objects.contacts.write",
    ]
    ok = crm_request(sandbox, tokens["access_token"])
    access = require_access(ok, ("tickets",))
    assert access.portal.id == portal["portal_id"]
    assert ok.scope["sandbox"]["account"] == str(portal["portal_id"])
    assert ok.scope["sandbox"]["headers"]["X-HubSpot-RateLimit-Max"] == "110"


# ------------------------------------------------------------------------------ end to end through a CRM route


async def test_e2e_expiry_then_refresh(client: httpx.AsyncClient, crm_route: str) -> None:
    await create_portal(client)
    app = await register_app(client)
    tokens = await install(client, app)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.get(crm_route, headers=auth)).status_code == 200
    await _advance(client, 1800)
    r = await client.get(crm_route, headers=auth)
    assert r.status_code == 401
    body = r.json()
    assert body["category"] == "EXPIRED_AUTHENTICATION"
    assert body["message"] == "The OAuth token used to make this call expired 0 second(s) ago."
    assert body["correlationId"] == r.headers["x-hubspot-correlation-id"]
    fresh = (await refresh(client, app, tokens["refresh_token"])).json()
    r = await client.get(crm_route, headers={"Authorization": f"Bearer {fresh['access_token']}"})
    assert r.status_code == 200


async def test_e2e_garbage_token_and_missing_scope(client: httpx.AsyncClient, crm_route: str) -> None:
    r = await client.get(crm_route, headers={"Authorization": "Bearer garbage"})
    assert r.status_code == 401
    assert r.headers["x-hubspot-auth-failure"] == "401 Unauthorized"
    assert r.json()["category"] == "INVALID_AUTHENTICATION"
    await create_portal(client)
    tokens = await install(client, await register_app(client, required=["tickets"]))
    r = await client.get(crm_route, headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.status_code == 403 and r.json()["category"] == "MISSING_SCOPES"
