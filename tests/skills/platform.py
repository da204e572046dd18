"""An agent platform over the in-process sandbox: a Bridge with one CRM connected as ``default`` and an
agent with the pack installed, plus helpers to look at the CRM directly (not through the skills)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from crmbridge import Bridge, ToolResult
from crmbridge.engine import RetryPolicy
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox

PROVIDERS = ("hubspot", "pipedrive")


class RecordingTransport(httpx.AsyncBaseTransport):
    """The sandbox, with each write request slowed by ``delay`` seconds and its (start, end) recorded."""

    def __init__(self, inner: httpx.AsyncBaseTransport, delay: float = 0.0) -> None:
        self.inner = inner
        self.delay = delay
        self.writes: list[tuple[float, float, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        is_write = request.method in ("POST", "PATCH", "PUT", "DELETE") and not path.endswith(
            ("/search", "/batch/read")
        )
        start = time.monotonic()
        if is_write and self.delay:
            await asyncio.sleep(self.delay)
        response = await self.inner.handle_async_request(request)
        if is_write:
            self.writes.append((start, time.monotonic(), f"{request.method} {path}"))
        return response


@dataclass
class Platform:
    bridge: Bridge
    provider: str
    credentials: dict[str, str]
    transport: RecordingTransport
    crm: Any = None  # the sandbox's portal or company, to change its configuration behind the CRM API
    agent_id: str = ""
    extra: list[Bridge] = field(default_factory=list)

    @property
    def agents(self) -> Any:
        return self.bridge.agents

    def run(self, tool: str, args: dict[str, Any]) -> ToolResult:
        """A catalog tool on the account, bypassing the skills (to set up or inspect the CRM)."""
        return self.bridge.execute_tool(identifier="default", tool_name=tool, tool_input=args)

    def add_contact(self, phone: str, name: str = "Ann Example", email: str | None = None) -> str:
        if self.provider == "hubspot":
            first, _, last = name.partition(" ")
            props = {"phone": phone, "firstname": first, "lastname": last}
            if email:
                props["email"] = email
            result = self.run("hubspot_record_create", {"entity": "contacts", "properties": props})
        else:
            person: dict[str, Any] = {"name": name, "phone": [phone]}
            if email:
                person["email"] = [email]
            result = self.run("pipedrive_person_create", person)
        assert result.ok, result.error
        return str(result.data["id"])

    def contacts_ending(self, tail: str) -> list[dict[str, Any]]:
        """Every contact whose phone text ends with ``tail`` digits (over-inclusive, as stored)."""
        if self.provider == "hubspot":
            result = self.run(
                "hubspot_contacts_search",
                {
                    "filterGroups": [
                        {
                            "filters": [
                                {"propertyName": "phone", "operator": "CONTAINS_TOKEN", "value": f"*{tail}"}
                            ]
                        }
                    ],
                    "properties": ["phone"],
                    "limit": 100,
                },
            )
        else:
            result = self.run("pipedrive_persons_search", {"term": tail, "limit": 500})
        assert result.ok, result.error
        return list(result.data["results"])

    def execute(self, name: str, args: dict[str, Any], **options: Any) -> ToolResult:
        return self.bridge.agents.execute(self.agent_id, name, args, **options)

    def confirmed(self, name: str, args: dict[str, Any], **options: Any) -> ToolResult:
        """Ask, then confirm with the token the first answer carried."""
        first = self.execute(name, args, **options)
        assert not first.ok and first.error is not None and first.error.code == "confirmation_required", first
        return self.execute(name, args, confirmation=first.error.details["confirmation"], **options)

    def close(self) -> None:
        for bridge in [self.bridge, *self.extra]:
            bridge.close()


def new_bridge(
    sandbox: Sandbox,
    tmp_path: Path,
    transport: httpx.AsyncBaseTransport,
    database_url: str | None = None,
    rate_limit_scale: float = 1.0,
) -> Bridge:
    """``rate_limit_scale``: the CRMs' rate-limit windows as scaled in the sandbox (``rate_window_scale``)."""
    return Bridge(
        database_url=database_url or f"sqlite:///{tmp_path}/bridge.db",
        data_dir=tmp_path,
        transport=transport,
        retry=RetryPolicy(max_attempts=3, base_delay=0.005, max_delay=0.02),
        vault=Vault.from_string(VAULT_KEY),
        entry_points=False,
        rate_limit_scale=rate_limit_scale,
    )


VAULT_KEY = Vault.generate_key()


def credentials(sandbox: Sandbox, provider: str) -> tuple[dict[str, str], Any]:
    """The API key of a new seeded portal or company, and the sandbox's object for it."""
    if provider == "hubspot":
        portal = sandbox.hubspot.create_portal(seed_value=7)
        return {"api_key": portal.private_app_token}, portal
    company, token = sandbox.pipedrive.create_company(seed_value=7)
    return {"api_key": token}, company


def platform(
    sandbox: Sandbox,
    tmp_path: Path,
    provider: str,
    *,
    connect: bool = True,
    agent: bool = True,
    delay: float = 0.0,
    database_url: str | None = None,
    rate_limit_scale: float = 1.0,
) -> Platform:
    transport = RecordingTransport(sandbox.transport(), delay)
    bridge = new_bridge(sandbox, tmp_path, transport, database_url, rate_limit_scale)
    bridge.add_connection(provider, provider=provider, base_url=f"http://sandbox/{provider}")
    keys, crm = credentials(sandbox, provider)
    made = Platform(bridge, provider, keys, transport, crm=crm)
    if agent:
        made.agent_id = bridge.agents.create_agent("Front desk")["id"]
    if connect:
        connect_default(made)
    return made


def connect_default(made: Platform) -> None:
    made.bridge.connect_api_key(
        connection_name=made.provider, identifier="default", api_key=made.credentials["api_key"]
    )
