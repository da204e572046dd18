"""The account toolset: one user's CRM account as tools, through the same path as execute_tool."""

from __future__ import annotations

import pytest

from crmbridge.errors import ConfigurationError, UnknownTool
from crmbridge.providers import builtin
from crmbridge.toolsets import AccountToolset, Toolset

from ..bridges import USER, Connected

pytestmark = pytest.mark.anyio


def test_the_connection_picks_the_tools(hubspot_bridge: Connected) -> None:
    toolset = hubspot_bridge.toolset
    assert isinstance(toolset, Toolset) and isinstance(toolset, AccountToolset)
    assert [t.name for t in toolset.list_tools()] == [t.name for t in builtin("hubspot").tools]
    read_only = hubspot_bridge.bridge.toolset(identifier=USER, connection_name="hubspot", read_only=True)
    assert read_only.list_tools() and all(t.annotations.read_only for t in read_only.list_tools())
    assert "hubspot_contact_create" not in {t.name for t in read_only.list_tools()}
    with pytest.raises(ConfigurationError, match="no connection named 'pipedrive'"):
        hubspot_bridge.bridge.toolset(identifier=USER, connection_name="pipedrive")
    with pytest.raises(UnknownTool, match="hubspot_contact_get"):
        hubspot_bridge.bridge.toolset(
            identifier=USER, connection_name="hubspot", tools=["hubspot_contact_gett"]
        )


async def test_calls_run_for_the_bound_account(hubspot_bridge: Connected) -> None:
    toolset = hubspot_bridge.toolset
    created = await toolset.call_tool("hubspot_contact_create", {"email": "toolset@example.com"})
    assert created.ok, created.error
    direct = await hubspot_bridge.bridge.aexecute_tool(
        identifier=USER, tool_name="hubspot_contact_get", tool_input={"contact_id": created.data["id"]}
    )
    via_toolset = await toolset.call_tool("hubspot_contact_get", {"contact_id": created.data["id"]})
    assert via_toolset.to_dict() == direct.to_dict()  # one path, whoever calls


def test_sync_calls_and_refusals(hubspot_bridge: Connected) -> None:
    read_only = hubspot_bridge.bridge.toolset(identifier=USER, connection_name="hubspot", read_only=True)
    listed = read_only.call_tool_sync("hubspot_contacts_list", {"limit": 2})
    assert listed.ok and len(listed.data["results"]) == 2
    refused = read_only.call_tool_sync("hubspot_contact_create", {"email": "no@example.com"})
    assert refused.error is not None and refused.error.code == "unknown_tool"
    stranger = hubspot_bridge.bridge.toolset(identifier="nobody", connection_name="hubspot")
    result = stranger.call_tool_sync("hubspot_contacts_list", {})
    assert result.error is not None and result.error.code == "configuration_error"
