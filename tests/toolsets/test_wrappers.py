"""Wrappers change what a toolset shows, never how a call runs."""

from __future__ import annotations

from typing import Any

import pytest

from crmbridge.errors import ConfigurationError
from crmbridge.toolsets import (
    CombinedToolset,
    FilteredToolset,
    FunctionToolset,
    PrefixedToolset,
    RenamedToolset,
)

pytestmark = pytest.mark.anyio


def crm() -> FunctionToolset:
    def search(query: str) -> dict[str, Any]:
        return {"query": query}

    def create(name: str) -> dict[str, Any]:
        return {"created": name}

    def delete(record_id: str) -> dict[str, Any]:
        return {"deleted": record_id}

    toolset = FunctionToolset()
    toolset.add(search, read_only=True)
    toolset.add(create)
    toolset.add(delete, destructive=True)
    return toolset


async def test_filtered_hides_tools_from_listing_and_calling() -> None:
    inner = crm()
    readable = FilteredToolset.read_only(inner)
    assert [t.name for t in readable.list_tools()] == ["search"]
    assert (await readable.call_tool("search", {"query": "acme"})).data == {"query": "acme"}
    refused = await readable.call_tool("delete", {"record_id": "1"})
    assert refused.error is not None and refused.error.code == "unknown_tool"
    assert inner.calls == [("search", {"query": "acme"})]  # the hidden tool never ran
    assert readable.call_tool_sync("create", {"name": "x"}).error is not None


def test_named_filter_refuses_names_it_does_not_have() -> None:
    assert [t.name for t in FilteredToolset.named(crm(), ["create"]).list_tools()] == ["create"]
    with pytest.raises(ConfigurationError, match="creat"):
        FilteredToolset.named(crm(), ["creat"])


async def test_renamed_and_prefixed_map_names_both_ways() -> None:
    inner = crm()
    renamed = RenamedToolset(inner, {"search": "find_contact"})
    assert [t.name for t in renamed.list_tools()] == ["find_contact", "create", "delete"]
    result = await renamed.call_tool("find_contact", {"query": "acme"})
    assert (
        result.ok and result.tool_name == "find_contact" and inner.calls[-1] == ("search", {"query": "acme"})
    )
    gone = await renamed.call_tool("search", {"query": "acme"})
    assert gone.error is not None and gone.error.code == "unknown_tool"  # the old name is gone
    prefixed = PrefixedToolset(crm(), "work_")
    assert [t.name for t in prefixed.list_tools()] == ["work_search", "work_create", "work_delete"]
    assert prefixed.call_tool_sync("work_create", {"name": "n"}).data == {"created": "n"}
    with pytest.raises(ConfigurationError, match="same name"):
        RenamedToolset(crm(), {"search": "x", "create": "x"})


async def test_combined_routes_each_name_to_its_toolset_and_refuses_clashes() -> None:
    work, home = PrefixedToolset(crm(), "work_"), PrefixedToolset(crm(), "home_")
    both = CombinedToolset([work, home])
    assert len(both.list_tools()) == 6
    assert (await both.call_tool("home_delete", {"record_id": "9"})).data == {"deleted": "9"}
    assert both.call_tool_sync("work_search", {"query": "q"}).data == {"query": "q"}
    with pytest.raises(ConfigurationError, match="in two of the combined toolsets"):
        CombinedToolset([crm(), crm()])
