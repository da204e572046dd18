"""The service under test: the FastAPI app over a Runtime whose HTTP goes to an in-process sandbox, a
tenant with an all-scopes key, and helpers to configure integrations and click through consent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI

from crmbridge.core.runtime import Runtime
from crmbridge.core.tenants import SCOPES, Tenants
from crmbridge.server import ServiceSettings, create_app
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox
from tests.core.oauth_env import FAST_RETRIES, new_sandbox, query_of
from tests.durable.dbosutil import shared_runner

PUBLIC = "http://crmbridge.test"
SANDBOX = "http://sandbox"


def new_runtime(sandbox: Sandbox, tmp_path: Path, **options: Any) -> Runtime:
    options.setdefault("database_url", f"sqlite:///{tmp_path / 'service.db'}")
    options.setdefault("vault", Vault.from_string(Vault.generate_key()))
    return Runtime(
        data_dir=tmp_path,
        transport=sandbox.transport(),
        clock=sandbox.clock.now,
        retry=FAST_RETRIES,
        rate_limit_scale=0.05,
        index_lag=0.0,
        entry_points=False,
        **options,
    )


@dataclass
class ServiceEnv:
    sandbox: Sandbox
    runtime: Runtime
    app: FastAPI
    api: httpx.AsyncClient
    crm: httpx.AsyncClient
    tenants: Tenants
    key: str = ""
    keys: dict[str, str] = field(default_factory=dict)

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.key}"}

    def new_key(self, tenant: str = "acme", scopes: Any = SCOPES, **options: Any) -> str:
        if self.runtime.store.tenants.get(tenant) is None:
            self.tenants.create(tenant)
        return self.tenants.create_key(tenant, scopes, **options)[1]

    async def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        r = await self.crm.post(path, json=body or {})
        assert r.status_code in (200, 201), r.text
        data: dict[str, Any] = r.json()
        return data

    async def hubspot_oauth(self, key: str | None = None, scopes: list[str] | None = None) -> dict[str, Any]:
        """Register a sandbox HubSpot app redirecting to the service and configure it as `hubspot`."""
        scopes = scopes or ["crm.objects.contacts.read", "crm.objects.contacts.write"]
        app = await self.control(
            "/_sandbox/hubspot/apps", {"redirect_uri": f"{PUBLIC}/oauth/callback", "required_scopes": scopes}
        )
        r = await self.api.put(
            "/integrations/hubspot",
            headers=self.headers(key),
            json={
                "provider": "hubspot",
                "clientId": app["client_id"],
                "clientSecret": app["client_secret"],
                "scopes": scopes,
                "authorizeUrl": app["authorize_url"],
                "tokenUrl": app["token_url"],
                "baseUrl": f"{SANDBOX}/hubspot",
            },
        )
        assert r.status_code == 200, r.text
        return app

    async def pipedrive_api_key(self, key: str | None = None, identifier: str = "u1") -> dict[str, Any]:
        """Configure `pipedrive` in API-key mode against the sandbox and connect `identifier`."""
        company = await self.control("/_sandbox/pipedrive/companies", {"seed": 5, "deals": 3, "persons": 2})
        r = await self.api.put(
            "/integrations/pipedrive",
            headers=self.headers(key),
            json={"auth": "api_key", "baseUrl": f"{SANDBOX}/pipedrive"},
        )
        assert r.status_code == 200, r.text
        r = await self.api.post(
            "/integrations/pipedrive/connect",
            headers=self.headers(key),
            json={"identifier": identifier, "apiKey": company["api_token"]},
        )
        assert r.status_code == 200, r.text
        return company

    async def consent(self, oauth_url: str, form: dict[str, str]) -> httpx.Response:
        """Act as the browser: open oauthUrl (the service sets its cookie and redirects to the CRM), grant
        on the consent page, and follow the CRM's redirect back to the service's callback."""
        begin = await self.api.get(oauth_url.removeprefix(PUBLIC))
        assert begin.status_code == 302, begin.text
        consent_url = begin.headers["location"]
        page = await self.crm.get(consent_url)
        assert page.status_code == 200, page.text
        action = re.search(r'<form method="post" action="([^"]*)"', page.text)
        assert action, page.text
        target = action.group(1).replace("&amp;", "&")
        if target.startswith("?"):
            target = urlsplit(consent_url).path + target
        granted = await self.crm.post(target, data={"decision": "grant", **form})
        assert granted.status_code == 302, granted.text
        back = urlsplit(granted.headers["location"])
        return await self.api.get(f"{back.path}?{back.query}")


def callback_query(url: str) -> dict[str, str]:
    return query_of(url)


async def build_env(
    tmp_path: Path, *, settings: ServiceSettings | None = None, durable: Any = None, **runtime_options: Any
) -> ServiceEnv:
    sandbox = new_sandbox()
    runtime = new_runtime(sandbox, tmp_path, **runtime_options)
    # Webhook deliveries stay in-process (a receiver that says 204), on the one DBOS of the test process.
    settings = settings or ServiceSettings(
        public_url=PUBLIC,
        refresh_interval=0,
        webhook_transport=httpx.MockTransport(lambda _: httpx.Response(204)),
    )
    app = create_app(runtime, settings, durable=durable or shared_runner())
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC)
    crm = sandbox.client()
    env = ServiceEnv(sandbox, runtime, app, api, crm, app.state.service.tenants)
    env.key = env.new_key("acme")
    return env


WEBHOOK = {"url": "https://hooks.example/crm", "events": ["account.status_changed"]}


async def close_env(env: ServiceEnv) -> None:
    await env.api.aclose()
    await env.crm.aclose()
    await env.runtime.aclose()
