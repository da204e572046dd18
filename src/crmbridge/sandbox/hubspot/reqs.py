"""Request helpers of the search and associations routes: any-JSON bodies, multi-type scopes, record ids.

Type resolution and per-type scopes come from common.py so every route family agrees on them.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from . import common
from .auth import Access, authenticate, require_access
from .errors import missing_scopes, validation
from .store import ObjectType, Portal, Record


async def json_body(request: Request) -> Any:
    """The parsed body; a 400 in HubSpot's words when it is not JSON."""
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        column = getattr(exc, "colno", 1)
        raise validation(f"Invalid input JSON on line {line}, column {column}: {exc}") from None


def scopes_for(t: ObjectType, *, write: bool) -> tuple[str, ...]:
    return common.write_scopes(t) if write else common.read_scopes(t)


def access_for(
    request: Request, refs: tuple[str, ...], *, write: bool = False, search: bool = False
) -> tuple[Access, list[ObjectType]]:
    """Authenticate, resolve every type in ``refs`` and require the read/write scopes of each of them.

    The first type goes through ``require_access`` (which also counts the request); the others are checked
    against the same grant.
    """
    portal = authenticate(request).portal
    types = [common.resolve_type(portal, ref) for ref in refs]
    access = require_access(request, scopes_for(types[0], write=write), search=search)
    for other in types[1:]:
        needed = scopes_for(other, write=write)
        if needed and not access.scopes.intersection(needed):
            raise missing_scopes(list(needed))
    return access, types


def record_id(raw: Any) -> int | None:
    """A record id from a path or body (``"123"`` or ``123``); None when it is not one."""
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    return int(text) if text.isdigit() else None


def live_record(portal: Portal, t: ObjectType, raw_id: Any) -> Record | None:
    """The non-archived record with this id, if any."""
    rid = record_id(raw_id)
    table = portal.tables.get(t.type_id)
    if rid is None or table is None:
        return None
    record = table.records.get(rid)
    return record if record is not None and not record.archived else None


def int_param(raw: str | None, name: str, default: int, maximum: int) -> int:
    """A bounded integer query/body parameter; 400 naming the bound when outside it."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise validation(f"{name} must be an integer, got {raw!r}.") from None
    if value < 0:
        raise validation(f"{name} must be at least 0, got {value}.")
    if value > maximum:
        raise validation(f"{name} must be less than or equal to {maximum}, got {value}.")
    return value
