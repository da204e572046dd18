"""``POST /api/v2/products/{id}/duplicate`` (v2): a copy of a product under a new id, answered with 201.

The client's description: the copy includes "all variations, prices, and custom fields" (Pipedrive's
changelog adds the image; the sandbox keeps no images). The spec does not say which values the copy
changes, so the sandbox keeps every field as it is (name, owner, code, ...) and gives the copy, its
prices and its variations new ids and fresh ``add_time``/``update_time``. Followers and deal attachments
are not copied. The request takes no body. A soft-deleted product cannot be duplicated (410, as writes
to it answer).
"""

from __future__ import annotations

import copy

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from . import variations
from .auth import require_access
from .common import now_of, ok, rfc3339
from .entity import find, gone, render

WRITE = ("products:full",)


async def duplicate(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=10)
    company, now = access.company, now_of(request)
    variations.sweep(company, now)
    source = find(company, "products", request.path_params["id"], now)
    if source.get("is_deleted"):
        raise gone()
    table = company.tables["products"]
    row = copy.deepcopy(source)
    row.update(id=table.new_id(), add_time=rfc3339(now), update_time=rfc3339(now))
    row["prices"] = [{**p, "product_id": row["id"]} for p in row.get("prices") or []]
    table.rows[row["id"]] = row
    kept = variations.table_of(company)
    for old in sorted(variations.of_product(company, source["id"]), key=lambda v: int(v["id"])):
        new_id = kept.new_id()
        kept.rows[new_id] = {
            "id": new_id,
            "name": old["name"],
            "product_id": row["id"],
            "prices": variations.priced(new_id, copy.deepcopy(old["prices"])),
        }
    return ok(render(company, "product", row), status_code=201)


routes: list[BaseRoute] = [
    Route("/api/v2/products/" + id_param("id") + "/duplicate", duplicate, methods=["POST"]),
]
