"""Anthropic tool use: tool definitions and the execution of a model's ``tool_use`` blocks.

A definition is ``{"name", "description", "input_schema"}``; with ``strict=True`` it carries the
strict variant of the schema and ``"strict"`` (Anthropic's strict tool use, grammar-constrained inputs;
a tool whose input is a free-form map stays ``"strict": false`` with its plain schema, as for OpenAI).
A ``tool_use`` block runs through the
toolset like every other front end and becomes a ``tool_result`` block whose content is
the JSON of ``ToolResult.to_dict()``; failed calls set ``is_error`` so the model knows to correct itself.
"""

from __future__ import annotations

from typing import Any

from ..engine import ToolResult, tool_definition
from ..spec import Tool
from ..toolsets import Toolset
from .common import ToolSource, field, result_content, tools_of

__all__ = [
    "aexecute_anthropic_tool_use",
    "aexecute_anthropic_tool_uses",
    "anthropic_tool",
    "anthropic_tools",
    "execute_anthropic_tool_use",
    "execute_anthropic_tool_uses",
]


def anthropic_tool(tool: Tool, *, strict: bool = False) -> dict[str, Any]:
    """One tool as an Anthropic Messages API tool definition (``strict``: strict tool use)."""
    neutral = tool_definition(tool, strict=strict)
    definition = {
        "name": neutral["name"],
        "description": neutral["description"],
        "input_schema": neutral["input_schema"],
    }
    if strict:
        definition["strict"] = neutral["strict"]
    return definition


def anthropic_tools(source: ToolSource, *, strict: bool = False) -> list[dict[str, Any]]:
    """The ``tools=[...]`` argument of ``messages.create``: a toolset's tools."""
    return [anthropic_tool(t, strict=strict) for t in tools_of(source)]


def _reply(block_id: str, result: ToolResult) -> dict[str, Any]:
    return {
        "type": "tool_result",
        "tool_use_id": block_id,
        "content": result_content(result),
        "is_error": not result.ok,
    }


def execute_anthropic_tool_use(toolset: Toolset, block: Any) -> dict[str, Any]:
    """Run one ``tool_use`` block (dict or SDK object) and return its ``tool_result`` block."""
    result = toolset.call_tool_sync(str(field(block, "name", "")), field(block, "input"))
    return _reply(str(field(block, "id", "")), result)


async def aexecute_anthropic_tool_use(toolset: Toolset, block: Any) -> dict[str, Any]:
    """Async twin of :func:`execute_anthropic_tool_use`."""
    result = await toolset.call_tool(str(field(block, "name", "")), field(block, "input"))
    return _reply(str(field(block, "id", "")), result)


def _tool_uses(message_or_content: Any) -> list[Any]:
    """The ``tool_use`` blocks of an assistant message or of its ``content`` list."""
    content = field(message_or_content, "content")
    if content is None and not isinstance(message_or_content, dict):
        content = message_or_content
    if isinstance(content, str):
        return []
    return [block for block in content or [] if field(block, "type") == "tool_use"]


def execute_anthropic_tool_uses(toolset: Toolset, message_or_content: Any) -> list[dict[str, Any]]:
    """Run every ``tool_use`` block of an assistant message, in order; returns the ``tool_result``
    blocks for the next ``{"role": "user", "content": [...]}`` message."""
    return [execute_anthropic_tool_use(toolset, block) for block in _tool_uses(message_or_content)]


async def aexecute_anthropic_tool_uses(toolset: Toolset, message_or_content: Any) -> list[dict[str, Any]]:
    """Async twin of :func:`execute_anthropic_tool_uses`."""
    return [await aexecute_anthropic_tool_use(toolset, block) for block in _tool_uses(message_or_content)]
