"""A target whose tools change while serving: the connections that made a request hear
``notifications/tools/list_changed`` (handshake era) and every client lists the new tools."""

from __future__ import annotations

from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.client import Client

from crmbridge.adapters.mcp import LiveTarget, McpTarget, build_server

from ..bridges import USER, Connected

pytestmark = pytest.mark.anyio


async def test_changed_tools_are_announced_and_unchanged_ones_are_not(hubspot_bridge: Connected) -> None:
    everything = hubspot_bridge.toolset
    reads = hubspot_bridge.bridge.toolset(identifier=USER, connection_name="hubspot", read_only=True)
    live = LiveTarget(McpTarget(everything, "t/u1"))
    heard: list[Any] = []

    async def notices(message: Any) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            heard.append(message)

    async with Client(build_server(live.source), mode="legacy", message_handler=notices) as client:
        assert len((await client.list_tools()).tools) == len(everything.list_tools())
        assert await live.replace(McpTarget(everything, "t/u1")) is False  # same tools: no notice
        assert await live.replace(McpTarget(reads, "t/u1")) is True
        with anyio.fail_after(5):
            while not heard:
                await anyio.sleep(0.01)
        names = {t.name for t in (await client.list_tools()).tools}
    assert names == {t.name for t in reads.list_tools()} and len(heard) == 1
    assert "hubspot_contact_create" not in names
