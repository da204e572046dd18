"""A Bridge on a seeded sandbox CRM, an agent, and ``Conversations`` on the shared DBOS runner: what the
interaction-logging tests drive, and helpers to look at the CRM directly."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from crmbridge import Bridge
from crmbridge.conversations import Conversations
from crmbridge.durable import DurableRunner
from crmbridge.engine import RetryPolicy
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox

USER = "workspace"


@dataclass
class Env:
    bridge: Bridge
    crm: httpx.Client
    conversations: Conversations
    agent_id: str
    integration: str
    tenant: str
    events: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def start(self, channel: str = "voice", **caller: Any) -> str:
        started = self.bridge.agents.start_conversation(self.agent_id, channel=channel, caller=caller)
        return str(started["id"])

    def end(self, conversation_id: str, **payload: Any) -> dict[str, Any]:
        return self.conversations.end(self.tenant, conversation_id, payload)

    def wait(self, conversation_id: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = self.conversations.status(self.tenant, conversation_id)
            assert status is not None
            if status["status"] != "queued" or time.monotonic() > deadline:
                return status
            time.sleep(0.02)


def build(sandbox: Sandbox, tmp_path: Path, runner: DurableRunner, provider: str) -> Env:
    bridge = Bridge(
        database_url=f"sqlite:///{tmp_path}/bridge.db",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        retry=RetryPolicy(max_attempts=3, base_delay=0.005, max_delay=0.02),
        vault=Vault.from_string(Vault.generate_key()),
    )
    if provider == "hubspot":
        token = sandbox.hubspot.create_portal(seed_value=7, contacts=3).private_app_token
        crm = httpx.Client(transport=_SyncASGI(sandbox), base_url="http://sandbox/hubspot",
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
    else:
        _company, token = sandbox.pipedrive.create_company(seed_value=7, persons=3, deals=0)
        crm = httpx.Client(transport=_SyncASGI(sandbox), base_url="http://sandbox/pipedrive",
                           headers={"x-api-token": token})  # fmt: skip
        bridge.add_connection("pipedrive", provider="pipedrive", base_url="http://sandbox/pipedrive")
    bridge.connect_api_key(connection_name=provider, identifier=USER, api_key=token)
    agent = bridge.agents.create_agent("receptionist", auto_install=False)
    env = Env(bridge, crm, None, agent["id"], provider, bridge.tenant_id)  # type: ignore[arg-type]

    def record(tenant: str, event: str, data: dict[str, Any], key: str) -> None:
        env.events.append((tenant, event, data))

    env.conversations = Conversations(bridge.runtime, runner, on_event=record, backoff=0.01)  # type: ignore[arg-type]
    return env


class _SyncASGI(httpx.BaseTransport):
    """The sandbox's ASGI app for a synchronous client (each request on a fresh event loop)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._transport = sandbox.transport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        async def send() -> httpx.Response:
            response = await self._transport.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=body)

        return asyncio.run(send())
