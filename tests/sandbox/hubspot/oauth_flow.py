"""HubSpot OAuth helpers: register an app, walk the consent page, exchange the code, refresh, install."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

REDIRECT_URI = "https://app.example/oauth/callback"
CONTACTS = ["crm.objects.contacts.read", "crm.objects.contacts.write"]
CONTACTS_PATH = "/hubspot/crm/v3/objects/contacts"


async def register_app(
    client: httpx.AsyncClient,
    required: list[str] | None = None,
    optional: list[str] | None = None,
    redirect_uri: str = REDIRECT_URI,
) -> dict[str, Any]:
    body = {
        "redirect_uri": redirect_uri,
        "required_scopes": CONTACTS if required is None else required,
        "optional_scopes": optional or [],
    }
    r = await client.post("/_sandbox/hubspot/apps", json=body)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    data["redirect_uri"] = redirect_uri
    data["required"] = body["required_scopes"]
    data["optional"] = body["optional_scopes"]
    return data


async def create_portal(client: httpx.AsyncClient, tier: str = "starter") -> dict[str, Any]:
    r = await client.post("/_sandbox/hubspot/portals", json={"tier": tier, "contacts": 3})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def authorize_path(app: dict[str, Any], **overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "client_id": app["client_id"],
        "redirect_uri": app["redirect_uri"],
        "scope": " ".join(app["required"]),
        "optional_scope": " ".join(app["optional"]) or None,
        "state": "st-123",
    }
    params.update(overrides)
    return "/hubspot/oauth/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def redirect_params(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """Where a 302 from the consent page points, and its query parameters."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    parts = urlsplit(location)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return base, {k: v[0] for k, v in parse_qs(parts.query).items()}


def selected_portal(page: str) -> str:
    match = re.search(r'<option value="(\d+)" selected>', page)
    assert match, page
    return match.group(1)


async def grant(
    client: httpx.AsyncClient, app: dict[str, Any], portal_id: int | None = None, **overrides: str | None
) -> str:
    """Walk the consent page like a browser: GET it, POST the form's action with Grant; return the code."""
    page = await client.get(authorize_path(app, **overrides))
    assert page.status_code == 200, page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action
    form = {"decision": "grant", "portal_id": str(portal_id or selected_portal(page.text))}
    r = await client.post(action.group(1).replace("&amp;", "&"), data=form)
    base, params = redirect_params(r)
    assert base == app["redirect_uri"]
    assert params["state"] == overrides.get("state", "st-123")
    return params["code"]


async def exchange(
    client: httpx.AsyncClient, app: dict[str, Any], code: str, version: str = "v1"
) -> httpx.Response:
    return await client.post(
        f"/hubspot/oauth/{version}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app["redirect_uri"],
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )


async def refresh(
    client: httpx.AsyncClient, app: dict[str, Any], token: str, version: str = "v1"
) -> httpx.Response:
    return await client.post(
        f"/hubspot/oauth/{version}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )


async def install(
    client: httpx.AsyncClient, app: dict[str, Any], portal_id: int | None = None
) -> dict[str, Any]:
    """Consent + code exchange: the token response as JSON."""
    code = await grant(client, app, portal_id)
    r = await exchange(client, app, code)
    assert r.status_code == 200, r.text
    tokens: dict[str, Any] = r.json()
    return tokens
