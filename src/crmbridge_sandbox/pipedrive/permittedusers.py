"""``GET /v1/{deals,persons,organizations,products}/{id}/permittedUsers``: who may see a record.

The same rule as a lead's (leadusers.py, ``visible_to``: owner-only lets the owner and the admins see
it; otherwise every active user), answered as ``data: [user id]``. A soft-deleted record still answers
until purged, as its other reads do (the spec does not say). The spec lists no token cost here; the
sandbox charges the lead route's 10.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from .auth import require_access
from .common import now_of, ok
from .entity import find
from .followers import ENTITIES
from .leadusers import permitted


def _route(segment: str) -> Route:
    table, _entity, read, _write = ENTITIES[segment]

    async def permitted_users(request: Request) -> Response:
        access = require_access(request, scopes_any=read, cost=10)
        row = find(access.company, table, request.path_params["id"], now_of(request))
        return ok(permitted(access.company, row))

    return Route(f"/v1/{segment}/{id_param('id')}/permittedUsers", permitted_users, methods=["GET"])


routes: list[BaseRoute] = [_route(segment) for segment in ENTITIES]
