"""Pipedrive's auth hooks: the api_domain safety rule, identity from /users/me, verified uninstall notices."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from crmbridge.errors import InvalidInput, ProviderError
from crmbridge.providers.pipedrive import PROVIDER
from crmbridge.providers.pipedrive.auth import safe_api_domain
from crmbridge.spec import Identity, OAuthClient, TokenSet, UninstallNotice, UnsafeGrant

pytestmark = pytest.mark.anyio

SANDBOX_BASE = "http://sandbox/pipedrive"
CLIENT = OAuthClient.from_config(
    PROVIDER, {"client_id": "cid", "redirect_uri": "https://app.example/cb"}, "the-client-secret"
)


@pytest.mark.parametrize(
    "value",
    [
        "https://acme.pipedrive.com",
        "https://acme.pipedrive.com/",
        "https://ACME.pipedrive.com",
        "https://acme.pipedrive.com:443",
        "https://acme.pipedrive.com:443/",
    ],
)
def test_pipedrive_api_domains_are_accepted_and_normalised(value: str) -> None:
    assert safe_api_domain(value, None) == "https://acme.pipedrive.com"


@pytest.mark.parametrize(
    "value",
    [
        "http://acme.pipedrive.com",
        "https://acme.pipedrive.com.evil.example",
        "https://evil.example/.pipedrive.com",
        "https://evil.example?host=.pipedrive.com",
        "https://user:pw@acme.pipedrive.com",
        "https://acme.pipedrive.com:8443",
        "https://pipedrive.com",
        "https://acme.pipedrive.com/api/../x",
        "https://acme.pipedrive.com/somewhere",
        "http://sandbox/pipedrive/acme",  # no sandbox configured
        "",
        None,
        42,
        # Host labels are checked one by one: a parser that reads `\\` or `%2e` differently from
        # the one that checked the host must never see a token.
        "https://evil.com\\.pipedrive.com",
        "https://evil.com\\@acme.pipedrive.com",
        "https://evil.com%2e.pipedrive.com",
        "https://evil.com%2F.pipedrive.com",
        "https://acme.pipedrive.com@evil.com",
        "https://evil.com#.pipedrive.com",
        "https://evil.com;.pipedrive.com",
        "https://acme_x.pipedrive.com",
        "https://ac me.pipedrive.com",
        "https://acme..pipedrive.com",
        "https://.pipedrive.com",
        "https://acme.pipedrive.com.",
        "https://-acme.pipedrive.com",
        "https://acme-.pipedrive.com",
        "https://\u0430cme.pipedrive.com",  # a Cyrillic a
        "https://acme.pipedrive.com:0443",
        "https://acme.pipedrive.com:",
        "https://acme.pipedrive.com?",
        "https://acme.pipedrive.com#",
        "https://acme.pipedrive.com//",
        " https://acme.pipedrive.com",
        "https://acme.pipedrive.com\n",
        "HTTPS://acme.pipedrive.com\t",
        "https://" + "a" * 64 + ".pipedrive.com",
    ],
)
def test_anything_else_is_refused(value: Any) -> None:
    with pytest.raises(UnsafeGrant):
        safe_api_domain(value, None)


def test_the_configured_sandbox_origin_is_accepted_and_nothing_near_it() -> None:
    assert safe_api_domain("http://sandbox/pipedrive/acme", SANDBOX_BASE) == "http://sandbox/pipedrive/acme"
    for wrong in (
        "http://sandbox:8080/pipedrive/acme",
        "https://sandbox/pipedrive/acme",
        "http://sandbox.evil/x",
        "http://sandbox\\@evil/pipedrive/acme",
        "http://sandbox/pipedrive/../acme",
        "http://sandbox/pipedrive/%2e%2e/acme",
        "http://sandbox/pipedrive/acme?x=1",
        "http://sandbox/pipedrive/acme#x",
        "http://u@sandbox/pipedrive/acme",
        "http://sandbox/pipedrive/ac me",
    ):
        with pytest.raises(UnsafeGrant):
            safe_api_domain(wrong, SANDBOX_BASE)


def _crm(seen: list[httpx.Request], status: int = 200) -> httpx.AsyncClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        me = {"id": 20000001, "email": "ann@acme.test", "company_id": 13000001, "company_domain": "acme"}
        return httpx.Response(status, json={"success": status == 200, "data": me})

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


def _tokens(api_domain: Any) -> TokenSet:
    return TokenSet("v1u:access", "1:1:refresh", 0.0, ("base",), {"api_domain": api_domain})


async def test_identity_comes_from_users_me_on_the_company_origin() -> None:
    seen: list[httpx.Request] = []
    async with _crm(seen) as http:
        identity = await PROVIDER.hooks.identify(http, CLIENT, _tokens("https://acme.pipedrive.com"))
    assert identity == Identity(
        account_id="13000001",
        base_url="https://acme.pipedrive.com",
        metadata={
            "company_id": 13000001,
            "company_domain": "acme",
            "user": "ann@acme.test",
            "user_id": 20000001,
        },
    )
    assert [str(r.url) for r in seen] == ["https://acme.pipedrive.com/api/v1/users/me"]
    assert seen[0].headers["authorization"] == "Bearer v1u:access"


async def test_an_unsafe_api_domain_is_refused_before_the_token_goes_anywhere() -> None:
    seen: list[httpx.Request] = []
    async with _crm(seen) as http:
        with pytest.raises(UnsafeGrant):
            await PROVIDER.hooks.identify(http, CLIENT, _tokens("https://acme.pipedrive.com.evil.example"))
    assert seen == []


async def test_a_failing_users_me_is_a_provider_error_not_an_unsafe_grant() -> None:
    async with _crm([], status=401) as http:
        with pytest.raises(ProviderError) as info:
            await PROVIDER.hooks.identify(http, CLIENT, _tokens("https://acme.pipedrive.com"))
    assert not isinstance(info.value, UnsafeGrant) and info.value.details["status"] == 401


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


OURS = _basic("cid", "the-client-secret")
NOTICE = b'{"client_id": "cid", "company_id": 7, "user_id": 9, "timestamp": 1}'


def test_a_notice_with_our_credentials_names_the_installing_user() -> None:
    notice = PROVIDER.hooks.read_uninstall(CLIENT, OURS, NOTICE)
    assert notice == UninstallNotice(
        {"company_id": "7", "user_id": "9"}, reason="the app was uninstalled in Pipedrive"
    )
    as_mapping = {"client_id": "cid", "company_id": 7, "user_id": 9}
    assert PROVIDER.hooks.read_uninstall(CLIENT, OURS, as_mapping) == notice


@pytest.mark.parametrize(
    "authorization", [None, "", _basic("cid", "not-the-secret"), _basic("other", "the-client-secret")]
)
def test_a_notice_without_our_credentials_is_not_ours(authorization: str | None) -> None:
    assert PROVIDER.hooks.read_uninstall(CLIENT, authorization, NOTICE) is None
    assert PROVIDER.hooks.read_uninstall(CLIENT, authorization, b"garbage") is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"client_id": "cid", "company_id": 7}',
        b'{"client_id": "another-app", "company_id": 7, "user_id": 9}',
        b'{"client_id": "cid", "company_id": {"a": 1}, "user_id": 9}',
        b'{"client_id": "cid", "company_id": 7, "user_id": [9]}',
        b'{"client_id": "cid", "company_id": true, "user_id": 9}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"client_id": "cid", "company_id": 7, "user_id": 9, "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"client_id": "cid", "company_id": 7, "user_id": ' + b"9" * 5000 + b"}",
        b"\xff\xfe",
    ],
)
def test_a_malformed_notice_with_our_credentials_is_invalid(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        PROVIDER.hooks.read_uninstall(CLIENT, OURS, body)
