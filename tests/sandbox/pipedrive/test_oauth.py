"""The Pipedrive OAuth server: consent page, code exchange, refresh, revocation and uninstall."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .oauth_flow import FORM, REDIRECT_URI, OAuthFlow, basic

pytestmark = pytest.mark.anyio

DAY = 86_400


def _query(response: httpx.Response) -> dict[str, list[str]]:
    return parse_qs(urlsplit(response.headers["location"]).query)


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.get("/pipedrive/v1/users/me", headers=headers)


def _assert_oauth_error(r: httpx.Response, message: str, error: str) -> None:
    assert r.status_code == 400, r.text
    assert r.json() == {"success": False, "message": message, "error": error}


# --- consent page --------------------------------------------------------------------------------------


async def test_consent_page_lists_scopes_and_companies_newest_first(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    newer = (await client.post("/_sandbox/pipedrive/companies", json={"seed": 1})).json()
    app = await oauth.register(["deals:full", "contacts:read"])
    params = {"client_id": app["client_id"], "redirect_uri": REDIRECT_URI, "state": "a&b"}
    r = await client.get("/pipedrive/oauth/authorize", params=params)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    for scope in ("deals:full", "contacts:read", "base"):
        assert f"<code>{scope}</code>" in page
    assert '<form method="post" action="?' in page
    assert "state=a%26b" in page  # the query string is kept (and HTML-escaped) in the form action
    assert 'name="company_id"' in page and 'name="user_id"' in page
    assert 'name="decision" value="grant"' in page and 'name="decision" value="deny"' in page
    assert f'<option value="{newer["company_id"]}" selected>' in page
    assert f'<option value="{company["company_id"]}">' in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"redirect_uri": REDIRECT_URI}, "Missing parameter: client_id"),
        ({"client_id": "nope", "redirect_uri": REDIRECT_URI}, "Invalid client: client is invalid"),
        ({"client_id": "{app}"}, "Invalid request: redirect_uri is not a valid URI"),
        ({"client_id": "{app}", "redirect_uri": "https://evil.example/cb"}, "redirect_uri is invalid"),
    ],
)
async def test_consent_page_rejects_bad_app_parameters(
    client: httpx.AsyncClient,
    oauth: OAuthFlow,
    company: dict[str, Any],
    params: dict[str, str],
    message: str,
) -> None:
    app = await oauth.register()
    params = {k: v.replace("{app}", app["client_id"]) for k, v in params.items()}
    for method in ("GET", "POST"):
        r = await client.request(
            method, "/pipedrive/oauth/authorize", params=params, data={"decision": "grant"}
        )
        assert r.status_code == 400
        assert r.headers["content-type"].startswith("text/html")
        assert message in r.text


async def test_consent_without_any_company_is_an_error_page(
    oauth: OAuthFlow, client: httpx.AsyncClient
) -> None:
    app = await oauth.register()
    r = await client.get(
        "/pipedrive/oauth/authorize", params={"client_id": app["client_id"], "redirect_uri": REDIRECT_URI}
    )
    assert r.status_code == 400
    assert "App cannot be installed for requested company" in r.text


async def test_deny_redirects_with_user_denied_and_state(oauth: OAuthFlow, company: dict[str, Any]) -> None:
    app = await oauth.register()
    r = await oauth.consent(app, {"decision": "deny"})
    assert r.status_code == 302
    assert r.headers["location"].startswith(REDIRECT_URI + "?")
    assert _query(r) == {"error": ["user_denied"], "state": ["st-1"]}


async def test_grant_without_state_sends_only_the_code(oauth: OAuthFlow, company: dict[str, Any]) -> None:
    app = await oauth.register()
    r = await oauth.consent(app, {"decision": "grant"}, state=None)
    assert r.status_code == 302
    assert set(_query(r)) == {"code"}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"decision": "maybe"}, "decision must be"),
        ({"decision": "grant", "company_id": "999"}, "App cannot be installed for requested company"),
        ({"decision": "grant", "user_id": "42"}, "is not an active user"),
    ],
)
async def test_bad_consent_form_is_an_error_page(
    oauth: OAuthFlow, company: dict[str, Any], form: dict[str, str], message: str
) -> None:
    app = await oauth.register()
    r = await oauth.consent(app, form)
    assert r.status_code == 400
    assert message in r.text


# --- code exchange -------------------------------------------------------------------------------------


async def test_code_exchange_returns_tokens_bound_to_company_and_admin(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    app = await oauth.register(["users:read", "deals:full"])
    tokens = await oauth.install(app)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3599
    assert tokens["scope"] == "users:read,deals:full,base"
    assert tokens["api_domain"] == f"http://sandbox/pipedrive/{company['company_domain']}"
    assert tokens["api_domain"] == company["api_domain"]
    assert tokens["access_token"] != tokens["refresh_token"]
    me = (await client.get(tokens["api_domain"] + "/api/v1/users/me", headers=tokens["headers"])).json()
    assert me["data"]["company_id"] == company["company_id"]
    admin = (await _me(client, company["headers"])).json()["data"]
    assert me["data"]["id"] == admin["id"] and me["data"]["access"][0]["admin"] is True


async def test_consent_form_picks_company_and_user(
    client: httpx.AsyncClient, sandbox: Sandbox, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    await client.post("/_sandbox/pipedrive/companies", json={"seed": 2})  # newer, the default
    older = sandbox.pipedrive.companies[company["company_id"]]
    rep = sandbox.pipedrive.new_user(older, name="Rita Rep", email="rita@example.com", is_admin=False)
    app = await oauth.register()
    tokens = await oauth.install(app, company_id=str(older.id), user_id=str(rep.id))
    assert tokens["api_domain"].endswith(f"/pipedrive/{older.domain}")
    me = (await _me(client, tokens["headers"])).json()["data"]
    assert (me["id"], me["company_id"], me["email"]) == (rep.id, older.id, "rita@example.com")


async def test_default_company_is_the_newest(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    newer = (await client.post("/_sandbox/pipedrive/companies", json={"seed": 3})).json()
    tokens = await oauth.install(await oauth.register())
    assert tokens["api_domain"] == newer["api_domain"]


async def test_code_is_single_use(oauth: OAuthFlow, company: dict[str, Any]) -> None:
    app = await oauth.register()
    code = await oauth.code(app)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    assert (await oauth.token(app, data)).status_code == 200
    r = await oauth.token(app, data)
    _assert_oauth_error(r, "Invalid grant: authorization_code is invalid", "invalid_grant")


async def test_code_expires_after_five_minutes_on_the_sandbox_clock(
    sandbox: Sandbox, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    app = await oauth.register()
    fresh, stale = await oauth.code(app), await oauth.code(app)
    sandbox.clock.advance(290)
    data = {"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI}
    assert (await oauth.token(app, {**data, "code": fresh})).status_code == 200
    sandbox.clock.advance(11)
    r = await oauth.token(app, {**data, "code": stale})
    _assert_oauth_error(r, "Invalid grant: authorization_code has expired", "invalid_grant")


async def test_code_of_another_app_is_invalid(oauth: OAuthFlow, company: dict[str, Any]) -> None:
    mine, other = await oauth.register(), await oauth.register()
    code = await oauth.code(mine)
    r = await oauth.token(
        other, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    )
    _assert_oauth_error(r, "Invalid grant: authorization_code is invalid", "invalid_grant")


@pytest.mark.parametrize(
    ("redirect_uri", "message"),
    [
        (None, "Invalid request: redirect_uri is not a valid URI"),
        ("not a url", "Invalid request: redirect_uri is not a valid URI"),
        ("https://app.example/other", "Invalid request: redirect_uri is invalid"),
    ],
)
async def test_code_exchange_checks_redirect_uri(
    oauth: OAuthFlow, company: dict[str, Any], redirect_uri: str | None, message: str
) -> None:
    app = await oauth.register()
    code = await oauth.code(app)
    data = {"grant_type": "authorization_code", "code": code}
    if redirect_uri is not None:
        data["redirect_uri"] = redirect_uri
    _assert_oauth_error(await oauth.token(app, data), message, "invalid_request")
    # A failed exchange does not burn the code.
    ok = await oauth.token(app, {**data, "redirect_uri": REDIRECT_URI})
    assert ok.status_code == 200


async def test_token_endpoint_request_errors(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    app = await oauth.register()
    url = "/pipedrive/oauth/token"
    r = await client.post(url, json={"grant_type": "refresh_token"}, headers=app["basic"])
    _assert_oauth_error(
        r, "Invalid request: content must be application/x-www-form-urlencoded", "invalid_request"
    )
    r = await client.post(url, data={"grant_type": "refresh_token"}, headers=FORM)
    _assert_oauth_error(r, "Invalid client: cannot retrieve client credentials", "invalid_client")
    r = await client.post(url, data={"grant_type": "x"}, headers={**FORM, "authorization": "Basic !!!"})
    _assert_oauth_error(r, "Invalid client: cannot retrieve client credentials", "invalid_client")
    wrong = basic(app["client_id"], "wrong-secret")
    r = await client.post(url, data={"grant_type": "refresh_token"}, headers={**FORM, **wrong})
    _assert_oauth_error(r, "Invalid client: client is invalid", "invalid_client")
    _assert_oauth_error(await oauth.token(app, {}), "Missing parameter: grant_type", "invalid_request")
    r = await oauth.token(app, {"grant_type": "password"})
    _assert_oauth_error(r, "Unsupported grant type: grant_type is invalid", "unsupported_grant_type")
    r = await oauth.token(app, {"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI})
    _assert_oauth_error(r, "Missing parameter: code", "invalid_request")
    r = await oauth.token(app, {"grant_type": "exchange_api_token", "api_token": "nope"})
    _assert_oauth_error(r, "Invalid grant: api_token is invalid", "invalid_grant")


async def test_client_credentials_in_the_body_and_trailing_slash(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    app = await oauth.register()
    code = await oauth.code(app)
    r = await client.post(
        "/pipedrive/oauth/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
        headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert r.status_code == 200, r.text
    assert (await _me(client, {"authorization": f"Bearer {r.json()['access_token']}"})).status_code == 200


async def test_exchange_api_token_grant_installs_for_the_tokens_user(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    app = await oauth.register()
    r = await oauth.token(app, {"grant_type": "exchange_api_token", "api_token": company["api_token"]})
    assert r.status_code == 200, r.text
    me = await _me(client, {"authorization": f"Bearer {r.json()['access_token']}"})
    assert me.json()["data"]["company_id"] == company["company_id"]


# --- access and refresh tokens -------------------------------------------------------------------------


async def test_access_token_expires_after_an_hour(
    client: httpx.AsyncClient, sandbox: Sandbox, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    tokens = await oauth.install(await oauth.register())
    sandbox.clock.advance(3590)
    assert (await _me(client, tokens["headers"])).status_code == 200
    sandbox.clock.advance(10)
    r = await _me(client, tokens["headers"])
    assert r.status_code == 401
    assert r.json()["error"] == "Invalid token: access_token is invalid"


async def test_refresh_returns_same_refresh_token_and_a_new_access_token(
    client: httpx.AsyncClient, sandbox: Sandbox, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    app = await oauth.register()
    tokens = await oauth.install(app)
    sandbox.clock.advance(4000)
    r = await oauth.refresh(app, tokens["refresh_token"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["refresh_token"] == tokens["refresh_token"]
    assert body["access_token"] != tokens["access_token"]
    assert body["scope"] == tokens["scope"] and body["api_domain"] == tokens["api_domain"]
    assert (await _me(client, {"authorization": f"Bearer {body['access_token']}"})).status_code == 200


async def test_refresh_token_dies_after_sixty_idle_days_and_each_use_resets_it(
    sandbox: Sandbox, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    app = await oauth.register()
    rt = (await oauth.install(app))["refresh_token"]
    for _ in range(3):  # 177 days in total, but never 60 idle
        sandbox.clock.advance(59 * DAY)
        assert (await oauth.refresh(app, rt)).status_code == 200
    sandbox.clock.advance(60 * DAY + 1)
    _assert_oauth_error(
        await oauth.refresh(app, rt), "Invalid grant: refresh_token is invalid", "invalid_grant"
    )


async def test_refresh_token_belongs_to_its_app(oauth: OAuthFlow, company: dict[str, Any]) -> None:
    mine, other = await oauth.register(), await oauth.register()
    rt = (await oauth.install(mine))["refresh_token"]
    r = await oauth.refresh(other, rt)
    _assert_oauth_error(r, "Invalid grant: refresh_token is invalid", "invalid_grant")
    _assert_oauth_error(
        await oauth.refresh(mine, "1:1:nope"), "Invalid grant: refresh_token is invalid", "invalid_grant"
    )
    _assert_oauth_error(
        await oauth.token(mine, {"grant_type": "refresh_token"}),
        "Missing parameter: refresh_token",
        "invalid_request",
    )


# --- revocation and uninstall --------------------------------------------------------------------------


async def _revoke(client: httpx.AsyncClient, app: dict[str, Any], token: str, hint: str) -> httpx.Response:
    return await client.post(
        "/pipedrive/oauth/revoke",
        data={"token": token, "token_type_hint": hint},
        headers={**FORM, **app["basic"]},
    )


async def test_revoking_the_access_token_keeps_the_install(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    app = await oauth.register()
    tokens = await oauth.install(app)
    r = await _revoke(client, app, tokens["access_token"], "access_token")
    assert r.status_code == 200
    assert (await _me(client, tokens["headers"])).status_code == 401
    refreshed = await oauth.refresh(app, tokens["refresh_token"])
    assert refreshed.status_code == 200
    assert (
        await _me(client, {"authorization": f"Bearer {refreshed.json()['access_token']}"})
    ).status_code == 200


async def test_revoke_accepts_the_node_sdks_double_encoded_access_token(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    app = await oauth.register()
    tokens = await oauth.install(app)
    encoded = quote(tokens["access_token"], safe="")  # what the SDK does before form-encoding again
    assert encoded != tokens["access_token"]
    assert (await _revoke(client, app, encoded, "access_token")).status_code == 200
    assert (await _me(client, tokens["headers"])).status_code == 401


async def test_revoking_the_refresh_token_uninstalls(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    app = await oauth.register()
    tokens = await oauth.install(app)
    second = (await oauth.refresh(app, tokens["refresh_token"])).json()["access_token"]
    assert (await _revoke(client, app, tokens["refresh_token"], "refresh_token")).status_code == 200
    assert (await _me(client, tokens["headers"])).status_code == 401
    assert (await _me(client, {"authorization": f"Bearer {second}"})).status_code == 401
    r = await oauth.refresh(app, tokens["refresh_token"])
    _assert_oauth_error(r, "Invalid grant: refresh_token is invalid", "invalid_grant")


async def test_revoke_is_200_for_unknown_or_foreign_tokens_but_checks_the_client(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    mine, other = await oauth.register(), await oauth.register()
    tokens = await oauth.install(mine)
    assert (await _revoke(client, mine, "no-such-token", "refresh_token")).status_code == 200
    assert (await _revoke(client, other, tokens["refresh_token"], "refresh_token")).status_code == 200
    assert (await oauth.refresh(mine, tokens["refresh_token"])).status_code == 200  # untouched
    r = await client.post("/pipedrive/oauth/revoke", data={"token": "x"}, headers=FORM)
    _assert_oauth_error(r, "Invalid client: cannot retrieve client credentials", "invalid_client")
    r = await client.post("/pipedrive/oauth/revoke", data={}, headers={**FORM, **mine["basic"]})
    _assert_oauth_error(r, "Missing parameter: token", "invalid_request")


async def test_register_app_rejects_unknown_scopes_and_bad_redirects(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/_sandbox/pipedrive/apps",
        json={"redirect_uri": REDIRECT_URI, "scopes": ["deals:full", "dealz:read"]},
    )
    assert r.status_code == 400 and "dealz:read" in r.json()["error"]
    r = await client.post("/_sandbox/pipedrive/apps", json={"redirect_uri": "/cb", "scopes": ["deals:full"]})
    assert r.status_code == 400 and "redirect_uri" in r.json()["error"]


async def test_uninstall_kills_tokens_and_calls_back_with_basic_auth() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    sandbox = Sandbox(outbound_transport=httpx.MockTransport(handler))
    async with sandbox.client() as client:
        oauth = OAuthFlow(client)
        company = (await client.post("/_sandbox/pipedrive/companies", json={"seed": 5})).json()
        rep = sandbox.pipedrive.new_user(
            sandbox.pipedrive.companies[company["company_id"]], name="Rep", email="rep@example.com"
        )
        app = await oauth.register()
        admin_tokens = await oauth.install(app)
        rep_tokens = await oauth.install(app, user_id=str(rep.id))
        sandbox.clock.advance(10)
        r = await client.post(
            f"/_sandbox/pipedrive/companies/{company['company_id']}/uninstall",
            json={"client_id": app["client_id"]},
        )
        assert r.status_code == 200, r.text
        result = r.json()
        assert result["callback_status"] == 204
        admin_id = (
            await client.get("/pipedrive/v1/users/me", headers={"x-api-token": company["api_token"]})
        ).json()["data"]["id"]
        assert result["revoked_users"] == sorted([admin_id, rep.id])
        for tokens in (admin_tokens, rep_tokens):
            assert (await _me(client, tokens["headers"])).status_code == 401
            r = await oauth.refresh(app, tokens["refresh_token"])
            _assert_oauth_error(r, "Invalid grant: refresh_token is invalid", "invalid_grant")
    assert [(req.method, str(req.url)) for req in seen] == [("DELETE", REDIRECT_URI)] * 2
    expected_auth = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    payloads = []
    for req in seen:
        assert req.headers["authorization"] == f"Basic {expected_auth}"
        assert req.headers["content-type"] == "application/json"
        payloads.append(json.loads(req.content))
    assert {p["user_id"] for p in payloads} == {admin_id, rep.id}
    for p in payloads:
        assert p["client_id"] == app["client_id"] and p["company_id"] == company["company_id"]
        assert p["timestamp"] == pytest.approx(sandbox.clock.now(), abs=5)
