"""LangChain tools over a toolset: ``get_tools(toolset)``, or seed 003's ``get_tools(connection_name=…,
identifier=…)`` with ``bridge=``.

Each tool is a ``StructuredTool`` whose ``args_schema`` is the tool's own JSON schema (no pydantic
model in between, so what the model sees is exactly what the engine validates). Sync and async calls
both go through the toolset; the model reads the JSON of ``ToolResult.to_dict()``, errors included,
and nothing is raised, so an agent loop keeps going and the model can fix its input. The full
``ToolResult`` rides along as the ``ToolMessage`` artifact for code that wants ``data`` or ``raw``, and a
failed call's ``ToolMessage`` has ``status="error"``, as frameworks expect of a tool that did not succeed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import StructuredTool

from ..engine import ToolResult
from ..errors import ConfigurationError
from ..spec import Tool
from ..toolsets import Toolset
from .common import result_content

if TYPE_CHECKING:
    from ..core import Bridge

__all__ = ["CrmTool", "get_tools", "langchain_tool"]


class CrmTool(StructuredTool):
    """A ``StructuredTool`` whose ``ToolMessage`` says ``status="error"`` when the call failed.

    LangChain sets the status only for exceptions, and raising would lose the result the model must
    read; so the result is returned as usual and the message's status set from its artifact.
    """

    def run(self, *args: Any, **kwargs: Any) -> Any:
        return _with_status(super().run(*args, **kwargs))

    async def arun(self, *args: Any, **kwargs: Any) -> Any:
        return _with_status(await super().arun(*args, **kwargs))


def _with_status(output: Any) -> Any:
    """A ``ToolMessage`` (the tool was invoked with a tool call) of a failed call gets ``"error"``."""
    if isinstance(output, ToolMessage) and isinstance(output.artifact, ToolResult) and not output.artifact.ok:
        output.status = "error"
    return output


def langchain_tool(toolset: Toolset, tool: Tool) -> CrmTool:
    """One tool of a toolset as a LangChain ``StructuredTool``."""
    name = tool.name

    def run(**tool_input: Any) -> tuple[str, ToolResult]:
        result = toolset.call_tool_sync(name, tool_input)
        return result_content(result), result

    async def arun(**tool_input: Any) -> tuple[str, ToolResult]:
        result = await toolset.call_tool(name, tool_input)
        return result_content(result), result

    return CrmTool(
        name=name,
        description=tool.description,
        args_schema=copy.deepcopy(dict(tool.input_schema)),
        func=run,
        coroutine=arun,
        response_format="content_and_artifact",
        metadata={
            "provider": tool.provider,
            "annotations": tool.annotations.to_dict(),
            "scopes": list(tool.scopes),
        },
    )


def get_tools(
    toolset: Toolset | None = None,
    *,
    bridge: Bridge | None = None,
    connection_name: str | None = None,
    identifier: str | None = None,
    tool_names: Iterable[str] | None = None,
) -> list[CrmTool]:
    """LangChain tools for a toolset, or (seed 003's shape) for user ``identifier`` on connection
    ``connection_name`` of ``bridge``: ``get_tools(bridge=bridge, connection_name="hubspot",
    identifier="user_1")``. The connection decides the provider; ``tool_names`` narrows the list (a
    smaller list costs the model fewer tokens). An unknown connection or tool name raises at once: it
    is a set-up mistake, not something the model can fix.
    """
    if toolset is None:
        if bridge is None or not identifier:
            raise ConfigurationError(
                "get_tools needs a toolset, or bridge=, connection_name= and identifier= "
                "(e.g. get_tools(bridge=bridge, connection_name='hubspot', identifier='user_1'))."
            )
        toolset = bridge.toolset(identifier=identifier, connection_name=connection_name, tools=tool_names)
        tool_names = None
    tools = list(toolset.list_tools())
    if tool_names is not None:
        by_name = {t.name: t for t in tools}
        missing = [n for n in tool_names if n not in by_name]
        if missing:
            raise ConfigurationError(f"These tools are not in the toolset: {', '.join(missing)}.")
        tools = [by_name[n] for n in tool_names]
    return [langchain_tool(toolset, tool) for tool in tools]
