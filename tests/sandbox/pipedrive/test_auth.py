"""How the Pipedrive sandbox authenticates API calls: API tokens, OAuth bearer tokens and scopes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .oauth_flow import OAuthFlow

pytestmark = pytest.mark.anyio

UNAUTHORIZED = {
    "success": False,
    "error": "unauthorized access",
    "errorCode": 401,
    "error_info": "Please check developers.pipedrive.com",
}


async def test_api_token_header_and_legacy_query_parameter(
    client: httpx.AsyncClient, company: dict[str, Any]
) -> None:
    by_header = await client.get(f"{company['prefix']}/v1/users/me", headers=company["headers"])
    by_query = await client.get("/pipedrive/api/v1/users/me", params={"api_token": company["api_token"]})
    for r in (by_header, by_query):
        assert r.status_code == 200, r.text
        assert r.json()["data"]["company_id"] == company["company_id"]


@pytest.mark.parametrize("headers", [{}, {"x-api-token": "0" * 40}])
async def test_missing_or_bad_api_token_is_401(
    client: httpx.AsyncClient, company: dict[str, Any], headers: dict[str, str]
) -> None:
    r = await client.get(f"{company['prefix']}/v1/users/me", headers=headers)
    assert r.status_code == 401
    assert r.json() == UNAUTHORIZED


async def test_api_token_of_another_company_domain_is_401(
    client: httpx.AsyncClient, company: dict[str, Any]
) -> None:
    other = (await client.post("/_sandbox/pipedrive/companies", json={"seed": 9})).json()
    r = await client.get(f"/pipedrive/{other['company_domain']}/v1/users/me", headers=company["headers"])
    assert r.status_code == 401
    assert r.json() == UNAUTHORIZED


@pytest.mark.parametrize("header", ["Token abc", "Bearer ", "Bearer", "basic dXNlcjpwYXNz"])
async def test_malformed_authorization_header_is_400(
    client: httpx.AsyncClient, company: dict[str, Any], header: str
) -> None:
    r = await client.get(f"{company['prefix']}/v1/users/me", headers={"authorization": header})
    assert r.status_code == 400
    assert r.json()["error"] == "Invalid request: malformed authorization header"


async def test_unknown_bearer_token_is_401_invalid_token(
    client: httpx.AsyncClient, company: dict[str, Any]
) -> None:
    r = await client.get(f"{company['prefix']}/v1/users/me", headers={"authorization": "Bearer v1u:nope"})
    assert r.status_code == 401
    assert r.json() == {
        "success": False,
        "error": "Invalid token: access_token is invalid",
        "errorCode": 401,
        "error_info": "Please check developers.pipedrive.com",
    }


async def test_scopes_gate_routes_but_base_is_always_allowed(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    tokens = await oauth.install(await oauth.register(["deals:read"]))
    me = await client.get(f"{company['prefix']}/v1/users/me", headers=tokens["headers"])
    assert me.status_code == 200
    r = await client.get(f"{company['prefix']}/v1/users", headers=tokens["headers"])
    assert r.status_code == 403
    assert r.json() == {
        "success": False,
        "error": "Scope and URL mismatch",
        "errorCode": 403,
        "error_info": "Please check developers.pipedrive.com",
    }
    allowed = await oauth.install(await oauth.register(["users:read"]))
    assert (await client.get(f"{company['prefix']}/v1/users", headers=allowed["headers"])).status_code == 200


async def test_api_token_wins_over_bearer_token(client: httpx.AsyncClient, company: dict[str, Any]) -> None:
    headers = {**company["headers"], "authorization": "Bearer v1u:nope"}
    assert (await client.get(f"{company['prefix']}/v1/users/me", headers=headers)).status_code == 200


async def test_requests_are_logged_under_the_company(
    client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    await client.get(f"{company['prefix']}/api/v1/users/me", headers=company["headers"])
    entry = sandbox.ctx.log.query(provider="pipedrive")[-1]
    assert entry.account == str(company["company_id"])
    assert entry.path == "/api/v1/users/me"
