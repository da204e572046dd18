"""One way to read a request body, for every route of both CRMs and the control API.

Python's ``json`` is more permissive than JSON and than the CRMs: it takes ``NaN`` and ``Infinity``,
turns ``1e999`` into an infinite float, decodes lone UTF-16 surrogates that no response can encode
again, and raises ``RecursionError`` on deep nesting (a 500, not a 400). A value nested a few hundred
levels deep parses, then breaks whatever walks it next. :func:`parse_json` refuses all of that, and
:class:`BodyLimit` stops reading a body past :data:`MAX_BODY_BYTES`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .badinput import BadInput, quoted

__all__ = ["MAX_BODY_BYTES", "MAX_DEPTH", "BodyLimit", "parse_json", "read_bytes", "read_form", "read_json"]

#: Far above any real call (a batch of 100 records is tens of kilobytes) and small enough to hold.
MAX_BODY_BYTES = 4 * 1024 * 1024
#: Arrays and objects inside one another; a HubSpot search body, the deepest real one, uses five.
MAX_DEPTH = 64
#: Digits of one integer literal in a body (Python refuses strings past 4,300 digits anyway).
MAX_INT_DIGITS = 100

_INT_LIMIT = 10**MAX_INT_DIGITS
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _too_large() -> BadInput:
    return BadInput(f"the request body is larger than {MAX_BODY_BYTES} bytes", status_code=413)


class BodyLimit:
    """ASGI middleware: a body that grows past ``max_bytes`` raises :class:`BadInput` (413) in whoever
    reads it, so a chunked upload without a length cannot fill the memory."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _too_large()
            return message

        await self.app(scope, limited, send)


async def read_bytes(request: Request) -> bytes:
    """The raw body, refused (413) past :data:`MAX_BODY_BYTES` whatever its ``Content-Length`` says."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and len(declared) < 20 and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise _too_large()
    return body


def _refuse_constant(name: str) -> Any:
    raise BadInput(f"the request body holds {name}, which JSON does not allow; send a finite number or null")


def _check_values(value: Any, *, strings: bool) -> None:
    """Depth, integer size and float range of every value; with ``strings``, lone surrogates too."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise BadInput(f"the request body nests arrays and objects deeper than {MAX_DEPTH} levels")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
            if strings and isinstance(item, dict):
                stack.extend((key, depth + 1) for key in item)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise BadInput("the request body holds a number beyond the range of a double (about 1.8e308)")
        elif isinstance(item, int) and not isinstance(item, bool):
            if abs(item) >= _INT_LIMIT:
                raise BadInput(f"the request body holds an integer of more than {MAX_INT_DIGITS} digits")
        elif strings and isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise BadInput(
                    f"the request body holds a lone UTF-16 surrogate in the string {quoted(item)}; "
                    "escape a character outside the BMP as a surrogate pair"
                ) from None


def parse_json(raw: bytes) -> Any:
    """The JSON value of ``raw`` (None for an empty body), or :class:`BadInput` saying what is wrong."""
    if len(raw) > MAX_BODY_BYTES:
        raise _too_large()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"the request body is not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        return None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except BadInput:
        raise
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"the request body is not valid JSON: {exc.msg} on line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise BadInput(f"the request body nests arrays and objects deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # past the interpreter's 4,300-digit limit for integer strings
        raise BadInput(f"the request body holds an integer of more than {MAX_INT_DIGITS} digits") from None
    _check_values(value, strings=_ESCAPED_SURROGATE.search(text) is not None)
    return value


async def read_json(request: Request) -> Any:
    """The request's JSON body (None when empty) through :func:`parse_json`."""
    return parse_json(await read_bytes(request))


async def read_form(request: Request) -> list[tuple[str, str]]:
    """An ``application/x-www-form-urlencoded`` body as pairs; bytes that are not UTF-8 become U+FFFD."""
    raw = (await read_bytes(request)).decode("utf-8", "replace")
    return parse_qsl(raw, keep_blank_values=True)
