"""What every association batch route reads and answers, v3 and v4 alike: the path's object-type pair,
the ``inputs`` list, per-input ``OBJECT_NOT_FOUND`` errors and the ``BatchResponse`` envelope (207 when
any input failed)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import assoccore
from .errors import require, validation
from .reqs import access_for
from .store import ObjectType, Portal


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
