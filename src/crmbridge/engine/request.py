"""Turn a validated tool input into the HTTP call the tool declares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..errors import InvalidInput

if TYPE_CHECKING:
    from ..spec import Tool

__all__ = ["PlannedRequest", "placeholders", "plan_request", "query_scalar"]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholders(path: str) -> list[str]:
    return _PLACEHOLDER.findall(path)


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    method: str
    path: str
    params: dict[str, Any] | None
    json: Any


def query_scalar(value: Any) -> str:
    """A query-string value as the CRMs read it: booleans lower-case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _query_value(value: Any) -> Any:
    """A tool's list-valued query field is one comma-joined parameter (``properties=a,b``)."""
    if isinstance(value, list | tuple):
        return ",".join(query_scalar(v) for v in value)
    return value


def plan_request(tool: Tool, args: dict[str, Any]) -> PlannedRequest:
    used = set(placeholders(tool.path))

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = args.get(name)
        if value is None or value == "":
            raise InvalidInput(f"'{name}' is required.", field=name)
        return quote(str(value), safe="")

    path = _PLACEHOLDER.sub(fill, tool.path)
    params = {k: _query_value(args[k]) for k in tool.query if args.get(k) is not None} or None
    used.update(tool.query)
    rest = {k: v for k, v in args.items() if k not in used}
    body: Any = None
    if tool.body == "rest":
        body = rest
    elif tool.body == "properties":
        body = {k: rest[k] for k in tool.body_extra if k in rest}
        body["properties"] = {k: v for k, v in rest.items() if k not in tool.body_extra}
    return PlannedRequest(tool.method, path, params, body)
