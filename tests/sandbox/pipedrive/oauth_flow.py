"""Pipedrive OAuth helpers: register an app and walk the consent page → code → token exchange."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

REDIRECT_URI = "https://app.example/pipedrive/callback"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def basic(client_id: str, client_secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {"authorization": f"Basic {token}"}


class OAuthFlow:
    """Drives the sandbox's Pipedrive OAuth server the way a browser and an app backend would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def register(
        self, scopes: list[str] | None = None, redirect_uri: str = REDIRECT_URI
    ) -> dict[str, Any]:
        r = await self.client.post(
            "/_sandbox/pipedrive/apps",
            json={"redirect_uri": redirect_uri, "scopes": scopes or ["deals:full", "users:read"]},
        )
        assert r.status_code == 201, r.text
        app: dict[str, Any] = r.json()
        app["redirect_uri"] = redirect_uri
        app["basic"] = basic(app["client_id"], app["client_secret"])
        return app

    async def consent(
        self, app: dict[str, Any], form: dict[str, str], state: str | None = "st-1"
    ) -> httpx.Response:
        params = {"client_id": app["client_id"], "redirect_uri": app["redirect_uri"]}
        if state is not None:
            params["state"] = state
        return await self.client.post("/pipedrive/oauth/authorize", params=params, data=form)

    async def code(self, app: dict[str, Any], **form: str) -> str:
        r = await self.consent(app, {"decision": "grant", **form})
        assert r.status_code == 302, r.text
        query = parse_qs(urlsplit(r.headers["location"]).query)
        assert query["state"] == ["st-1"]
        return query["code"][0]

    async def token(self, app: dict[str, Any], data: dict[str, str], **kwargs: Any) -> httpx.Response:
        headers = {**FORM, **app["basic"], **kwargs.pop("headers", {})}
        return await self.client.post("/pipedrive/oauth/token", data=data, headers=headers, **kwargs)

    async def install(self, app: dict[str, Any], **form: str) -> dict[str, Any]:
        """Consent + code exchange; the token response plus ready-made Bearer headers."""
        code = await self.code(app, **form)
        r = await self.token(
            app, {"grant_type": "authorization_code", "code": code, "redirect_uri": app["redirect_uri"]}
        )
        assert r.status_code == 200, r.text
        tokens: dict[str, Any] = r.json()
        tokens["headers"] = {"authorization": f"Bearer {tokens['access_token']}"}
        return tokens

    async def refresh(self, app: dict[str, Any], refresh_token: str) -> httpx.Response:
        return await self.token(app, {"grant_type": "refresh_token", "refresh_token": refresh_token})
