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
    async with env.app.router.lifespan_context(env.app), _client(env, headers) as session:
        yield session


@asynccontextmanager
async def _client(env: ServiceEnv, headers: dict[str, str]) -> AsyncIterator[ClientSession]:
    """A session on an app whose lifespan already runs (several sessions share one session manager)."""
    async with (
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
            ({**env.headers(), "X-Crmbridge-Identifier": "nobody"}, 404),
            ({**env.headers(), "X-Crmbridge-Identifier": "u1", "X-Crmbridge-Integration": "hubspot"}, 400),
            ({**env.headers(env.new_key("globex", ["tools:execute"])), "X-Crmbridge-Identifier": "u1"}, 404),
        ]
        for headers, status in cases:
            r = await env.api.post("/mcp", headers={**accept, **headers}, json=body)
            assert r.status_code == status, (headers, r.text)
            if status == 401:
                assert r.headers["www-authenticate"] == 'Bearer realm="crmbridge"'
                assert r.json()["error"]["code"] == "unauthenticated"
        foreign_host = await env.api.post(
            "/mcp", headers={**accept, **env.headers(bound), "Host": "evil.example"}, json=body
        )
        assert foreign_host.status_code == 421


async def test_two_concurrent_sessions_on_two_accounts_never_cross(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    await env.pipedrive_api_key(identifier="u2")  # a second Pipedrive company, same seed
    one = {**env.headers(), "X-Crmbridge-Identifier": "u1"}
    two = {**env.headers(), "X-Crmbridge-Identifier": "u2"}

    def found(result: Any) -> list[Any]:
        assert result.is_error is False, result.structured_content
        return list(result.structured_content["data"]["results"])

    async with env.app.router.lifespan_context(env.app), _client(env, one) as a, _client(env, two) as b:
        created = await a.call_tool("pipedrive_person_create", {"name": "Only In One"})
        assert created.is_error is False, created.structured_content
        created_b = await b.call_tool("pipedrive_person_create", {"name": "Only In Two"})
        assert created_b.is_error is False, created_b.structured_content
        seen = {
            (who, name): found(await session.call_tool("pipedrive_persons_search", {"term": name}))
            for who, session in (("a", a), ("b", b))
            for name in ("Only In One", "Only In Two")
        }
    assert [len(seen[k]) for k in sorted(seen)] == [1, 0, 0, 1]
