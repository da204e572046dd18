"""``/mcp`` in the service: the official MCP client over streamable HTTP, authenticated by API key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from .service_env import PUBLIC, ServiceEnv

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def _session(env: ServiceEnv, headers: dict[str, str]) -> AsyncIterator[ClientSession]:
    async with (
        env.app.router.lifespan_context(env.app),
        httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=env.app), base_url=PUBLIC, headers=headers
        ) as http,
        streamable_http_client(f"{PUBLIC}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def test_an_api_key_and_an_identifier_header_reach_the_account(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    headers = {**env.headers(), "X-Crmbridge-Identifier": "u1", "X-Crmbridge-Integration": "pipedrive"}
    async with _session(env, headers) as session:
        names = [t.name for t in (await session.list_tools()).tools]
        assert "pipedrive_pipelines_list" in names and not any(n.startswith("hubspot") for n in names)
        result = await session.call_tool("pipedrive_pipelines_list", {})
        assert result.is_error is False
        data: Any = result.structured_content
        assert data["ok"] is True and data["data"]


async def test_a_key_bound_to_an_identifier_needs_no_header(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    bound = env.new_key("acme", ["tools:execute"], identifier="u1")
    async with _session(env, env.headers(bound)) as session:
        result = await session.call_tool("pipedrive_pipelines_list", {})
        assert result.is_error is False


async def test_mcp_refuses_missing_keys_scopes_and_foreign_identifiers(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    bound = env.new_key("acme", ["tools:execute"], identifier="u1")
    reader = env.new_key("acme", ["accounts:read"])
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    async with env.app.router.lifespan_context(env.app):
        cases = [
            ({}, 401),
            (env.headers("crmb_aaaaaaaaaaaaaaaa_" + "x" * 43), 401),
            ({**env.headers(reader), "X-Crmbridge-Identifier": "u1"}, 403),
            ({**env.headers(bound), "X-Crmbridge-Identifier": "someone-else"}, 403),
            (env.headers(), 422),  # no identifier at all
        ]
        for headers, status in cases:
            r = await env.api.post("/mcp", headers={**accept, **headers}, json=body)
            assert r.status_code == status, (headers, r.text)
        foreign_host = await env.api.post(
            "/mcp", headers={**accept, **env.headers(bound), "Host": "evil.example"}, json=body
        )
        assert foreign_host.status_code == 421
