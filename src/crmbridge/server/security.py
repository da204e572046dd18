"""Authentication and scopes: every route declares the scope it needs with ``Depends(require(...))``.

A missing, malformed, unknown or revoked key is 401; a valid key without the scope is 403 naming the
scope. The principal's tenant scopes every lookup that follows, so another tenant's ids are simply not
found (404), never "forbidden" (which would confirm they exist).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from ..core.tenants import Principal
from ..errors import PermissionDenied
from .service import service_of

__all__ = ["authenticate", "require"]

# Declares the bearer scheme in the OpenAPI document (auto_error off: our own 401 says what is wrong).
bearer = HTTPBearer(auto_error=False, description="A crmbridge API key: `Authorization: Bearer crmb_…`.")


async def authenticate(request: Request, _: object = Depends(bearer)) -> Principal:
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


def require(scope: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that authenticates the request and checks ``scope`` (``admin`` implies every scope)."""

    async def check(principal: Principal = Depends(authenticate)) -> Principal:
        if not (principal.allows(scope) or principal.allows("admin")):
            raise PermissionDenied(
                f"This API key lacks the {scope!r} scope; create a key with it "
                f"(`crmbridge api-keys create --scopes {scope}`).",
                required_scope=scope,
            )
        return principal

    check.__name__ = f"require_{scope.replace(':', '_')}"
    return check
