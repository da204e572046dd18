"""``POST /v1/deals/{id}/duplicate``: a copy of a deal under a new id, answered (200) in v1's deal shape.

The spec says only "Duplicates a deal". The sandbox's choice: the copy keeps every field of the deal as
it is (title unchanged, owner, person, organization, stage, status, value, labels, custom fields), gets
a new id, fresh ``add_time``/``update_time`` and the caller as creator, and brings copies of the deal's
products, discounts and installments (so its value stays the products' discounted sum). Followers,
activities, notes and participants are not copied. A soft-deleted deal cannot be duplicated (410, as
writes to it answer). The request takes no body. Cost: the spec lists none; the sandbox charges 10, as
for a v1 write.
"""

from __future__ import annotations

import copy
import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from . import dealvalue, v1deal
from .auth import require_access
from .common import now_of, ok, rfc3339
from .entity import find, gone
from .store import Company

WRITE = ("deals:full",)

#: the deal's sub-resources copied with it, and how a copy gets its id
PARTS = ("deal_products", "deal_discounts", "deal_installments")


def _copy_parts(company: Company, source_id: int, copy_id: int, now: float) -> None:
    for name in PARTS:
        table = dealvalue.table(company, name)
        for old in [r for r in table.live() if r["deal_id"] == source_id]:
            row = {**copy.deepcopy(old), "deal_id": copy_id}
            if isinstance(old["id"], str):  # discounts: uuid ids, ordered by a counter
                row.update(id=str(uuid.uuid4()), _order=table.new_id())
            else:
                row["id"] = table.new_id()
            for stamp in ("add_time", "update_time"):
                if stamp in row:
                    row[stamp] = rfc3339(now)
            table.rows[row["id"]] = row


async def duplicate(request: Request) -> Response:
    access = require_access(request, scopes_any=WRITE, cost=10)
    company, now = access.company, now_of(request)
    source = find(company, "deals", request.path_params["id"], now)
    if source.get("is_deleted"):
        raise gone()
    table = company.tables["deals"]
    row = {k: v for k, v in copy.deepcopy(source).items() if not k.startswith("_")}
    row.update(
        id=table.new_id(), creator_user_id=access.user.id, add_time=rfc3339(now), update_time=rfc3339(now)
    )
    table.rows[row["id"]] = row
    _copy_parts(company, source["id"], row["id"], now)
    return ok(v1deal.render(company, row))


routes: list[BaseRoute] = [
    Route("/v1/deals/" + id_param("id") + "/duplicate", duplicate, methods=["POST"]),
]
