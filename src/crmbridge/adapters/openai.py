"""OpenAI function calling: tool definitions and the execution of a model's tool calls.

Definitions come in the Chat Completions shape (``{"type": "function", "function": {...}}``) or the
Responses API shape (flat). With ``strict=True`` each tool carries the strict-mode variant of its
schema (every field required, optional ones nullable, no extra fields); a tool whose input is a
free-form map cannot be strict and is sent with ``"strict": false`` and its plain schema. The
Responses API requires ``strict`` and takes a missing one as true, so its definitions always carry it;
Chat Completions defaults to false, so there it is sent only when asked for.

Executing a call goes through the toolset like every other front end; the model gets back the JSON of
``ToolResult.to_dict()``, errors included, so it can correct its input and retry.
"""

from __future__ import annotations

from typing import Any, Literal

from ..engine import ToolResult, tool_definition
from ..spec import Tool
from ..toolsets import Toolset
from .common import ToolSource, field, result_content, tools_of

__all__ = [
    "aexecute_openai_tool_call",
    "aexecute_openai_tool_calls",
    "execute_openai_tool_call",
    "execute_openai_tool_calls",
    "openai_tool",
    "openai_tools",
]

OpenAIApi = Literal["chat", "responses"]


def openai_tool(tool: Tool, *, strict: bool = False, api: OpenAIApi = "chat") -> dict[str, Any]:
    """One tool as an OpenAI function definition (``api="responses"``: the Responses API's flat shape)."""
    neutral = tool_definition(tool, strict=strict)
    function: dict[str, Any] = {
        "name": neutral["name"],
        "description": neutral["description"],
        "parameters": neutral["input_schema"],
    }
    if strict or api == "responses":
        function["strict"] = neutral.get("strict", False)
    if api == "responses":
        return {"type": "function", **function}
    return {"type": "function", "function": function}


def openai_tools(
    source: ToolSource, *, strict: bool = False, api: OpenAIApi = "chat"
) -> list[dict[str, Any]]:
    """The ``tools=[...]`` argument of a chat completion (or a response): a toolset's tools."""
    return [openai_tool(t, strict=strict, api=api) for t in tools_of(source)]


def _parse_call(call: Any) -> tuple[str, str, Any, OpenAIApi]:
    """``(call id, tool name, arguments, api)`` of a Chat Completions or Responses tool call."""
    function = field(call, "function")
    if function is not None:
        return (
            str(field(call, "id", "")),
            str(field(function, "name", "")),
            field(function, "arguments"),
            "chat",
        )
    return (
        str(field(call, "call_id", "") or field(call, "id", "")),
        str(field(call, "name", "")),
        field(call, "arguments"),
        "responses",
    )


def _reply(call_id: str, api: OpenAIApi, result: ToolResult) -> dict[str, Any]:
    content = result_content(result)
    if api == "responses":
        return {"type": "function_call_output", "call_id": call_id, "output": content}
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def execute_openai_tool_call(toolset: Toolset, tool_call: Any) -> dict[str, Any]:
    """Run one tool call and return the message to append: ``{"role": "tool", ...}`` for Chat
    Completions, ``{"type": "function_call_output", ...}`` for a Responses ``function_call`` item.

    ``tool_call`` may be a dict or an SDK object. Its ``arguments`` (a JSON string) are passed as they
    are: the engine parses them, and malformed JSON comes back as an ``invalid_input`` result.
    """
    call_id, name, arguments, api = _parse_call(tool_call)
    return _reply(call_id, api, toolset.call_tool_sync(name, arguments))


async def aexecute_openai_tool_call(toolset: Toolset, tool_call: Any) -> dict[str, Any]:
    """Async twin of :func:`execute_openai_tool_call`."""
    call_id, name, arguments, api = _parse_call(tool_call)
    return _reply(call_id, api, await toolset.call_tool(name, arguments))


def _calls(message_or_calls: Any) -> list[Any]:
    """The tool calls of an assistant message, a list of calls, or a Responses ``output`` list."""
    calls = field(message_or_calls, "tool_calls")
    if calls is None and not isinstance(message_or_calls, dict):
        calls = message_or_calls
    items = list(calls or [])
    return [c for c in items if field(c, "function") is not None or field(c, "type") == "function_call"]


def execute_openai_tool_calls(toolset: Toolset, message_or_calls: Any) -> list[dict[str, Any]]:
    """Run every tool call of an assistant message, in order; returns the messages to append."""
    return [execute_openai_tool_call(toolset, call) for call in _calls(message_or_calls)]


async def aexecute_openai_tool_calls(toolset: Toolset, message_or_calls: Any) -> list[dict[str, Any]]:
    """Async twin of :func:`execute_openai_tool_calls` (calls run one after another, as ordered)."""
    return [await aexecute_openai_tool_call(toolset, call) for call in _calls(message_or_calls)]
