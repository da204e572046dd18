"""``/agents/{agentId}/mcp``: an agent's skills (pack and bindings) through the official MCP client, with
gated writes confirmed exactly once (the skills' gate; the adapter adds no second confirmation)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from .agent_env import PACK, connected_agent, execute
from .service_env import PUBLIC, ServiceEnv
from .test_schema_and_bindings_routes import ADD_ORG

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def _session(env: ServiceEnv, agent_id: str, headers: dict[str, str]) -> AsyncIterator[ClientSession]:
    async with (
        env.app.router.lifespan_context(env.app),
        httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=env.app), base_url=PUBLIC, headers=headers
        ) as http,
        streamable_http_client(f"{PUBLIC}/agents/{agent_id}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def test_an_agents_skills_over_mcp_with_one_confirmation(env: ServiceEnv) -> None:
    agent_id = await connected_agent(env)
    assert (await env.api.post("/integrations/pipedrive/discover", headers=env.headers())).status_code == 200
    bound = await env.api.post(
        f"/agents/{agent_id}/integrations/pipedrive/bindings",
        headers=env.headers(),
        json={"binding": ADD_ORG},
    )
    assert bound.status_code == 201, bound.text
    call = env.runtime.tenant("acme").agents.start_conversation(agent_id, channel="chat")
    headers = {**env.headers(), "X-Crmbridge-Conversation": call["id"]}
    async with _session(env, agent_id, headers) as session:
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert set(tools) == PACK | {"add_organization"}
        create = tools["create_contact"]
        assert create.annotations is not None and create.annotations.read_only_hint is False
        properties = create.input_schema["properties"]
        assert "confirmation" in properties and "confirmation_token" not in properties  # one mechanism

        read = await session.call_tool("find_contact", {"phone": "+1 415 555 0142"})
        assert read.is_error is False and (read.structured_content or {})["data"]["status"] == "none"

        args = {"phone": "+1 415 555 0142", "first_name": "Ann"}
        asked = await session.call_tool("create_contact", args)
        error: Any = (asked.structured_content or {})["error"]
        assert asked.is_error is True and error["code"] == "confirmation_required"
        changed = await session.call_tool(
            "create_contact", {**args, "first_name": "Eve", "confirmation": error["confirmation"]}
        )
        assert changed.is_error is True
        assert (changed.structured_content or {})["error"]["code"] == "confirmation_mismatch"
        asked = await session.call_tool("create_contact", args)
        token = (asked.structured_content or {})["error"]["confirmation"]
        done = await session.call_tool("create_contact", {**args, "confirmation": token})
        assert done.is_error is False, done.structured_content
        assert (done.structured_content or {})["data"]["created"] is True

        # A binding's write is gated by the same gate (its created record is not run here: Pipedrive's
        # custom-field keys in it have the shape the log-leak check looks for; HTTP tests run it).
        org = await session.call_tool("add_organization", {"name": "Globex"})
        assert org.is_error is True
        assert (org.structured_content or {})["error"]["code"] == "confirmation_required"
        assert "confirmation" in tools["add_organization"].input_schema["properties"]

        bad = await session.call_tool("find_contact", {"phone": 42})
        assert bad.is_error is True

    found = await execute(env, agent_id, "find_contact", {"phone": "4155550142"})
    assert found["data"]["status"] == "found"  # written once: a second one would make it ambiguous


async def test_agent_mcp_refuses_keys_scopes_and_foreign_agents(env: ServiceEnv) -> None:
    agent_id = await connected_agent(env)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    tools_only = env.new_key("acme", ["tools:execute"])
    async with env.app.router.lifespan_context(env.app):
        cases = [
            ({}, agent_id, 401),
            (env.headers(tools_only), agent_id, 403),
            (env.headers(env.new_key("globex")), agent_id, 404),
            (env.headers(), "no-such-agent", 404),
            ({**env.headers(), "X-Crmbridge-Conversation": "nope"}, agent_id, 404),
        ]
        for headers, agent, status in cases:
            r = await env.api.post(f"/agents/{agent}/mcp", headers={**accept, **headers}, json=body)
            assert r.status_code == status, (headers, agent, r.text)
            if status == 401:
                assert r.headers["www-authenticate"] == 'Bearer realm="crmbridge"'
        ok = await env.api.post(f"/agents/{agent_id}/mcp", headers={**accept, **env.headers()}, json=body)
        assert ok.status_code == 200
