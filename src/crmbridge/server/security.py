"""Authentication and scopes: every route declares the scope it needs with ``Depends(require(...))``.

A missing, malformed, unknown or revoked key is 401; a valid key without the scope is 403 naming the
scope. The principal's tenant scopes every lookup that follows, so another tenant's ids are simply not
found (404), never "forbidden" (which would confirm they exist).
"""

from __future__ import annotations

import asyncio

from fastapi import Request
from fastapi.security import HTTPBearer

from ..core.tenants import Principal
from ..errors import PermissionDenied
from .service import service_of

__all__ = ["RequiredScope", "authenticate", "require"]

#: The bearer scheme the OpenAPI document declares for every route that needs a scope. Not a runtime
#: dependency: ``RequiredScope`` reads the header itself (one dependency level less on every request);
#: ``openapi_doc`` adds the scheme to the operations from the route table.
bearer = HTTPBearer(auto_error=False, description="A crmbridge API key: `Authorization: Bearer crmb_…`.")


async def authenticate(request: Request) -> Principal:
    """The request's principal: a key verified within the last few seconds costs no I/O and no thread
    hop; otherwise the key is looked up (in a thread: it reads the database)."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    tenants = service_of(request).tenants
    header = request.headers.get("authorization")
    principal = tenants.cached(header)
    if principal is None:
        principal = await asyncio.to_thread(tenants.authenticate, header)
    request.state.principal = principal
    request.state.tenant_id = principal.tenant_id
    return principal


class RequiredScope:
    """The dependency ``require(scope)`` gives: authenticates, then checks ``scope``. A class (not a
    closure) so the scope a route needs can be read back from the route table (``.scope``): the
    security tests cover every route from it, and the OpenAPI document can say it."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.__name__ = f"require_{scope.replace(':', '_')}"

    async def __call__(self, request: Request) -> Principal:
        principal = await authenticate(request)
        if not (principal.allows(self.scope) or principal.allows("admin")):
            raise PermissionDenied(
                f"This API key lacks the {self.scope!r} scope; create a key with it "
                f"(`crmbridge api-keys create --scopes {self.scope}`).",
                required_scope=self.scope,
            )
        return principal

    def __repr__(self) -> str:
        return f"require({self.scope!r})"


def require(scope: str) -> RequiredScope:
    """A dependency that authenticates the request and checks ``scope`` (``admin`` implies every scope)."""
    return RequiredScope(scope)
