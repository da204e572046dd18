"""LangChain tools over the Bridge: ``get_tools(connection_name=…, identifier=…)`` as in seed 003.

Each tool is a ``StructuredTool`` whose ``args_schema`` is the tool's own JSON schema (no pydantic
model in between, so what the model sees is exactly what the engine validates). Sync and async calls
both go through the Bridge; the model reads the JSON of ``ToolResult.to_dict()``, errors included,
and nothing is raised, so an agent loop keeps going and the model can fix its input. The full
``ToolResult`` rides along as the ``ToolMessage`` artifact for code that wants ``data`` or ``raw``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from langchain_core.tools import StructuredTool

from ..engine import ToolResult
from ..spec import Tool
from .common import get_default_bridge, result_content, select_tools, set_default_bridge

if TYPE_CHECKING:
    from ..core import Bridge

__all__ = ["get_default_bridge", "get_tools", "langchain_tool", "set_default_bridge"]


def langchain_tool(
    bridge: Bridge, tool: Tool, *, identifier: str, connection_name: str | None = None
) -> StructuredTool:
    """One catalog tool bound to one user's account, as a LangChain ``StructuredTool``."""
    name = tool.name

    def run(**tool_input: Any) -> tuple[str, ToolResult]:
        result = bridge.execute_tool(
            identifier=identifier, tool_name=name, tool_input=tool_input, connection_name=connection_name
        )
        return result_content(result), result

    async def arun(**tool_input: Any) -> tuple[str, ToolResult]:
        result = await bridge.aexecute_tool(
            identifier=identifier, tool_name=name, tool_input=tool_input, connection_name=connection_name
        )
        return result_content(result), result

    return StructuredTool(
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
    connection_name: str,
    identifier: str,
    *,
    bridge: Bridge | None = None,
    tool_names: Iterable[str] | None = None,
) -> list[StructuredTool]:
    """LangChain tools for user ``identifier`` on connection ``connection_name``.

    The connection decides the provider, so ``connection_name="hubspot"`` yields the HubSpot tools.
    ``tool_names`` narrows the list (a smaller tool list costs the model fewer tokens). Without
    ``bridge``, the process default (:func:`get_default_bridge`) is used. An unknown connection or tool
    name raises at once: it is a set-up mistake, not something the model can fix.
    """
    bridge = bridge if bridge is not None else get_default_bridge()
    provider = bridge.accounts.connection(connection_name).provider
    return [
        langchain_tool(bridge, tool, identifier=identifier, connection_name=connection_name)
        for tool in select_tools(provider, tool_names)
    ]
