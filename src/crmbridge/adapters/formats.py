"""``tools_for``: a toolset's definitions in the format a model vendor's API takes, by name."""

from __future__ import annotations

from typing import Any, Literal

from ..errors import ConfigurationError
from .anthropic import anthropic_tools
from .common import ToolSource
from .openai import openai_tools

__all__ = ["Format", "tools_for"]

Format = Literal["openai", "openai-responses", "anthropic"]


def tools_for(source: ToolSource, format: Format, *, strict: bool = False) -> list[dict[str, Any]]:
    """Definitions for OpenAI Chat Completions, the OpenAI Responses API or Anthropic Messages
    (``strict``: the vendor's strict mode with each tool's strict schema, where the schema allows it)."""
    if format == "anthropic":
        return anthropic_tools(source, strict=strict)
    if format == "openai":
        return openai_tools(source, strict=strict)
    if format == "openai-responses":
        return openai_tools(source, strict=strict, api="responses")
    raise ConfigurationError(
        f"Unknown tool format {format!r}; use openai, openai-responses or anthropic.", field="format"
    )
