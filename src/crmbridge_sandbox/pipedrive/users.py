"""Pipedrive users (v1 only): ``/v1/users/me``, ``/v1/users``, ``/v1/users/{id}``, ``/v1/users/find``.

``/users/me`` is how an OAuth app learns who installed it and where the company lives, so it carries the
company fields; the other routes return the plain user object.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..numbers import id_param
from .auth import PdAccess, require_access
from .common import offset_page, ok, v1_ok, v1_time
from .errors import PipedriveError, bad_request
from .store import Company, User


def user_json(company: Company, user: User, access: PdAccess) -> dict[str, Any]:
    created = v1_time(user.created or company.created_at)
    return {
        "id": user.id,
        "name": user.name,
        "default_currency": company.currency,
        "locale": "en_US",
        "lang": 1,
        "email": user.email,
        "phone": user.phone,
        "activated": user.active,
        "last_login": created,
        "created": created,
        "modified": created,
        "has_created_company": user.id == company.admin().id,
        "access": [
            {
                "app": "sales",
                "admin": user.is_admin,
                "permission_set_id": "sales-admin" if user.is_admin else "sales-regular",
            }
        ],
        "active_flag": user.active,
        "timezone_name": "UTC",
        "timezone_offset": "+00:00",
        "role_id": 1,
        "icon_url": None,
        "is_you": user.id == access.user.id,
        "is_deleted": False,
    }


def _me_json(access: PdAccess) -> dict[str, Any]:
    company = access.company
    return {
        **user_json(company, access.user, access),
        "company_id": company.id,
        "company_name": company.name,
        "company_domain": company.domain,
        "company_country": "US",
        "company_industry": None,
        "language": {"language_code": "en", "country_code": "US"},
    }


async def me(request: Request) -> Response:
    access = require_access(request, scopes_any=("base",), cost=2)
    return v1_ok(_me_json(access))


async def list_users(request: Request) -> Response:
    access = require_access(request, scopes_any=("users:read",), cost=20)
    users = sorted(access.company.users.values(), key=lambda u: u.id)
    page, pagination = offset_page(request, users)
    data = [user_json(access.company, u, access) for u in page]
    return ok(data, {"pagination": pagination})


async def get_user(request: Request) -> Response:
    access = require_access(request, scopes_any=("users:read",), cost=2)
    user = access.company.users.get(request.path_params["user_id"])
    if user is None:
        raise PipedriveError(404, "User not found")
    return v1_ok(user_json(access.company, user, access))


async def find_users(request: Request) -> Response:
    """Case-insensitive substring match on name (or on email with ``search_by_email=1``)."""
    access = require_access(request, scopes_any=("users:read",), cost=40)
    term = (request.query_params.get("term") or "").strip()
    if not term:
        raise bad_request("term is required")
    by_email = request.query_params.get("search_by_email", "0")
    if by_email not in ("0", "1", "true", "false"):
        raise bad_request(f"search_by_email must be 0 or 1, got {by_email!r}")
    field = "email" if by_email in ("1", "true") else "name"
    needle = term.lower()
    found = [
        user_json(access.company, u, access)
        for u in sorted(access.company.users.values(), key=lambda u: u.id)
        if needle in getattr(u, field).lower()
    ]
    # v1 find endpoints answer an empty result with data: null.
    return v1_ok(found or None)


routes: list[BaseRoute] = [
    Route("/v1/users/me", me, methods=["GET"]),
    Route("/v1/users/find", find_users, methods=["GET"]),
    Route("/v1/users", list_users, methods=["GET"]),
    Route("/v1/users/" + id_param("user_id"), get_user, methods=["GET"]),
]
