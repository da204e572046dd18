"""Run tools against the in-process sandbox exactly as the product does, and look at CRM state directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from crmbridge.auth import ApiKeyAuth
from crmbridge.engine import CallTarget, Engine, HttpCore, RetryPolicy, ToolResult
from crmbridge.providers import default_catalog
from crmbridge_sandbox import Sandbox

FAST_RETRIES = RetryPolicy(max_attempts=5, base_delay=0.005, max_delay=0.05)


def make_engine(sandbox: Sandbox, **http: Any) -> Engine:
    http.setdefault("retry", FAST_RETRIES)
    # The sandbox indexes new records at once: no need to wait out HubSpot's search lag on re-checks.
    return Engine(default_catalog(), http=HttpCore(transport=sandbox.transport(), **http), index_lag=0.0)


@dataclass
class Account:
    """One connected CRM account in the sandbox: call tools with ``call``, inspect state with ``crm``."""

    engine: Engine
    target: CallTarget
    crm: httpx.AsyncClient  # already authenticated, base URL = the provider API root
    info: dict[str, Any]

    async def call(self, tool: str, tool_input: Any = None, **kw: Any) -> ToolResult:
        return await self.engine.execute_named(tool, tool_input or {}, self.target, **kw)

    async def ok(self, tool: str, tool_input: Any = None) -> Any:
        result = await self.call(tool, tool_input)
        assert result.ok, result.error
        return result.data

    async def aclose(self) -> None:
        await self.crm.aclose()
        await self.engine.aclose()


async def hubspot_account(
    sandbox: Sandbox, client: httpx.AsyncClient, rate_limit_scale: float = 1.0, **portal: Any
) -> Account:
    r = await client.post("/_sandbox/hubspot/portals", json={"seed": 7, **portal})
    assert r.status_code == 201, r.text
    info = r.json()
    token = info["private_app_token"]
    target = CallTarget(
        account_key=f"hubspot:{info['portal_id']}", base_url=info["base_url"], auth=ApiKeyAuth(token)
    )
    crm = httpx.AsyncClient(
        transport=sandbox.transport(), base_url=info["base_url"], headers={"Authorization": f"Bearer {token}"}
    )
    return Account(make_engine(sandbox, rate_limit_scale=rate_limit_scale), target, crm, info)


async def pipedrive_account(
    sandbox: Sandbox, client: httpx.AsyncClient, rate_limit_scale: float = 1.0, **company: Any
) -> Account:
    r = await client.post("/_sandbox/pipedrive/companies", json={"seed": 7, **company})
    assert r.status_code == 201, r.text
    info = r.json()
    token = info["api_token"]
    target = CallTarget(
        account_key=f"pipedrive:{info['company_id']}",
        base_url=info["api_domain"],
        auth=ApiKeyAuth(token, header="x-api-token", prefix=""),
    )
    crm = httpx.AsyncClient(
        transport=sandbox.transport(), base_url=info["api_domain"], headers={"x-api-token": token}
    )
    return Account(make_engine(sandbox, rate_limit_scale=rate_limit_scale), target, crm, info)
