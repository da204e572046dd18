"""The account toolset: one user's CRM account as tools, through the same path as execute_tool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crmbridge import Bridge
from crmbridge.errors import ConfigurationError, UnknownTool
from crmbridge.providers import builtin
from crmbridge.toolsets import AccountToolset, Toolset
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox

pytestmark = pytest.mark.anyio


@pytest.fixture
def bridge(sandbox: Sandbox, tmp_path: Path) -> Iterator[Bridge]:
    portal = sandbox.hubspot.create_portal(seed_value=7, contacts=3)
    built = Bridge(
        f"sqlite:///{tmp_path}/b.db",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        vault=Vault.from_string(Vault.generate_key()),
    )
    built.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
    built.connect_api_key(connection_name="hubspot", identifier="u1", api_key=portal.private_app_token)
    yield built
    built.close()


def test_the_connection_picks_the_tools(bridge: Bridge) -> None:
    toolset = bridge.toolset(identifier="u1", connection_name="hubspot")
    assert isinstance(toolset, Toolset) and isinstance(toolset, AccountToolset)
    assert [t.name for t in toolset.list_tools()] == [t.name for t in builtin("hubspot").tools]
    read_only = bridge.toolset(identifier="u1", connection_name="hubspot", read_only=True)
    assert read_only.list_tools() and all(t.annotations.read_only for t in read_only.list_tools())
    assert "hubspot_contact_create" not in {t.name for t in read_only.list_tools()}
    with pytest.raises(ConfigurationError, match="no connection named 'pipedrive'"):
        bridge.toolset(identifier="u1", connection_name="pipedrive")
    with pytest.raises(UnknownTool, match="hubspot_contact_get"):
        bridge.toolset(identifier="u1", connection_name="hubspot", tools=["hubspot_contact_gett"])


async def test_calls_run_for_the_bound_account(bridge: Bridge) -> None:
    toolset = bridge.toolset(identifier="u1", connection_name="hubspot")
    created = await toolset.call_tool("hubspot_contact_create", {"email": "toolset@example.com"})
    assert created.ok, created.error
    direct = await bridge.aexecute_tool(
        identifier="u1", tool_name="hubspot_contact_get", tool_input={"contact_id": created.data["id"]}
    )
    via_toolset = await toolset.call_tool("hubspot_contact_get", {"contact_id": created.data["id"]})
    assert via_toolset.to_dict() == direct.to_dict()  # one path, whoever calls


def test_sync_calls_and_refusals(bridge: Bridge) -> None:
    read_only = bridge.toolset(identifier="u1", connection_name="hubspot", read_only=True)
    listed = read_only.call_tool_sync("hubspot_contacts_list", {"limit": 2})
    assert listed.ok and len(listed.data["results"]) == 2
    refused = read_only.call_tool_sync("hubspot_contact_create", {"email": "no@example.com"})
    assert refused.error is not None and refused.error.code == "unknown_tool"
    stranger = bridge.toolset(identifier="nobody", connection_name="hubspot")
    result = stranger.call_tool_sync("hubspot_contacts_list", {})
    assert result.error is not None and result.error.code == "configuration_error"
