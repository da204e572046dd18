"""OpenAI and Anthropic tool formats: every definition carries the tool's own schema (its strict variant
when asked), and a model's tool call runs through the Bridge and comes back as the vendor's tool-result
message. That schemas are valid and strict variants really strict is a conformance rule
(tests/providers/test_conformance.py)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from crmbridge.adapters import (
    aexecute_anthropic_tool_uses,
    aexecute_openai_tool_calls,
    anthropic_tools,
    execute_anthropic_tool_use,
    execute_anthropic_tool_uses,
    execute_openai_tool_call,
    execute_openai_tool_calls,
    openai_tools,
    tools_for,
)
from crmbridge.engine.schema import strict_schema
from crmbridge.errors import ConfigurationError, UnknownTool
from crmbridge.providers import BUILTIN, builtin
from crmbridge.spec import Tool

from ..bridges import USER, Connected

pytestmark = pytest.mark.anyio


def catalog(provider: str) -> list[Tool]:
    try:
        return list(builtin(provider).tools)
    except (ImportError, AttributeError) as exc:  # a provider whose catalog is still being written
        pytest.skip(f"{provider} catalog not available: {exc}")


@pytest.mark.parametrize("provider", BUILTIN)
def test_openai_definitions_carry_each_tool_and_its_strict_variant(provider: str) -> None:
    tools = catalog(provider)
    plain = openai_tools(tools)
    strict = openai_tools(tools, strict=True)
    assert [d["function"]["name"] for d in plain] == [t.name for t in tools]
    for tool, p, s in zip(tools, plain, strict, strict=True):
        assert p == {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": dict(tool.input_schema),
            },
        }
        variant, is_strict = strict_schema(tool.input_schema)
        assert s["function"] == {**p["function"], "parameters": variant, "strict": is_strict}


@pytest.mark.parametrize("provider", BUILTIN)
def test_anthropic_definitions_carry_each_tool(provider: str) -> None:
    tools = catalog(provider)
    for tool, d in zip(tools, anthropic_tools(tools), strict=True):
        assert d == {
            "name": tool.name,
            "description": tool.description,
            "input_schema": dict(tool.input_schema),
        }


@pytest.mark.parametrize("provider", BUILTIN)
def test_responses_definitions_always_say_whether_they_are_strict(provider: str) -> None:
    """The Responses API requires ``strict`` and takes a missing one as true: never leave it out."""
    tools = catalog(provider)
    plain = openai_tools(tools, api="responses")
    strict = openai_tools(tools, strict=True, api="responses")
    for tool, p, s in zip(tools, plain, strict, strict=True):
        assert p == {
            "type": "function",
            "name": tool.name,
            "description": tool.description,
            "parameters": dict(tool.input_schema),
            "strict": False,
        }
        variant, is_strict = strict_schema(tool.input_schema)
        assert s == {**p, "parameters": variant, "strict": is_strict}


@pytest.mark.parametrize("provider", BUILTIN)
def test_anthropic_strict_definitions_carry_the_strict_variant(provider: str) -> None:
    tools = catalog(provider)
    for tool, d in zip(tools, anthropic_tools(tools, strict=True), strict=True):
        variant, is_strict = strict_schema(tool.input_schema)
        assert d == {
            "name": tool.name,
            "description": tool.description,
            "input_schema": variant,
            "strict": is_strict,
        }


def test_some_hubspot_tools_are_strict_and_free_form_ones_are_not() -> None:
    strict = {
        d["function"]["name"]: d["function"]["strict"] for d in openai_tools(catalog("hubspot"), strict=True)
    }
    assert strict["hubspot_contact_get"] is True
    assert strict["hubspot_contact_create"] is False  # any CRM property: a free-form map


def test_responses_api_shape_and_tool_selection(hubspot_bridge: Connected) -> None:
    toolset = hubspot_bridge.bridge.toolset(
        identifier=USER, connection_name="hubspot", tools=["hubspot_contact_get"]
    )
    (d,) = openai_tools(toolset, strict=True, api="responses")
    assert d["type"] == "function" and d["name"] == "hubspot_contact_get" and d["strict"] is True
    assert "function" not in d
    with pytest.raises(UnknownTool, match="Did you mean: hubspot_contact_get"):
        hubspot_bridge.bridge.toolset(
            identifier=USER, connection_name="hubspot", tools=["hubspot_contact_gt"]
        )


def test_tools_for_picks_the_vendor_format(hubspot_bridge: Connected) -> None:
    tools = hubspot_bridge.toolset.list_tools()
    assert tools_for(hubspot_bridge.toolset, "openai", strict=True) == openai_tools(tools, strict=True)
    assert tools_for(hubspot_bridge.toolset, "openai-responses") == openai_tools(tools, api="responses")
    assert tools_for(hubspot_bridge.toolset, "anthropic") == anthropic_tools(tools)
    assert tools_for(hubspot_bridge.toolset, "anthropic", strict=True) == anthropic_tools(tools, strict=True)
    assert tools_for(hubspot_bridge.toolset, "openai-responses", strict=True) == openai_tools(
        tools, strict=True, api="responses"
    )
    with pytest.raises(ConfigurationError, match="Unknown tool format"):
        tools_for(hubspot_bridge.toolset, "gemini")  # type: ignore[arg-type]


def openai_call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def test_openai_tool_call_with_strict_nulls_runs_through_the_bridge(hubspot_bridge: Connected) -> None:
    found = hubspot_bridge.bridge.execute_tool(
        identifier=USER, tool_name="hubspot_contacts_search", tool_input={"query": "John Smith"}
    )
    email = found.data["results"][0]["properties"]["email"]
    args = json.dumps({"contact_id": email, "properties": ["email"], "associations": None})
    message = execute_openai_tool_call(hubspot_bridge.toolset, openai_call("hubspot_contact_get", args))
    assert message["role"] == "tool" and message["tool_call_id"] == "call_1"
    content = json.loads(message["content"])
    assert content["ok"] is True
    assert content["data"]["id"] == found.data["results"][0]["id"]
    assert content["data"]["properties"]["email"] == email


def test_openai_bad_arguments_and_unknown_tools_come_back_as_errors(hubspot_bridge: Connected) -> None:
    message = {
        "role": "assistant",
        "tool_calls": [
            openai_call("hubspot_contact_get", "{not json", "a"),
            openai_call("hubspot_contact_get", json.dumps({"contact_id": ["5"]}), "b"),
            openai_call("hubspot_contact_fetch", "{}", "c"),
        ],
    }
    replies = execute_openai_tool_calls(hubspot_bridge.toolset, message)
    assert [r["tool_call_id"] for r in replies] == ["a", "b", "c"]
    errors = [json.loads(r["content"])["error"] for r in replies]
    assert [e["code"] for e in errors] == ["invalid_input", "invalid_input", "unknown_tool"]
    assert errors[1]["field"] == "contact_id"
    assert "hubspot_contact_get" in errors[2]["message"]


async def test_openai_sdk_objects_and_responses_items_async(
    hubspot_bridge: Connected, client: httpx.AsyncClient
) -> None:
    sdk_message = SimpleNamespace(
        tool_calls=[
            SimpleNamespace(
                id="call_9",
                type="function",
                function=SimpleNamespace(
                    name="hubspot_contact_create", arguments=json.dumps({"email": "grace@hopper.example"})
                ),
            )
        ]
    )
    (reply,) = await aexecute_openai_tool_calls(hubspot_bridge.toolset, sdk_message)
    created = json.loads(reply["content"])
    assert reply["tool_call_id"] == "call_9" and created["ok"], created
    output = [
        {"type": "reasoning", "id": "rs_1"},
        {
            "type": "function_call",
            "call_id": "fc_1",
            "name": "hubspot_contact_get",
            "arguments": json.dumps({"contact_id": created["data"]["id"], "properties": ["email"]}),
        },
    ]
    (item,) = await aexecute_openai_tool_calls(hubspot_bridge.toolset, output)
    assert item["type"] == "function_call_output" and item["call_id"] == "fc_1"
    assert json.loads(item["output"])["data"]["properties"]["email"] == "grace@hopper.example"
    r = await client.get(
        f"/hubspot/crm/v3/objects/contacts/{created['data']['id']}", headers=hubspot_bridge.headers
    )
    assert r.status_code == 200


def test_anthropic_tool_use_blocks(hubspot_bridge: Connected) -> None:
    block = {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "hubspot_contacts_search",
        "input": {"query": "John Smith"},
    }
    result = execute_anthropic_tool_use(hubspot_bridge.toolset, block)
    assert (
        result["type"] == "tool_result" and result["tool_use_id"] == "toolu_1" and result["is_error"] is False
    )
    assert json.loads(result["content"])["data"]["results"][0]["properties"]["firstname"] == "John"

    content = [
        {"type": "text", "text": "Let me look."},
        {
            "type": "tool_use",
            "id": "toolu_2",
            "name": "hubspot_contact_get",
            "input": {"contact_id": "999999999"},
        },
    ]
    (missing,) = execute_anthropic_tool_uses(
        hubspot_bridge.toolset, {"role": "assistant", "content": content}
    )
    assert missing["is_error"] is True and json.loads(missing["content"])["error"]["code"] == "not_found"
    assert (
        execute_anthropic_tool_uses(hubspot_bridge.toolset, {"role": "assistant", "content": "just text"})
        == []
    )


async def test_anthropic_sdk_blocks_async(hubspot_bridge: Connected) -> None:
    message = SimpleNamespace(
        content=[
            SimpleNamespace(type="text", text="ok"),
            SimpleNamespace(
                type="tool_use", id="toolu_3", name="hubspot_contacts_search", input={"limit": "two"}
            ),
        ]
    )
    (result,) = await aexecute_anthropic_tool_uses(hubspot_bridge.toolset, message)
    error = json.loads(result["content"])["error"]
    assert result["is_error"] and error["code"] == "invalid_input" and error["field"] == "limit"
