"""Followers of a user: ``GET /v1/users/{id}/followers`` (ids) and ``GET /api/v2/users/{id}/followers``.

Pipedrive lets a user follow another user, but neither API version has a write for it, and the sandbox
keeps no such relation: every user's follower list is empty (v1 ``data: []``, v2 ``data: []`` with a null
``next_cursor``). An unknown user is a 404, as ``GET /v1/users/{id}`` answers. Costs are the nearest
user reads' (the spec lists none here): v1 20, v2 10.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from .auth import require_access
from .common import JSON, cursor_page, ok
from .errors import PipedriveError

READ = ("users:read",)


def _followers(request: Request, cost: int) -> list[JSON]:
    access = require_access(request, scopes_any=READ, cost=cost)
    if request.path_params["id"] not in access.company.users:
        raise PipedriveError(404, "User not found")
    return []  # no user-follows-user relation is ever written


async def followers_v1(request: Request) -> Response:
    return ok([f["user_id"] for f in _followers(request, 20)])


async def followers_v2(request: Request) -> Response:
    page, next_cursor = cursor_page(request, _followers(request, 10))
    return ok(page, {"next_cursor": next_cursor})


routes: list[BaseRoute] = [
    Route("/v1/users/" + id_param("id") + "/followers", followers_v1, methods=["GET"]),
    Route("/api/v2/users/" + id_param("id") + "/followers", followers_v2, methods=["GET"]),
]
