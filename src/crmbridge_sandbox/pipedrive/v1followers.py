"""v1 followers of deals, persons, organizations and products: list, add, remove.

They are the v2 followers (followers.py) seen through v1: one store, so a follower added through either
version shows in both, and every add and remove lands in the v2 changelog. v1 names each follow relation
by its own ``id`` (the ``follower_id`` that ``DELETE`` takes, per the spec's "ID of the follower"), next
to the follower's ``user_id``; v2 names a follower by its user id only. Items carry the record's id under
the spec's key (``deal_id``, ``person_id``, ``org_id``, ``product_id``) and a v1 ``add_time``.

Choices without evidence: the spec's list models disagree on the page data (deals, persons and products
show a flat ``additional_data``; organizations ``additional_data.pagination``); the sandbox answers every
one with ``additional_data.pagination``, as its other v1 lists do. A second follow of the same user is a
400 and an unknown relation id a 404, as in v2. The spec lists no token costs for these operations; the
sandbox charges the nearest v1 ones (list 20, add 10, delete 6).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from .auth import require_access
from .common import JSON, coerce_form_ints, now_of, offset_page, ok, parse_time, v1_body, v1_time
from .entity import find, gone
from .errors import PipedriveError
from .followers import ENTITIES, follow, following, unfollow
from .validate import WriteCtx

#: the key v1 names the followed record by, per entity
RECORD_KEY = {"deal": "deal_id", "person": "person_id", "organization": "org_id", "product": "product_id"}


def item(key: int, follower: JSON) -> JSON:
    """One follow relation in v1's shape."""
    added = parse_time(follower["add_time"])
    return {
        "id": key,
        "user_id": follower["user_id"],
        RECORD_KEY[follower["entity"]]: follower["entity_id"],
        "add_time": v1_time(added if added is not None else 0),
    }


def _routes(segment: str) -> list[BaseRoute]:
    table, entity, read, write = ENTITIES[segment]

    async def list_(request: Request) -> Response:
        access = require_access(request, scopes_any=read, cost=20)
        row = find(access.company, table, request.path_params["id"], now_of(request))
        relations = list(following(access.company, entity, row["id"]).items())
        page, pagination = offset_page(request, relations)
        return ok([item(key, f) for key, f in page], {"pagination": pagination})

    async def add(request: Request) -> Response:
        access = require_access(request, scopes_any=write, cost=10)
        row = find(access.company, table, request.path_params["id"], now_of(request))
        if row.get("is_deleted"):
            raise gone()
        body = coerce_form_ints(await v1_body(request), ("user_id",))
        ctx = WriteCtx(access.company, access.user, now_of(request))
        key, follower = follow(ctx, entity, row["id"], body)
        return ok(item(key, follower))

    async def remove(request: Request) -> Response:
        access = require_access(request, scopes_any=write, cost=6)
        row = find(access.company, table, request.path_params["id"], now_of(request))
        if row.get("is_deleted"):
            raise gone()
        key = request.path_params["follower_id"]
        if key not in following(access.company, entity, row["id"]):
            raise PipedriveError(
                404, f"Follower {key} of this {entity} was not found", error_info="Object was not found."
            )
        unfollow(WriteCtx(access.company, access.user, now_of(request)), entity, row["id"], key)
        return ok({"id": key})

    base = f"/v1/{segment}/{id_param('id')}/followers"
    return [
        Route(base, list_, methods=["GET"]),
        Route(base, add, methods=["POST"]),
        Route(base + "/" + id_param("follower_id"), remove, methods=["DELETE"]),
    ]


routes: list[BaseRoute] = [r for segment in ENTITIES for r in _routes(segment)]
