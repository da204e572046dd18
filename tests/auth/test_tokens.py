"""The token-endpoint protocol: client auth per provider, error classes sorted by who must act."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from crmbridge.auth import GrantRejected, OAuthClient, TokenSet
from crmbridge.auth.tokens import exchange_code, refresh_tokens
from crmbridge.errors import ConfigurationError, ProviderError, ProviderUnavailable
from crmbridge.providers import builtin
from crmbridge.spec import AuthSpec

pytestmark = pytest.mark.anyio


def _client(provider: str, **config: Any) -> OAuthClient:
    base = {
        "client_id": "cid",
        "redirect_uri": "https://app.example/cb",
        "token_url": "https://crm.example/oauth/v1/token",
    }
    return OAuthClient.from_config(builtin(provider), {**base, **config}, "the-client-secret")


def test_client_defaults_come_from_the_provider() -> None:
    client = OAuthClient.from_config(
        builtin("pipedrive"), {"client_id": "c", "redirect_uri": "https://x/cb"}, "zz-secret"
    )
    assert client.token_url == "https://oauth.pipedrive.com/oauth/token" and client.client_auth == "basic"
    assert "zz-secret" not in repr(client)
    with pytest.raises(ConfigurationError):
        OAuthClient.from_config(builtin("hubspot"), {"client_id": "c"}, None)


def test_a_crm_without_oauth_endpoints_is_refused_unless_the_connection_names_them() -> None:
    keys_only = replace(builtin("hubspot"), display_name="Keys CRM", auth=AuthSpec(api_key_header="X-Key"))
    config = {"client_id": "c", "redirect_uri": "https://x/cb"}
    with pytest.raises(ConfigurationError, match="Keys CRM has no OAuth endpoints"):
        OAuthClient.from_config(keys_only, config, "secret")
    urls = {"authorize_url": "https://keys.example/authorize", "token_url": "https://keys.example/token"}
    assert OAuthClient.from_config(keys_only, {**config, **urls}, "secret").token_url == urls["token_url"]


def _server(
    seen: list[httpx.Request], status: int = 200, body: dict[str, Any] | None = None, **headers: str
) -> httpx.AsyncClient:
    answer = (
        body if body is not None else {"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 1800}
    )

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=answer, headers=headers)

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


async def test_pipedrive_uses_basic_client_auth_and_hubspot_the_form_body() -> None:
    seen: list[httpx.Request] = []
    async with _server(seen) as http:
        await exchange_code(http, _client("pipedrive"), "the-code", now=100.0)
        tokens = await refresh_tokens(http, _client("hubspot"), "rt-0", now=100.0)
    pd_form, hs_form = (parse_qs(r.content.decode()) for r in seen)
    expected = base64.b64encode(b"cid:the-client-secret").decode()
    assert seen[0].headers["authorization"] == f"Basic {expected}"
    assert "client_secret" not in pd_form and pd_form["grant_type"] == ["authorization_code"]
    assert pd_form["redirect_uri"] == ["https://app.example/cb"]
    assert "authorization" not in seen[1].headers
    assert hs_form["client_secret"] == ["the-client-secret"] and hs_form["refresh_token"] == ["rt-0"]
    assert seen[1].headers["content-type"] == "application/x-www-form-urlencoded"
    assert tokens.expires_at == 1900.0 and tokens.refresh_token == "rt-1"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"status": "BAD_REFRESH_TOKEN", "message": "missing or invalid refresh token"}, GrantRejected),
        (400, {"error": "invalid_grant", "status": "BAD_REFRESH_TOKEN"}, GrantRejected),
        (
            400,
            {
                "success": False,
                "message": "Invalid grant: refresh token is invalid",
                "error": "invalid_grant",
            },
            GrantRejected,
        ),
        (
            400,
            {"status": "BAD_CLIENT_SECRET", "message": "missing or invalid client secret"},
            ConfigurationError,
        ),
        (
            400,
            {"success": False, "message": "Invalid client: client is invalid", "error": "invalid_client"},
            ConfigurationError,
        ),
        (502, {}, ProviderUnavailable),
        (429, {}, ProviderUnavailable),
        (400, {"status": "BAD_REQUEST"}, ProviderError),
        (200, {"token_type": "bearer"}, ProviderError),
    ],
)
async def test_token_errors_are_sorted_by_who_must_act(
    status: int, body: dict[str, Any], error: type[Exception]
) -> None:
    async with _server([], status, body, **{"retry-after": "7"}) as http:
        with pytest.raises(error) as info:
            await refresh_tokens(http, _client("hubspot"), "rt-secret-value", now=0.0)
    assert "rt-secret-value" not in str(info.value) and "the-client-secret" not in str(info.value)
    if status == 429:
        assert info.value.details["retry_after"] == 7.0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("provider", "body", "error"),
    [
        ("hubspot", {"status": "BAD_AUTH_CODE", "message": "missing or unknown auth code"}, GrantRejected),
        ("pipedrive", {"status": "BAD_AUTH_CODE", "message": "missing or unknown auth code"}, ProviderError),
        ("pipedrive", {"message": "Invalid grant: authorization_code has expired"}, GrantRejected),
        ("hubspot", {"message": "Invalid grant: authorization_code has expired"}, ProviderError),
        ("pipedrive", {"message": "Invalid client: cannot retrieve client credentials"}, ConfigurationError),
        ("hubspot", {"status": "BAD_CLIENT_ID"}, ConfigurationError),
    ],
)
async def test_a_crms_own_words_for_a_dead_grant_come_from_its_auth_spec(
    provider: str, body: dict[str, Any], error: type[Exception]
) -> None:
    async with _server([], 400, body) as http:
        with pytest.raises(error):
            await exchange_code(http, _client(provider), "the-code", now=0.0)


async def test_fields_beyond_the_standard_ones_reach_the_identify_hook_but_not_reprs() -> None:
    answer = {
        "access_token": "at-1",
        "refresh_token": "rt-1",
        "expires_in": 3599,
        "scope": "base,deals:full",
        "api_domain": "https://acme.pipedrive.com",
        "id_token": "header.payload.signature",
        "nothing": None,
    }
    async with _server([], 200, answer) as http:
        tokens = await exchange_code(http, _client("pipedrive"), "the-code", now=0.0)
    assert tokens.scopes == ("base", "deals:full")
    assert tokens.extra == {
        "api_domain": "https://acme.pipedrive.com",
        "id_token": "header.payload.signature",
    }
    assert "header.payload" not in repr(tokens) and "at-1" not in repr(tokens)


async def test_a_dead_network_is_a_passing_failure() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(down)) as http:
        with pytest.raises(ProviderUnavailable):
            await refresh_tokens(http, _client("hubspot"), "rt", now=0.0)


def test_credentials_keep_the_old_refresh_token_when_none_comes_back_and_reprs_hide_tokens() -> None:
    tokens = TokenSet("at-secret", None, 50.0, ("a",))
    assert tokens.credentials(10.0, "rt-old")["refresh_token"] == "rt-old"
    assert TokenSet("at", "rt-new", 1.0).credentials(0.0, "rt-old")["refresh_token"] == "rt-new"
    assert "at-secret" not in repr(tokens)
