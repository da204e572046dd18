"""HubSpot's auth hooks: identity and granted scopes from token introspection, errors by who must act."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from crmbridge.errors import ConfigurationError, ProviderError, ProviderUnavailable
from crmbridge.providers.hubspot import PROVIDER
from crmbridge.providers.hubspot.auth import introspect_url
from crmbridge.spec import GrantRejected, Identity, OAuthClient, TokenSet

pytestmark = pytest.mark.anyio

CLIENT = OAuthClient.from_config(
    PROVIDER,
    {
        "client_id": "cid",
        "redirect_uri": "https://app.example/cb",
        "token_url": "http://sandbox/hubspot/oauth/v1/token",
    },
    "the-client-secret",
)
TOKENS = TokenSet("CKaccess-token", "na1-refresh", 0.0, ("oauth",))


def test_introspection_sits_next_to_the_token_endpoint() -> None:
    assert (
        introspect_url("https://api.hubapi.com/oauth/v1/token")
        == "https://api.hubapi.com/oauth/v3/token/introspect"
    )
    assert (
        introspect_url("http://sandbox/hubspot/oauth/v1/token")
        == "http://sandbox/hubspot/oauth/v3/token/introspect"
    )


def _server(seen: list[httpx.Request], status: int, body: dict[str, Any]) -> httpx.AsyncClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


async def test_identity_and_the_granted_scopes_come_from_introspection() -> None:
    seen: list[httpx.Request] = []
    answer = {
        "active": True,
        "hub_id": 4242,
        "hub_domain": "acme.example",
        "user": "ann@acme.test",
        "user_id": 7,
        "scopes": ["oauth", "crm.objects.contacts.read"],
    }
    async with _server(seen, 200, answer) as http:
        identity = await PROVIDER.hooks.identify(http, CLIENT, TOKENS)
    assert identity == Identity(
        account_id="4242",
        granted_scopes=("oauth", "crm.objects.contacts.read"),
        metadata={"portal_id": 4242, "hub_domain": "acme.example", "user": "ann@acme.test", "user_id": 7},
    )
    (request,) = seen
    assert str(request.url) == "http://sandbox/hubspot/oauth/v3/token/introspect"
    form = parse_qs(request.content.decode())
    assert form["token"] == ["CKaccess-token"] and "CKaccess-token" not in str(request.url)
    assert form["client_secret"] == ["the-client-secret"]


async def test_without_scopes_in_the_answer_the_token_answers_scopes_stand() -> None:
    async with _server([], 200, {"active": True, "hub_id": 1}) as http:
        identity = await PROVIDER.hooks.identify(http, CLIENT, TOKENS)
    assert identity.granted_scopes is None and identity.account_id == "1"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, {"active": False}, ProviderError),
        (400, {"error": "invalid_grant", "status": "BAD_REFRESH_TOKEN"}, GrantRejected),
        (400, {"status": "BAD_CLIENT_SECRET"}, ConfigurationError),
        (503, {}, ProviderUnavailable),
    ],
)
async def test_a_failed_introspection_is_sorted_by_who_must_act(
    status: int, body: dict[str, Any], error: type[Exception]
) -> None:
    async with _server([], status, body) as http:
        with pytest.raises(error) as info:
            await PROVIDER.hooks.identify(http, CLIENT, TOKENS)
    assert "the-client-secret" not in str(info.value)
