"""HubSpot's OAuth flow driven by the official SDK: auth URL, consent, code exchange, refresh, introspection."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hubspot import HubSpot
from hubspot.crm.companies.exceptions import ForbiddenException
from hubspot.crm.contacts import CollectionResponseSimplePublicObjectWithAssociationsForwardPaging
from hubspot.crm.contacts.exceptions import UnauthorizedException
from hubspot.oauth import AccessTokenInfoResponse, RefreshTokenInfoResponse, TokenResponseIF
from hubspot.oauth.exceptions import ApiException as OAuthApiException
from hubspot.utils import oauth as hs_oauth

from ...live import LiveSandbox

pytestmark = pytest.mark.network

REDIRECT = "https://app.example.com/oauth/hubspot/callback"
REQUIRED = ["crm.objects.contacts.read", "crm.objects.contacts.write"]
OPTIONAL = ["crm.objects.deals.read"]


@pytest.fixture
def hs_app(live_sandbox: LiveSandbox) -> dict[str, Any]:
    r = live_sandbox.control.post(
        "/_sandbox/hubspot/apps",
        json={"redirect_uri": REDIRECT, "required_scopes": REQUIRED, "optional_scopes": OPTIONAL},
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    assert data["authorize_url"] == f"{live_sandbox.root}/hubspot/oauth/authorize"
    return data


def _sdk(live_sandbox: LiveSandbox, token: str | None = None) -> HubSpot:
    return HubSpot(access_token=token, host=f"{live_sandbox.root}/hubspot")


def _grant(live_sandbox: LiveSandbox, app: dict[str, Any], portal_id: int, state: str = "xyz-123") -> str:
    url = (
        f"{app['authorize_url']}?client_id={app['client_id']}&redirect_uri={REDIRECT}"
        f"&scope={'%20'.join(REQUIRED)}&optional_scope={'%20'.join(OPTIONAL)}&state={state}"
    )
    query = live_sandbox.consent(url, {"portal_id": str(portal_id)})
    assert query.get("state") == state
    assert "code" in query, query
    return query["code"]


def _exchange(live_sandbox: LiveSandbox, app: dict[str, Any], code: str) -> TokenResponseIF:
    return _sdk(live_sandbox).oauth.tokens_api.create(
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    )


def test_sdk_oauth_configuration_uses_the_given_host(live_sandbox: LiveSandbox) -> None:
    api = _sdk(live_sandbox).oauth.tokens_api
    assert api.api_client.configuration.host == f"{live_sandbox.root}/hubspot"
    crm = _sdk(live_sandbox, "pat").crm.contacts.basic_api
    assert crm.api_client.configuration.host == f"{live_sandbox.root}/hubspot"


def test_code_exchange_refresh_and_introspection(
    live_sandbox: LiveSandbox, hs_app: dict[str, Any], hs_portal: dict[str, Any]
) -> None:
    portal_id = hs_portal["portal_id"]
    code = _grant(live_sandbox, hs_app, portal_id)
    tokens = _exchange(live_sandbox, hs_app, code)
    assert isinstance(tokens, TokenResponseIF)
    assert tokens.token_type.lower() == "bearer"
    assert 0 < tokens.expires_in <= 1800
    assert tokens.access_token and tokens.refresh_token

    # The access token works against the CRM API through the SDK.
    page = _sdk(live_sandbox, tokens.access_token).crm.contacts.basic_api.get_page(limit=1)
    assert isinstance(page, CollectionResponseSimplePublicObjectWithAssociationsForwardPaging)

    info = _sdk(live_sandbox).oauth.access_tokens_api.get(tokens.access_token)
    assert isinstance(info, AccessTokenInfoResponse)
    assert info.hub_id == portal_id
    assert info.token == tokens.access_token
    assert info.app_id == hs_app["app_id"]
    assert set(REQUIRED) <= set(info.scopes)
    assert 0 < info.expires_in <= 1800

    rinfo = _sdk(live_sandbox).oauth.refresh_tokens_api.get(tokens.refresh_token)
    assert isinstance(rinfo, RefreshTokenInfoResponse)
    assert rinfo.client_id == hs_app["client_id"]
    assert rinfo.hub_id == portal_id and rinfo.token == tokens.refresh_token
    assert set(REQUIRED) <= set(rinfo.scopes)

    refreshed = _sdk(live_sandbox).oauth.tokens_api.create(
        grant_type="refresh_token",
        refresh_token=tokens.refresh_token,
        client_id=hs_app["client_id"],
        client_secret=hs_app["client_secret"],
    )
    assert isinstance(refreshed, TokenResponseIF)
    assert refreshed.access_token != tokens.access_token
    assert refreshed.refresh_token
    again = _sdk(live_sandbox).oauth.access_tokens_api.get(refreshed.access_token)
    assert again.hub_id == portal_id
    _sdk(live_sandbox, refreshed.access_token).crm.contacts.basic_api.get_page(limit=1)


def test_authorization_code_is_single_use(
    live_sandbox: LiveSandbox, hs_app: dict[str, Any], hs_portal: dict[str, Any]
) -> None:
    code = _grant(live_sandbox, hs_app, hs_portal["portal_id"])
    _exchange(live_sandbox, hs_app, code)
    with pytest.raises(OAuthApiException) as exc:
        _exchange(live_sandbox, hs_app, code)
    assert exc.value.status == 400
    assert json.loads(exc.value.body)["status"] == "BAD_AUTH_CODE"


def test_deleted_refresh_token_cannot_refresh(
    live_sandbox: LiveSandbox, hs_app: dict[str, Any], hs_portal: dict[str, Any]
) -> None:
    tokens = _exchange(live_sandbox, hs_app, _grant(live_sandbox, hs_app, hs_portal["portal_id"]))
    assert _sdk(live_sandbox).oauth.refresh_tokens_api.archive(tokens.refresh_token) is None
    with pytest.raises(OAuthApiException) as exc:
        _sdk(live_sandbox).oauth.tokens_api.create(
            grant_type="refresh_token",
            refresh_token=tokens.refresh_token,
            client_id=hs_app["client_id"],
            client_secret=hs_app["client_secret"],
        )
    assert exc.value.status == 400
    assert json.loads(exc.value.body)["status"] == "BAD_REFRESH_TOKEN"
    # Deleting the refresh token leaves minted access tokens valid.
    _sdk(live_sandbox, tokens.access_token).crm.contacts.basic_api.get_page(limit=1)


def test_get_auth_url_is_accepted_by_the_sandbox(
    live_sandbox: LiveSandbox,
    hs_app: dict[str, Any],
    hs_portal: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hs_oauth, "AUTHORIZE_URL", hs_app["authorize_url"])
    url = hs_oauth.get_auth_url(
        hs_app["client_id"], REDIRECT, scope=tuple(REQUIRED), optional_scope=tuple(OPTIONAL), state="s t/1"
    )
    assert url.startswith(hs_app["authorize_url"] + "?")
    assert "%20" in url  # scopes are space-joined and quoted, as HubSpot expects
    query = live_sandbox.consent(url, {"portal_id": str(hs_portal["portal_id"])})
    assert query["state"] == "s t/1"
    tokens = _exchange(live_sandbox, hs_app, query["code"])
    info = _sdk(live_sandbox).oauth.access_tokens_api.get(tokens.access_token)
    assert info.hub_id == hs_portal["portal_id"]


def test_denied_consent_redirects_with_error(live_sandbox: LiveSandbox, hs_app: dict[str, Any]) -> None:
    url = hs_oauth.get_auth_url(hs_app["client_id"], REDIRECT, scope=tuple(REQUIRED), state="st")
    url = url.replace(hs_oauth.AUTHORIZE_URL, hs_app["authorize_url"])
    denied = live_sandbox.control.post(url, data={"decision": "deny"})
    assert denied.status_code == 302
    location = denied.headers["location"]
    assert location.startswith(REDIRECT)
    query = parse_qs(urlsplit(location).query)
    assert "error" in query and "code" not in query
    assert query["state"] == ["st"]


def test_access_token_is_limited_to_its_scopes(
    live_sandbox: LiveSandbox, hs_app: dict[str, Any], hs_portal: dict[str, Any]
) -> None:
    tokens = _exchange(live_sandbox, hs_app, _grant(live_sandbox, hs_app, hs_portal["portal_id"]))
    with pytest.raises(ForbiddenException) as exc:
        _sdk(live_sandbox, tokens.access_token).crm.companies.basic_api.get_page(limit=1)
    assert exc.value.status == 403
    body = json.loads(exc.value.body)
    assert body["category"] == "MISSING_SCOPES"
    assert body["status"] == "error" and body["correlationId"]


def test_expired_access_token_then_refresh(
    live_sandbox: LiveSandbox, hs_app: dict[str, Any], hs_portal: dict[str, Any]
) -> None:
    tokens = _exchange(live_sandbox, hs_app, _grant(live_sandbox, hs_app, hs_portal["portal_id"]))
    r = live_sandbox.control.post("/_sandbox/clock", json={"advance_seconds": tokens.expires_in + 1})
    assert r.status_code == 200, r.text
    with pytest.raises(UnauthorizedException) as exc:
        _sdk(live_sandbox, tokens.access_token).crm.contacts.basic_api.get_page(limit=1)
    assert json.loads(exc.value.body)["category"] == "EXPIRED_AUTHENTICATION"
    refreshed = _sdk(live_sandbox).oauth.tokens_api.create(
        grant_type="refresh_token",
        refresh_token=tokens.refresh_token,
        client_id=hs_app["client_id"],
        client_secret=hs_app["client_secret"],
    )
    page = _sdk(live_sandbox, refreshed.access_token).crm.contacts.basic_api.get_page(limit=1)
    assert page.results is not None
