"""``/crm/v3/owners``: the portal's users as record owners (``hubspot_owner_id`` holds the owner id)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from .auth import require_access
from .common import flag, int_param, next_link
from .errors import not_found, validation
from .serialize import iso
from .store import Owner

SCOPES = ("crm.objects.owners.read",)


def owner_json(owner: Owner) -> dict[str, Any]:
    return {
        "id": owner.id,
        "email": owner.email,
        "type": owner.type,
        "firstName": owner.first_name,
        "lastName": owner.last_name,
        "userId": owner.user_id,
        "userIdIncludingInactive": owner.user_id,
        "teams": [dict(t) for t in owner.teams],
        "createdAt": iso(owner.created_at),
        "updatedAt": iso(owner.updated_at),
        "archived": owner.archived,
    }


async def list_owners(request: Request) -> JSONResponse:
    access = require_access(request, scopes_any=SCOPES)
    limit = int_param(request, "limit", 100, low=1, high=500)
    archived = flag(request, "archived")
    email = (request.query_params.get("email") or "").strip().lower()
    start = int_param(request, "after", 0, low=0, high=2**62)
    found = sorted(
        (
            o
            for o in access.portal.owners
            if o.archived == archived and int(o.id) >= start and (not email or o.email.lower() == email)
        ),
        key=lambda o: int(o.id),
    )
    body: dict[str, Any] = {"results": [owner_json(o) for o in found[:limit]]}
    if len(found) > limit:
        cursor = found[limit].id
        body["paging"] = {"next": {"after": cursor, "link": next_link(request, cursor)}}
    return JSONResponse(body)


async def get_owner(request: Request) -> JSONResponse:
    access = require_access(request, scopes_any=SCOPES)
    ref = request.path_params["owner_id"]
    id_property = request.query_params.get("idProperty") or "id"
    if id_property not in ("id", "userId"):
        raise validation(f"Invalid idProperty '{id_property}': use id or userId")
    archived = flag(request, "archived")
    for owner in access.portal.owners:
        key = owner.id if id_property == "id" else str(owner.user_id)
        if key == ref and owner.archived == archived:
            return JSONResponse(owner_json(owner))
    raise not_found(f"Owner with {id_property} {ref} does not exist")


routes: list[BaseRoute] = [
    Route("/crm/v3/owners", list_owners, methods=["GET"]),
    Route("/crm/v3/owners/", list_owners, methods=["GET"]),
    Route("/crm/v3/owners/{owner_id}", get_owner, methods=["GET"]),
]
