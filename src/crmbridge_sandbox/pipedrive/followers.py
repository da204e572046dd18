"""Followers (v2) of deals, persons, organizations and products: list, add, remove, changelog.

A follower is a user of the company; following twice is a 400, removing a user who does not follow is a
404. Every add and remove is written to the entity's follower changelog. Followers of a deleted entity
answer like the entity itself (410 for writes once it is soft-deleted).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from .auth import require_access
from .common import JSON, cursor_page, json_body, now_of, ok, rfc3339
from .entity import find, gone
from .errors import PipedriveError, bad_request
from .store import Company, EntityTable
from .validate import WriteCtx, apply, user_ref

#: path segment → (table, entity name in follower rows, read scopes, write scopes)
ENTITIES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "deals": ("deals", "deal", ("deals:read", "deals:full"), ("deals:full",)),
    "persons": ("persons", "person", ("contacts:read", "contacts:full"), ("contacts:full",)),
    "organizations": (
        "organizations",
        "organization",
        ("contacts:read", "contacts:full"),
        ("contacts:full",),
    ),
    "products": ("products", "product", ("products:read", "products:full"), ("products:full",)),
}


def followers_of(company: Company) -> EntityTable:
    return company.tables.setdefault("followers", EntityTable())


def changelog_of(company: Company) -> EntityTable:
    return company.tables.setdefault("follower_changelog", EntityTable())


def following(company: Company, entity: str, entity_id: int) -> dict[int, JSON]:
    """The follow relations of one record, keyed by relation id (v1's follower ``id``), oldest first."""
    return {
        key: f
        for key, f in followers_of(company).rows.items()
        if f["entity"] == entity and f["entity_id"] == entity_id
    }


def follow(ctx: WriteCtx, entity: str, entity_id: int, body: JSON) -> tuple[int, JSON]:
    """Validate ``body``'s user_id and add the relation (v1 and v2 share it); returns its id and row."""
    if body.get("user_id") is None:
        raise bad_request("Field 'user_id' is required")
    user_id = apply(ctx, {"user_id": user_ref}, body)["user_id"]
    if any(f["user_id"] == user_id for f in following(ctx.company, entity, entity_id).values()):
        raise bad_request(f"User {user_id} already follows this {entity}")
    follower: JSON = {
        "entity": entity,
        "entity_id": entity_id,
        "user_id": user_id,
        "add_time": rfc3339(ctx.now),
    }
    store = followers_of(ctx.company)
    key = store.new_id()
    store.rows[key] = follower
    _log(ctx, entity, entity_id, "added", user_id)
    return key, follower


def unfollow(ctx: WriteCtx, entity: str, entity_id: int, key: int) -> None:
    """Remove one relation by id, and log it."""
    follower = followers_of(ctx.company).rows.pop(key)
    _log(ctx, entity, entity_id, "removed", follower["user_id"])


def _log(ctx: WriteCtx, entity: str, entity_id: int, action: str, user_id: int) -> None:
    table = changelog_of(ctx.company)
    table.rows[table.new_id()] = {
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "actor_user_id": ctx.user.id,
        "follower_user_id": user_id,
        "time": rfc3339(ctx.now),
    }


def _routes(segment: str) -> list[BaseRoute]:
    table, entity, read, write = ENTITIES[segment]

    def target(request: Request, company: Company, *, writing: bool) -> JSON:
        row = find(company, table, request.path_params["id"], now_of(request))
        if writing and row.get("is_deleted"):
            raise gone()
        return row

    async def list_(request: Request) -> Response:
        access = require_access(request, scopes_any=read, cost=10)
        row = target(request, access.company, writing=False)
        rows = list(following(access.company, entity, row["id"]).values())
        page, next_cursor = cursor_page(request, rows)
        return ok(
            [{"user_id": f["user_id"], "add_time": f["add_time"]} for f in page], {"next_cursor": next_cursor}
        )

    async def add(request: Request) -> Response:
        access = require_access(request, scopes_any=write, cost=5)
        row = target(request, access.company, writing=True)
        ctx = WriteCtx(access.company, access.user, now_of(request))
        _key, follower = follow(ctx, entity, row["id"], await json_body(request))
        # 201, as the v2 spec documents for all four follower adds (decision 017, fourth pass).
        return ok({"user_id": follower["user_id"], "add_time": follower["add_time"]}, status_code=201)

    async def remove(request: Request) -> Response:
        access = require_access(request, scopes_any=write, cost=3)
        row = target(request, access.company, writing=True)
        user_id = request.path_params["follower_id"]
        relations = following(access.company, entity, row["id"])
        key = next((k for k, f in relations.items() if f["user_id"] == user_id), None)
        if key is None:
            raise PipedriveError(
                404, f"User {user_id} does not follow this {entity}", error_info="Object was not found."
            )
        unfollow(WriteCtx(access.company, access.user, now_of(request)), entity, row["id"], key)
        return ok({"user_id": user_id})

    async def changelog(request: Request) -> Response:
        access = require_access(request, scopes_any=read, cost=10)
        row = target(request, access.company, writing=False)
        entries = [
            {k: e[k] for k in ("action", "actor_user_id", "follower_user_id", "time")}
            for e in changelog_of(access.company).rows.values()
            if e["entity"] == entity and e["entity_id"] == row["id"]
        ]
        page, next_cursor = cursor_page(request, entries)
        return ok(page, {"next_cursor": next_cursor})

    base = f"/api/v2/{segment}/{id_param('id')}/followers"
    return [
        Route(base, list_, methods=["GET"]),
        Route(base, add, methods=["POST"]),
        Route(base + "/changelog", changelog, methods=["GET"]),
        Route(base + "/" + id_param("follower_id"), remove, methods=["DELETE"]),
    ]


routes: list[BaseRoute] = [r for segment in ENTITIES for r in _routes(segment)]
