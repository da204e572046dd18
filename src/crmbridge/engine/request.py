"""Turn a validated tool input into the HTTP call the tool declares.

Values that go into the URL are bounded here, by field: an id, an email or a name is never 1,000
characters long, and a URL that long is refused by the CRMs (or by httpx, past 64 KB) with no word on
which value was at fault. A request that cannot be encoded at all is the input's fault as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from ..errors import InvalidInput

if TYPE_CHECKING:
    from ..spec import Tool

__all__ = ["PlannedRequest", "build_request", "placeholders", "plan_request", "query_scalar"]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: Longest value placed in the URL path (an id, or an email when the tool looks records up by it).
MAX_PATH_VALUE = 1_000
#: Longest query-string value (a search term, a cursor, a list of property names).
MAX_QUERY_VALUE = 8_000


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


def _query_value(name: str, value: Any) -> Any:
    """A tool's list-valued query field is one comma-joined parameter (``properties=a,b``)."""
    if isinstance(value, list | tuple):
        value = ",".join(query_scalar(v) for v in value)
    length = len(query_scalar(value))
    if length > MAX_QUERY_VALUE:
        raise InvalidInput(
            f"'{name}' is {length:,} characters long; at most {MAX_QUERY_VALUE:,} fit in a request.",
            field=name,
        )
    return value


def _path_value(name: str, value: Any) -> str:
    text = str(value)
    if len(text) > MAX_PATH_VALUE:
        raise InvalidInput(
            f"'{name}' is {len(text):,} characters long; an id is at most {MAX_PATH_VALUE:,}.", field=name
        )
    if text.strip() in (".", ".."):
        raise InvalidInput(f"'{name}' cannot be {text!r}; give the record's id.", field=name)
    return quote(text, safe="")


def build_request(client: httpx.AsyncClient, method: str, url: str, body: Any) -> httpx.Request:
    """The request to send; one that cannot be encoded (a URL over httpx's limits, a body that is not
    JSON) is refused as ``invalid_input``. Resolvers' requests get the field they resolve added."""
    try:
        return client.build_request(method, url, json=body)
    except httpx.InvalidURL as exc:
        raise InvalidInput(
            f"A value is too long or malformed to be sent in the URL ({exc}); give a shorter id, name or cursor."
        ) from None
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise InvalidInput(f"The input cannot be sent as JSON ({exc}).") from None


def plan_request(tool: Tool, args: dict[str, Any]) -> PlannedRequest:
    used = set(placeholders(tool.path))

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = args.get(name)
        if value is None or value == "":
            raise InvalidInput(f"'{name}' is required.", field=name)
        return _path_value(name, value)

    path = _PLACEHOLDER.sub(fill, tool.path)
    params = {k: _query_value(k, args[k]) for k in tool.query if args.get(k) is not None} or None
    used.update(tool.query)
    rest = {k: v for k, v in args.items() if k not in used}
    body: Any = None
    if tool.body == "rest":
        body = rest
    elif tool.body == "properties":
        body = {k: rest[k] for k in tool.body_extra if k in rest}
        body["properties"] = {k: v for k, v in rest.items() if k not in tool.body_extra}
    return PlannedRequest(tool.method, path, params, body)
