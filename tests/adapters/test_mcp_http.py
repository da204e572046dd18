"""Streamable HTTP: the MCP app mounted in a small Starlette host whose resolver plays the service (API
key → account), driven by the official client's streamable HTTP transport over an in-process ASGI
transport. Refusals keep the host's status and headers; two keys, two accounts, nothing crosses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import mcp_types as types
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Mount

from crmbridge.adapters.mcp import McpHttpApp, McpTarget, streamable_http_app
from crmbridge.errors import ConfigurationError
from crmbridge_sandbox import Sandbox

from ..bridges import USER, Connected

pytestmark = pytest.mark.anyio

OTHER = "u2"


def _host(hubspot_bridge: Connected, **options: Any) -> tuple[Starlette, McpHttpApp]:
    keys = {"key-a": USER, "key-b": OTHER}

    async def resolve(request: Request) -> McpTarget:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            raise HTTPException(
                401, "An API key is required.", headers={"WWW-Authenticate": 'Bearer realm="mcp"'}
            )
        identifier = keys.get(auth.removeprefix("Bearer "))
        if identifier is None:
            raise HTTPException(403, "This key may not call tools.")
        if request.headers.get("x-crmbridge-integration", "hubspot") != "hubspot":
            raise ConfigurationError("There is no such integration.")
        toolset = hubspot_bridge.bridge.toolset(identifier=identifier, connection_name="hubspot")
        return McpTarget(toolset, scope=f"tenant-1/{identifier}")

    mcp = streamable_http_app(resolve, allowed_hosts=["testserver"], **options)
    return Starlette(routes=[Mount("/mcp", app=mcp)]), mcp


@asynccontextmanager
async def _session(app: Starlette, key: str | None) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with (
        httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app), base_url="http://testserver", headers=headers
        ) as http,
        streamable_http_client("http://testserver/mcp/", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def _data(result: types.CallToolResult) -> dict[str, Any]:
    assert isinstance(result.structured_content, dict)
    return result.structured_content


@pytest.fixture
def second_user(hubspot_bridge: Connected, sandbox: Sandbox) -> None:
    portal = sandbox.hubspot.create_portal(seed_value=9)
    hubspot_bridge.bridge.connect_api_key(
        connection_name="hubspot", identifier=OTHER, api_key=portal.private_app_token
    )


@pytest.mark.usefixtures("second_user")
async def test_two_keys_two_accounts_over_streamable_http(hubspot_bridge: Connected) -> None:
    app, mcp = _host(hubspot_bridge, confirm_writes=True)
    async with mcp.run(), _session(app, "key-a") as a, _session(app, "key-b") as b:
        tools = (await a.list_tools()).tools
        create = next(t for t in tools if t.name == "hubspot_contact_create")
        assert create.annotations is not None and create.annotations.read_only_hint is False
        assert "confirmation_token" in create.input_schema["properties"]

        args = {"email": "http-a@example.com"}
        token = _data(await a.call_tool("hubspot_contact_create", args))["confirmation_token"]
        stolen = await b.call_tool("hubspot_contact_create", {**args, "confirmation_token": token})
        assert stolen.is_error and _data(stolen)["error"]["code"] == "confirmation_invalid"
        token = _data(await a.call_tool("hubspot_contact_create", args))["confirmation_token"]
        changed = await a.call_tool(
            "hubspot_contact_create", {"email": "http-other@example.com", "confirmation_token": token}
        )
        assert changed.is_error and "other arguments" in _data(changed)["error"]["message"]
        token = _data(await a.call_tool("hubspot_contact_create", args))["confirmation_token"]
        done = await a.call_tool("hubspot_contact_create", {**args, "confirmation_token": token})
        assert done.is_error is False, done

        search = {
            "filterGroups": [
                {"filters": [{"propertyName": "email", "operator": "EQ", "value": args["email"]}]}
            ]
        }
        seen_by_a = _data(await a.call_tool("hubspot_contacts_search", search))["data"]["total"]
        seen_by_b = _data(await b.call_tool("hubspot_contacts_search", search))["data"]["total"]
        assert (seen_by_a, seen_by_b) == (1, 0)

        bad = await b.call_tool("hubspot_deal_get", {"deal_id": "not a number"})
        assert bad.is_error is True and _data(bad)["error"]["next_step"]
        resources = [str(r.uri) for r in (await b.list_resources()).resources]
        assert "crmbridge://reference/schema" in resources
        pipelines = (await b.read_resource("crmbridge://reference/pipelines")).contents[0]
        assert isinstance(pipelines, types.TextResourceContents)
        assert json.loads(pipelines.text)["reads"][0]["data"]["results"]


async def test_refusals_keep_the_hosts_status_and_headers(hubspot_bridge: Connected) -> None:
    app, mcp = _host(hubspot_bridge)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    async with (
        mcp.run(),
        httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://testserver") as http,
    ):
        anonymous = await http.post("/mcp/", json=body, headers=accept)
        assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == 'Bearer realm="mcp"'
        assert anonymous.json()["error"]["code"] == "unauthorized"
        wrong = await http.post("/mcp/", json=body, headers={**accept, "Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        other = await http.post(
            "/mcp/",
            json=body,
            headers={**accept, "Authorization": "Bearer key-a", "X-Crmbridge-Integration": "pipedrive"},
        )
        assert other.status_code == 400 and other.json()["error"]["code"] == "configuration_error"
        foreign = await http.post(
            "http://evil.example/mcp/", json=body, headers={**accept, "Authorization": "Bearer key-a"}
        )
        assert foreign.status_code == 421  # not an allowed host: DNS-rebinding protection
