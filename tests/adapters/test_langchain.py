"""LangChain tools in a real tool-calling loop: a scripted chat model (no network) drives the Bridge."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool, StructuredTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from crmbridge import ConfigurationError, UnknownTool
from crmbridge.engine import ToolResult
from crmbridge.langchain import get_tools
from crmbridge.providers import builtin
from crmbridge_sandbox import Sandbox

from ..bridges import USER, Connected

pytestmark = pytest.mark.anyio

Script = Callable[[list[BaseMessage]], AIMessage]


class ScriptedChatModel(BaseChatModel):
    """Plays the LLM: ``script`` sees the whole conversation and returns the next assistant message,
    so later tool calls can use what earlier tool results said (as a real model would)."""

    script: Script
    bound_tools: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.bound_tools = kw.get("tools", [])
        return ChatResult(generations=[ChatGeneration(message=self.script(messages))])

    def bind_tools(self, tools: Any, **kw: Any) -> Runnable[Any, AIMessage]:
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kw)


def call(name: str, args: dict[str, Any], n: int) -> AIMessage:
    return AIMessage(
        content="", tool_calls=[{"name": name, "args": args, "id": f"call_{n}", "type": "tool_call"}]
    )


def last_result(messages: list[BaseMessage]) -> dict[str, Any]:
    message = messages[-1]
    assert isinstance(message, ToolMessage)
    result: dict[str, Any] = json.loads(str(message.content))
    return result


def run_loop(model: Runnable[Any, AIMessage], tools: Sequence[BaseTool], prompt: str) -> list[BaseMessage]:
    """The standard loop: model → tool calls → ToolMessages → model, until it answers in text."""
    by_name = {t.name: t for t in tools}
    messages: list[BaseMessage] = [HumanMessage(prompt)]
    for _ in range(10):
        ai = model.invoke(messages)
        messages.append(ai)
        if not ai.tool_calls:
            return messages
        messages.extend(by_name[c["name"]].invoke(c) for c in ai.tool_calls)
    raise AssertionError("the loop did not finish")


async def arun_loop(
    model: Runnable[Any, AIMessage], tools: Sequence[BaseTool], prompt: str
) -> list[BaseMessage]:
    by_name = {t.name: t for t in tools}
    messages: list[BaseMessage] = [HumanMessage(prompt)]
    for _ in range(10):
        ai = await model.ainvoke(messages)
        messages.append(ai)
        if not ai.tool_calls:
            return messages
        for c in ai.tool_calls:
            messages.append(await by_name[c["name"]].ainvoke(c))
    raise AssertionError("the loop did not finish")


def search_read_update(messages: list[BaseMessage]) -> AIMessage:
    """Find John Smith, read his record, set his job title, then report."""
    turn = sum(isinstance(m, ToolMessage) for m in messages)
    if turn == 0:
        return call(
            "hubspot_contacts_search", {"query": "John Smith", "properties": "firstname,lastname,email"}, 1
        )
    result = last_result(messages)
    assert result["ok"], result
    if turn == 1:
        contact_id = result["data"]["results"][0]["id"]
        return call("hubspot_contact_get", {"contact_id": contact_id, "properties": ["email", "jobtitle"]}, 2)
    if turn == 2:
        return call(
            "hubspot_contact_update", {"contact_id": result["data"]["id"], "jobtitle": "VP of Sales"}, 3
        )
    return AIMessage(content=f"Updated {result['data']['id']}.")


async def test_tool_calling_loop_searches_reads_and_updates_the_crm(
    hubspot_bridge: Connected, client: httpx.AsyncClient
) -> None:
    model = ScriptedChatModel(script=search_read_update)
    tools = get_tools(connection_name="hubspot", identifier=USER, bridge=hubspot_bridge.bridge)
    messages = run_loop(model.bind_tools(tools), tools, "Make John Smith our VP of Sales.")

    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert [m.name for m in tool_messages] == [
        "hubspot_contacts_search",
        "hubspot_contact_get",
        "hubspot_contact_update",
    ]
    assert all(isinstance(m.artifact, ToolResult) and m.artifact.ok for m in tool_messages)
    read = json.loads(str(tool_messages[1].content))["data"]
    assert read["properties"]["email"].startswith("john.smith@")
    assert isinstance(messages[-1], AIMessage) and messages[-1].content == f"Updated {read['id']}."
    # The model was offered every HubSpot tool, each with its own JSON schema as parameters.
    offered = {t["function"]["name"]: t["function"]["parameters"] for t in model.bound_tools}
    assert set(offered) == {t.name for t in builtin("hubspot").tools}
    assert offered["hubspot_contact_get"]["required"] == ["contact_id"]
    # The CRM itself changed.
    r = await client.get(
        f"/hubspot/crm/v3/objects/contacts/{read['id']}?properties=jobtitle", headers=hubspot_bridge.headers
    )
    assert r.json()["properties"]["jobtitle"] == "VP of Sales"


def correcting(messages: list[BaseMessage]) -> AIMessage:
    """First a call with a misspelt field; the error names the field, so the retry fixes it."""
    turn = sum(isinstance(m, ToolMessage) for m in messages)
    if turn == 0:
        return call("hubspot_contact_create", {"e_mail": "ada@lovelace.example", "firstname": "Ada"}, 1)
    result = last_result(messages)
    if turn == 1:
        assert not result["ok"] and result["error"]["code"] == "invalid_input", result
        assert result["error"]["field"] == "email"
        return call("hubspot_contact_create", {"email": "ada@lovelace.example", "firstname": "Ada"}, 2)
    assert result["ok"], result
    return AIMessage(content="Created.")


async def test_async_loop_returns_errors_to_the_model_which_corrects_itself(
    hubspot_bridge: Connected, client: httpx.AsyncClient
) -> None:
    tools = get_tools(
        connection_name="hubspot",
        identifier=USER,
        bridge=hubspot_bridge.bridge,
        tool_names=["hubspot_contact_create"],
    )
    messages = await arun_loop(ScriptedChatModel(script=correcting).bind_tools(tools), tools, "Add Ada.")
    first, second = (m for m in messages if isinstance(m, ToolMessage))
    assert isinstance(first.artifact, ToolResult) and not first.artifact.ok
    assert isinstance(second.artifact, ToolResult) and second.artifact.ok
    found = await client.post(
        "/hubspot/crm/v3/objects/contacts/search",
        json={
            "filterGroups": [
                {"filters": [{"propertyName": "email", "operator": "EQ", "value": "ada@lovelace.example"}]}
            ]
        },
        headers=hubspot_bridge.headers,
    )
    assert found.json()["total"] == 1


def test_tools_carry_the_catalog_schema_and_metadata(hubspot_bridge: Connected) -> None:
    tools = get_tools(connection_name="hubspot", identifier=USER, bridge=hubspot_bridge.bridge)
    catalog = {t.name: t for t in builtin("hubspot").tools}
    assert [t.name for t in tools] == list(catalog)
    for tool in tools:
        assert isinstance(tool, StructuredTool) and tool.coroutine is not None
        spec = catalog[tool.name]
        assert tool.args_schema == dict(spec.input_schema)
        assert tool.args_schema is not spec.input_schema  # a copy: LangChain may not mutate the catalog
        assert tool.description == spec.description
        assert tool.metadata == {
            "provider": "hubspot",
            "annotations": spec.annotations.to_dict(),
            "scopes": list(spec.scopes),
        }
        # No input field may shadow the keyword arguments LangChain passes to a tool's _run.
        assert not {"config", "run_manager"} & set(spec.input_schema.get("properties", {}))


def test_plain_invoke_returns_the_result_json(hubspot_bridge: Connected) -> None:
    (tool,) = get_tools(
        connection_name="hubspot",
        identifier=USER,
        bridge=hubspot_bridge.bridge,
        tool_names=["hubspot_contacts_search"],
    )
    content = json.loads(tool.invoke({"query": "John Smith", "limit": 1}))
    assert content["ok"] and content["data"]["results"][0]["properties"]["firstname"] == "John"


def test_get_tools_takes_a_toolset_and_needs_a_bridge_otherwise(hubspot_bridge: Connected) -> None:
    toolset = hubspot_bridge.bridge.toolset(
        identifier=USER, connection_name="hubspot", tools=["hubspot_contacts_search"]
    )
    (tool,) = get_tools(toolset)
    assert json.loads(tool.invoke({"query": "John Smith"}))["ok"]
    with pytest.raises(ConfigurationError, match="needs a toolset, or bridge="):
        get_tools(connection_name="hubspot", identifier=USER)


def test_setup_mistakes_raise_before_the_model_runs(hubspot_bridge: Connected) -> None:
    with pytest.raises(ConfigurationError, match="no connection named 'pipedrive'"):
        get_tools(connection_name="pipedrive", identifier=USER, bridge=hubspot_bridge.bridge)
    with pytest.raises(UnknownTool, match="hubspot_contact_get"):
        get_tools(
            connection_name="hubspot",
            identifier=USER,
            bridge=hubspot_bridge.bridge,
            tool_names=["hubspot_contact_gett"],
        )


def test_an_unconnected_user_gets_an_error_result_not_an_exception(hubspot_bridge: Connected) -> None:
    (tool,) = get_tools(
        connection_name="hubspot",
        identifier="nobody",
        bridge=hubspot_bridge.bridge,
        tool_names=["hubspot_contact_get"],
    )
    content = json.loads(tool.invoke({"contact_id": "1"}))
    assert content["ok"] is False and content["error"]["code"] == "configuration_error"
    assert "connect" in content["error"]["message"]


async def test_the_connection_picks_the_provider(
    hubspot_bridge: Connected, sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    company, token = sandbox.pipedrive.create_company(seed_value=7)
    hubspot_bridge.bridge.add_connection("pipedrive", provider="pipedrive")
    hubspot_bridge.bridge.connect_api_key(
        connection_name="pipedrive",
        identifier=USER,
        api_key=token,
        api_domain=f"http://sandbox/pipedrive/{company.domain}",
    )
    tools = get_tools(connection_name="pipedrive", identifier=USER, bridge=hubspot_bridge.bridge)
    assert {t.name for t in tools} == {t.name for t in builtin("pipedrive").tools}
    create = next(t for t in tools if t.name == "pipedrive_person_create")
    message = await create.ainvoke(
        {"name": "pipedrive_person_create", "args": {"name": "Ada Lovelace"}, "id": "c1", "type": "tool_call"}
    )
    assert isinstance(message, ToolMessage) and isinstance(message.artifact, ToolResult), message
    assert message.artifact.ok, message.artifact.error
    person_id = message.artifact.data["id"]
    r = await client.get(
        f"/pipedrive/{company.domain}/api/v2/persons/{person_id}", headers={"x-api-token": token}
    )
    assert r.json()["data"]["name"] == "Ada Lovelace"


def tool_call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


async def test_a_failed_call_is_an_error_tool_message_with_its_result_as_artifact(
    hubspot_bridge: Connected,
) -> None:
    """Frameworks read ``ToolMessage.status`` to tell a failed call from a good one; the model still
    reads the error's JSON and the full ``ToolResult`` rides along, sync and async alike."""
    (get,) = get_tools(
        connection_name="hubspot",
        identifier=USER,
        bridge=hubspot_bridge.bridge,
        tool_names=["hubspot_contact_get"],
    )
    missing = tool_call("hubspot_contact_get", {"contact_id": "999999999"}, "c1")
    for message in (get.invoke(missing), await get.ainvoke(missing)):
        assert isinstance(message, ToolMessage) and message.status == "error"
        assert isinstance(message.artifact, ToolResult) and not message.artifact.ok
        assert message.tool_call_id == "c1" and message.name == "hubspot_contact_get"
        assert json.loads(str(message.content))["error"]["code"] == "not_found"
    bad = tool_call("hubspot_contact_get", {"contact_id": 5}, "c2")
    assert get.invoke(bad).status == "error"  # invalid input is an error too

    found = hubspot_bridge.bridge.execute_tool(
        identifier=USER, tool_name="hubspot_contacts_search", tool_input={"query": "John Smith"}
    )
    good = tool_call("hubspot_contact_get", {"contact_id": found.data["results"][0]["id"]}, "c3")
    for message in (get.invoke(good), await get.ainvoke(good)):
        assert isinstance(message, ToolMessage) and message.status == "success"
        assert isinstance(message.artifact, ToolResult) and message.artifact.ok
