"""OAuth test set-up shared by the core tests: a sandbox with both OAuth servers, a Bridge on SQLite whose
clock follows the sandbox clock, and helpers that click through the consent pages like a browser."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from crmbridge import Bridge
from crmbridge.engine import RetryPolicy
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox, SandboxClock

ROOT = "http://sandbox"
HS_REDIRECT = "https://app.example/oauth/hubspot/callback"
PD_REDIRECT = "https://app.example/oauth/pipedrive/callback"
CONTACTS = ["crm.objects.contacts.read", "crm.objects.contacts.write"]
FAST_RETRIES = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=1.0)
TOKEN_PATHS = {"hubspot": "/oauth/v1/token", "pipedrive": "/oauth/token"}


def new_sandbox() -> Sandbox:
    return Sandbox(clock=SandboxClock(), rate_window_scale=0.05)


def new_bridge(sandbox: Sandbox, tmp_path: Path, name: str = "bridge.db", **kwargs: Any) -> Bridge:
    kwargs.setdefault("vault", Vault.from_string(Vault.generate_key()))
    return Bridge(
        database_url=f"sqlite:///{tmp_path / name}",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        clock=sandbox.clock.now,
        retry=FAST_RETRIES,
        rate_limit_scale=0.05,  # matches new_sandbox()
        index_lag=0.0,
        **kwargs,
    )


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def add_app_connection(
    bridge: Bridge, name: str, provider: str, app: dict[str, Any], root: str, redirect: str, **options: Any
) -> None:
    """Add the app registered in the sandbox at ``root`` to ``bridge`` as connection ``name``."""
    bridge.add_connection(
        name,
        provider=provider,
        base_url=f"{root}/{provider}",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        redirect_uri=redirect,
        authorize_url=app["authorize_url"],
        token_url=app["token_url"],
        **options,
    )


def add_served_hubspot(
    bridge: Bridge, control: httpx.Client, root: str, redirect: str, scopes: list[str]
) -> dict[str, Any]:
    """For a sandbox served on ``root`` (``serve_in_thread``): register a HubSpot app requiring ``scopes``
    and add it to ``bridge`` as the connection ``hubspot``; returns the app."""
    app: dict[str, Any] = control.post(
        "/_sandbox/hubspot/apps", json={"redirect_uri": redirect, "required_scopes": scopes}
    ).json()
    add_app_connection(bridge, "hubspot", "hubspot", app, root, redirect, scopes=scopes)
    return app


@dataclass
class OAuthEnv:
    """One sandbox, one Bridge, and the apps registered in the sandbox for each provider."""

    sandbox: Sandbox
    bridge: Bridge
    client: httpx.AsyncClient
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)

    # -- sandbox control -----------------------------------------------------------------------

    async def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        r = await self.client.post(path, json=body or {})
        assert r.status_code in (200, 201), r.text
        data: dict[str, Any] = r.json()
        return data

    async def portal(self, contacts: int = 3) -> dict[str, Any]:
        return await self.control("/_sandbox/hubspot/portals", {"contacts": contacts, "seed": 5})

    async def company(self) -> dict[str, Any]:
        return await self.control("/_sandbox/pipedrive/companies", {"seed": 5, "deals": 3, "persons": 2})

    async def advance(self, seconds: float) -> None:
        await self.control("/_sandbox/clock", {"advance_seconds": seconds})

    def log(self, provider: str, path_prefix: str | None = None) -> list[Any]:
        return self.sandbox.ctx.log.query(provider=provider, path_prefix=path_prefix)

    def token_requests(self, provider: str) -> list[Any]:
        return self.log(provider, TOKEN_PATHS[provider])

    async def contact_ids(self, portal: dict[str, Any]) -> list[str]:
        headers = {"Authorization": f"Bearer {portal['private_app_token']}"}
        r = await self.client.get("/hubspot/crm/v3/objects/contacts", headers=headers)
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["results"]]

    # -- connections ---------------------------------------------------------------------------

    async def hubspot_connection(
        self,
        name: str = "hubspot",
        required: list[str] | None = None,
        optional: list[str] | None = None,
        connection_scopes: list[str] | None = None,
    ) -> dict[str, Any]:
        body = {"redirect_uri": HS_REDIRECT, "required_scopes": required or CONTACTS}
        body["optional_scopes"] = optional or []
        app = await self.control("/_sandbox/hubspot/apps", body)
        scopes = connection_scopes or required or CONTACTS
        add_app_connection(
            self.bridge,
            name,
            "hubspot",
            app,
            ROOT,
            HS_REDIRECT,
            scopes=scopes,
            optional_scopes=optional or [],
        )
        self.apps[name] = app
        return app

    async def pipedrive_connection(
        self, name: str = "pipedrive", scopes: list[str] | None = None
    ) -> dict[str, Any]:
        body = {"redirect_uri": PD_REDIRECT, "scopes": scopes or ["deals:full", "contacts:read"]}
        app = await self.control("/_sandbox/pipedrive/apps", body)
        add_app_connection(self.bridge, name, "pipedrive", app, ROOT, PD_REDIRECT)
        self.apps[name] = app
        return app

    # -- consent -------------------------------------------------------------------------------

    async def consent(self, link: str, form: dict[str, str]) -> dict[str, str]:
        """GET the consent page, POST its form with Grant; return the redirect's query (code, state)."""
        page = await self.client.get(link)
        assert page.status_code == 200, page.text
        action = re.search(r'<form method="post" action="([^"]*)"', page.text)
        assert action, page.text
        target = action.group(1).replace("&amp;", "&")
        if target.startswith("?"):
            target = urlsplit(link).path + target
        r = await self.client.post(target, data={"decision": "grant", **form})
        assert r.status_code == 302, r.text
        return query_of(r.headers["location"])

    async def connect_hubspot(self, identifier: str, portal: dict[str, Any], name: str = "hubspot") -> Any:
        link = await self.bridge.aget_authorization_link(connection_name=name, identifier=identifier)
        query = await self.consent(link, {"portal_id": str(portal["portal_id"])})
        return await self.bridge.acomplete_authorization(
            code=query["code"], state=query["state"], identifier=identifier
        )

    async def connect_pipedrive(
        self, identifier: str, company: dict[str, Any], name: str = "pipedrive"
    ) -> Any:
        link = await self.bridge.aget_authorization_link(connection_name=name, identifier=identifier)
        query = await self.consent(link, {"company_id": str(company["company_id"])})
        return await self.bridge.acomplete_authorization(
            code=query["code"], state=query["state"], identifier=identifier
        )

    async def close(self) -> None:
        await self.bridge.aclose()
        self.bridge.close()
