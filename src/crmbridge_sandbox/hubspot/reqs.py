"""Request helpers of the search and associations routes: multi-type scopes and record ids.

Type resolution and per-type scopes come from common.py so every route family agrees on them.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from .. import numbers
from . import common
from .auth import Access, authenticate, require_access
from .errors import missing_scopes
from .store import ObjectType, Portal, Record


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
    return numbers.id_or_none(raw)


def live_record(portal: Portal, t: ObjectType, raw_id: Any) -> Record | None:
    """The non-archived record with this id, if any."""
    rid = record_id(raw_id)
    table = portal.tables.get(t.type_id)
    if rid is None or table is None:
        return None
    record = table.records.get(rid)
    return record if record is not None and not record.archived else None
