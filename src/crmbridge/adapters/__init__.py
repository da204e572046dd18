"""Front ends over toolsets: tool formats and tool-call execution for OpenAI, Anthropic and LangChain.

``crmbridge.adapters.openai`` and ``crmbridge.adapters.anthropic`` need no extra package;
``crmbridge.adapters.langchain`` needs ``langchain-core`` and is imported only when asked for.
"""

from __future__ import annotations

from .anthropic import (
    aexecute_anthropic_tool_use,
    aexecute_anthropic_tool_uses,
    anthropic_tool,
    anthropic_tools,
    execute_anthropic_tool_use,
    execute_anthropic_tool_uses,
)
from .common import ToolSource, result_content, tools_of
from .examples import example_input
from .formats import tools_for
from .openai import (
    aexecute_openai_tool_call,
    aexecute_openai_tool_calls,
    execute_openai_tool_call,
    execute_openai_tool_calls,
    openai_tool,
    openai_tools,
)

__all__ = [
    "ToolSource",
    "aexecute_anthropic_tool_use",
    "aexecute_anthropic_tool_uses",
    "aexecute_openai_tool_call",
    "aexecute_openai_tool_calls",
    "anthropic_tool",
    "anthropic_tools",
    "example_input",
    "execute_anthropic_tool_use",
    "execute_anthropic_tool_uses",
    "execute_openai_tool_call",
    "execute_openai_tool_calls",
    "openai_tool",
    "openai_tools",
    "result_content",
    "tools_for",
    "tools_of",
]
