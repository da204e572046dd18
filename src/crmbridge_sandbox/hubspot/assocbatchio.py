"""What every association batch route reads and answers, v3 and v4 alike: the path's object-type pair,
the ``inputs`` list, per-input ``OBJECT_NOT_FOUND`` errors, the batch read's paged entries and the
``BatchResponse`` envelope (207 when any input failed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import assoccore
from .errors import require, validation
from .reqs import access_for, live_record, record_id
from .store import ObjectType, Portal

MAX_READ_INPUTS = 1000
READ_PAGE = 500


def pair(request: Request, *, write: bool) -> tuple[Portal, ObjectType, ObjectType]:
    """The portal and the ``{fromObjectType}``/``{toObjectType}`` pair, scopes checked."""
    p = request.path_params
    access, (a, b) = access_for(request, (p["fromObjectType"], p["toObjectType"]), write=write)
    return access.portal, a, b


def inputs(
    raw: Any, limit: int | None = None, *, required: tuple[str, ...] = (), schema: str = ""
) -> list[dict[str, Any]]:
    """The ``inputs`` list; an input lacking a ``required`` attribute of ``schema`` refuses the batch."""
    items = raw.get("inputs") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise validation("The body must be an object with an 'inputs' list of objects.")
    for item in items:
        require(item, required, schema)
    if limit is not None and len(items) > limit:
        raise validation(f"Too many inputs: {len(items)} were given, the maximum is {limit}.")
    return items


def answer(
    request: Request, started: str, results: list[Any], errors: list[dict[str, Any]], ok: int
) -> Response:
    """The batch envelope: ``ok`` when every input succeeded, else 207 with ``errors``/``numErrors``."""
    body: dict[str, Any] = {"status": "COMPLETE", "results": results}
    if errors:
        body["errors"] = errors
        body["numErrors"] = len(errors)
    body["startedAt"] = started
    body["completedAt"] = assoccore.now_iso(request)
    return JSONResponse(body, status_code=207 if errors else ok)


def not_found(t: ObjectType, raw_id: Any) -> dict[str, Any]:
    return assoccore.batch_error(
        "OBJECT_NOT_FOUND", f"No {t.singular} with ID {raw_id} exists.", {"id": [str(raw_id)]}
    )


def read_entries(
    portal: Portal,
    a: ObjectType,
    b: ObjectType,
    items: list[dict[str, Any]],
    targets: Callable[[int], list[Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A batch read's results and errors: per input, one page of ``targets(record id)`` from its
    ``after`` (``READ_PAGE`` at a time), or an error for a missing record or one with no associations."""
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        raw_id = item.get("id")
        record = live_record(portal, a, raw_id)
        if record is None:
            errors.append(not_found(a, raw_id))
            continue
        found = targets(record.id)
        if not found:
            errors.append(
                assoccore.batch_error(
                    "OBJECT_NOT_FOUND",
                    f"No {b.singular} is associated with {a.singular} {record.id}.",
                    {"fromObjectId": [str(record.id)]},
                    "crm.associations.NO_ASSOCIATIONS_FOUND",
                )
            )
            continue
        offset = record_id(item.get("after")) or 0
        entry: dict[str, Any] = {"from": {"id": str(record.id)}, "to": found[offset : offset + READ_PAGE]}
        if offset + READ_PAGE < len(found):
            entry["paging"] = {"next": {"after": str(offset + READ_PAGE)}}
        results.append(entry)
    return results, errors
