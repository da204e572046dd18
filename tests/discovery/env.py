"""One Bridge with a HubSpot portal (custom object ``cars``, a "Renewal date" company property) and a
Pipedrive company, both in the test's in-process sandbox, discovered once per test that asks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from crmbridge import Bridge
from crmbridge.discovery import Discovered
from crmbridge.engine import RetryPolicy
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox

USER = "user_1"
RENEWAL = {"name": "renewal_date", "label": "Renewal date", "type": "date", "fieldType": "date",
           "groupName": "companyinformation", "description": "When the contract renews."}  # fmt: skip


@dataclass
class Env:
    sandbox: Sandbox
    bridge: Bridge
    hubspot_token: str
    pipedrive_token: str
    pipedrive_domain: str

    def hubspot(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """The portal directly (set-up and checks), not through crmbridge."""
        with httpx.Client(transport=_SyncBridge(self.sandbox), base_url="http://sandbox/hubspot") as c:
            return c.request(method, path, headers={"Authorization": f"Bearer {self.hubspot_token}"}, **kw)

    def pipedrive(self, method: str, path: str, **kw: Any) -> httpx.Response:
        with httpx.Client(transport=_SyncBridge(self.sandbox), base_url=self.pipedrive_domain) as c:
            return c.request(method, path, headers={"x-api-token": self.pipedrive_token}, **kw)

    def discover(self, connection: str) -> Discovered:
        result: Discovered = self.bridge.runtime.run(self.bridge.discovery.adiscover(connection, USER))
        return result

    def run(self, coro: Any) -> Any:
        return self.bridge.runtime.run(coro)


class _SyncBridge(httpx.BaseTransport):
    """The sandbox's ASGI app from synchronous test code (its own short-lived loop per request)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=self.sandbox.transport()) as client:
                r = await client.send(request)
                await r.aread()
                return r

        response = asyncio.run(go())
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)


def make_env(tmp_path: Path) -> Iterator[Env]:
    sandbox = Sandbox()
    portal = sandbox.hubspot.create_portal(seed_value=7, contacts=30, companies=10, deals=15)
    company, pd_token = sandbox.pipedrive.create_company(seed_value=7, persons=20, organizations=8, deals=12)
    domain = f"http://sandbox/pipedrive/{company.domain}"
    bridge = Bridge(
        database_url=f"sqlite:///{tmp_path}/bridge.db",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        retry=RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.01),
        vault=Vault.from_string(Vault.generate_key()),
        index_lag=0,
    )
    bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
    bridge.connect_api_key(connection_name="hubspot", identifier=USER, api_key=portal.private_app_token)
    bridge.add_connection("pipedrive", provider="pipedrive")
    bridge.connect_api_key(connection_name="pipedrive", identifier=USER, api_key=pd_token, api_domain=domain)
    env = Env(sandbox, bridge, portal.private_app_token, pd_token, domain)
    r = env.hubspot("POST", "/crm/v3/properties/companies", json=RENEWAL)
    assert r.status_code == 201, r.text
    try:
        yield env
    finally:
        bridge.close()
