"""``GET /v1/leads/{id}/permittedUsers``: the ids of the users who may see a lead (``data: [int]``).

Who may see a lead follows its ``visible_to``: ``"1"`` (owner only) lets the owner and the company's
admins see it (admins see every record in Pipedrive); ``"3"`` (entire company) lets every active user
see it. The sandbox has no visibility groups, so ``"5"`` and ``"7"`` (the owner's group, and its
sub-groups) are read as the one default group every user belongs to: every active user. Deactivated
users are left out, as they cannot see anything. Ids come sorted ascending (the spec names no order).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .auth import require_access
from .common import JSON, missing, ok
from .store import Company

READ = ("leads:read", "leads:full")


def permitted(company: Company, record: JSON) -> list[int]:
    """The ids of the active users allowed to see ``record`` (a lead, deal, person, organization, product)."""
    owner_only = str(record.get("visible_to")) == "1"
    return sorted(
        user.id
        for user in company.users.values()
        if user.active and (not owner_only or user.is_admin or user.id == record["owner_id"])
    )


async def permitted_users(request: Request) -> Response:
    access = require_access(request, scopes_any=READ, cost=10)
    lead = access.company.tables["leads"].rows.get(request.path_params["id"])
    if lead is None:
        raise missing()
    return ok(permitted(access.company, lead))


routes: list[BaseRoute] = [Route("/v1/leads/{id}/permittedUsers", permitted_users, methods=["GET"])]
