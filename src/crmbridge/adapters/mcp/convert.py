"""crmbridge tools and results in MCP's shapes: definitions with annotations, results with
``structuredContent`` plus compact text, errors as ``isError`` results that say who acts next."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import mcp_types as types

from ...engine import ToolResult
from ...errors import CrmBridgeError
from ...spec import Tool
from ..common import result_content

__all__ = [
    "CONFIRMATION_FIELD",
    "error_result",
    "mcp_tool",
    "next_step",
    "plain_result",
    "result_content_of",
    "tool_result",
    "tool_title",
]

#: The argument a model adds to repeat a write the user confirmed (see ``confirm.py``).
CONFIRMATION_FIELD = "confirmation_token"

#: What to do next, by who must act (``errors.py``'s audiences): the model reads this beside the error.
_NEXT_STEP = {
    "model": "Correct the input named in the error (or read the CRM first) and call the tool again.",
    "end_user": "Tell the user: the CRM account must be re-authorised (see authorization_link when present).",
    "nobody": "Nothing to fix: wait retry_after seconds (when given) and call again.",
    "developer": "Retrying will not help: tell the user the integration is misconfigured, quoting the code.",
}


@cache
def _audiences() -> dict[str, str]:
    """Each error code's audience, read from the taxonomy's classes (so a new class needs no entry here)."""
    found: dict[str, str] = {}
    pending: list[type[CrmBridgeError]] = [CrmBridgeError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls.audience)
        pending.extend(cls.__subclasses__())
    return found


def next_step(code: str) -> str:
    """One sentence telling the model what to do about an error ``code``."""
    return _NEXT_STEP.get(_audiences().get(code, "developer"), _NEXT_STEP["developer"])


def tool_title(tool: Tool) -> str:
    """A human title from the tool's name: ``hubspot_contacts_search`` → ``Contacts search (hubspot)``."""
    words = tool.name.removeprefix(f"{tool.provider}_") if tool.provider else tool.name
    title = words.replace("_", " ").strip().capitalize() or tool.name
    return f"{title} ({tool.provider})" if tool.provider else title


def mcp_tool(tool: Tool, *, confirmed: bool = False) -> types.Tool:
    """One tool as MCP lists it. ``confirmed``: the server asks for confirmation before running it, so
    the schema also admits the ``confirmation_token`` the model repeats the call with."""
    schema: dict[str, Any] = dict(tool.input_schema)
    description = tool.description
    if confirmed:
        properties = dict(schema.get("properties") or {})
        properties[CONFIRMATION_FIELD] = {
            "type": "string",
            "description": "Only when repeating this call after the user confirmed it: the token the "
            "first call returned. Leave it out on the first call.",
        }
        schema["properties"] = properties
        description = (
            f"{description}\n\nThe server asks the user to confirm this change before it runs: the first "
            "call returns what would be written and a confirmation token; nothing is written until you "
            "call again with the same arguments plus confirmation_token."
        )
    a = tool.annotations
    return types.Tool(
        name=tool.name,
        title=tool_title(tool),
        description=description,
        input_schema=schema,
        annotations=types.ToolAnnotations(
            title=tool_title(tool),
            read_only_hint=a.read_only,
            destructive_hint=a.destructive,
            idempotent_hint=a.idempotent,
            open_world_hint=True,  # every call reaches a CRM that other people and systems change too
        ),
    )


def _content(structured: Mapping[str, Any], is_error: bool) -> types.CallToolResult:
    text = result_content_of(structured)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content=dict(structured),
        is_error=is_error,
    )


def result_content_of(structured: Mapping[str, Any]) -> str:
    return json.dumps(structured, ensure_ascii=False, separators=(",", ":"), default=str)


def tool_result(result: ToolResult) -> types.CallToolResult:
    """A toolset's result: ``structuredContent`` is ``result.to_dict()`` (the error carrying its
    ``next_step``), the text the same compact JSON every other front end shows a model."""
    if result.ok:
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=result_content(result))],
            structured_content=result.to_dict(),
            is_error=False,
        )
    out = result.to_dict()
    out["error"] = {**out["error"], "next_step": next_step(out["error"]["code"])}
    return _content(out, True)


def error_result(code: str, message: str, *, then: str | None = None, **details: Any) -> types.CallToolResult:
    """An ``isError`` result made here (a refused confirmation, arguments that are not an object);
    ``then`` is its next step when the taxonomy's does not fit."""
    error = {
        "code": code,
        "message": message,
        "retryable": False,
        **details,
        "next_step": then or next_step(code),
    }
    return _content({"ok": False, "error": error}, True)


def plain_result(structured: Mapping[str, Any]) -> types.CallToolResult:
    """A result that is neither data nor an error (the server asking for confirmation)."""
    return _content(structured, False)
