"""``crmbridge mcp --agent``: an agent's skills served over stdio by a real subprocess, driven by the
official MCP client; a gated pack write needs exactly one confirmation (the skills' gate)."""

from __future__ import annotations

import sys
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from crmbridge import Bridge

from .test_mcp_stdio import env  # noqa: F401  (the fixture: user u1 connected to a fresh portal)

pytestmark = pytest.mark.anyio


def _agent_with_pack() -> str:
    with Bridge() as bridge:
        agent = bridge.agents.create_agent("Desk", auto_install=False)
        installed = bridge.agents.install_pack(agent["id"], "hubspot", identifier="u1")
        assert all(s["created"] for s in installed["skills"])
        return str(agent["id"])


async def test_an_agent_over_stdio(env: dict[str, str]) -> None:  # noqa: F811
    agent_id = _agent_with_pack()
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "crmbridge.cli", "mcp", "--agent", agent_id], env=env
    )
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert {"find_contact", "create_contact", "update_contact"} <= set(tools)
        assert "confirmation_token" not in tools["create_contact"].input_schema["properties"]

        args = {"phone": "+1 415 555 0163", "first_name": "Stdio"}
        asked = await session.call_tool("create_contact", args)
        error: Any = (asked.structured_content or {})["error"]
        assert asked.is_error is True and error["code"] == "confirmation_required"
        done = await session.call_tool("create_contact", {**args, "confirmation": error["confirmation"]})
        assert done.is_error is False and (done.structured_content or {})["data"]["created"] is True
        found = await session.call_tool("find_contact", {"phone": "4155550163"})
        assert (found.structured_content or {})["data"]["status"] == "found"


async def test_removed_skills_reach_the_client_as_tools_list_changed(env: dict[str, str]) -> None:  # noqa: F811
    agent_id = _agent_with_pack()
    changed = anyio.Event()

    async def notices(message: Any) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            changed.set()

    args = ["-m", "crmbridge.cli", "mcp", "--agent", agent_id, "--skills-poll", "0.2"]
    server = StdioServerParameters(command=sys.executable, args=args, env=env)
    async with (
        stdio_client(server) as (read, write),
        ClientSession(read, write, message_handler=notices) as session,
    ):
        init = await session.initialize()
        assert init.capabilities.tools is not None and init.capabilities.tools.list_changed is True
        before = {t.name for t in (await session.list_tools()).tools}
        assert "update_contact" in before
        with Bridge() as bridge:
            bridge.agents.delete_skill(agent_id, "update_contact")
        with anyio.fail_after(15):
            await changed.wait()
        after = {t.name for t in (await session.list_tools()).tools}
    assert after == before - {"update_contact"}
