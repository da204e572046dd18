"""Who is calling Pipedrive: API token (header or legacy query) or OAuth bearer → company, user, scopes.

Every API route starts with ``access = require_access(request, scopes_any=..., cost=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request

from .errors import PipedriveError
from .store import Company, User

if TYPE_CHECKING:
    from .provider import PipedriveSandbox


@dataclass(frozen=True, slots=True)
class PdAccess:
    company: Company
    user: User
    kind: str  # "api_token" | "oauth"
    token: str
    scopes: frozenset[str] | None  # None: an API token has the user's full permissions


def sandbox_of(request: Request) -> PipedriveSandbox:
    pd: PipedriveSandbox = request.app.state.pipedrive
    return pd


def unauthorized() -> PipedriveError:
    return PipedriveError(401, "unauthorized access")


def authenticate(request: Request) -> PdAccess:
    pd = sandbox_of(request)
    api_token = request.headers.get("x-api-token") or request.query_params.get("api_token")
    access: PdAccess | None = None
    if api_token:
        for company in pd.companies.values():
            user_id = company.api_tokens.get(api_token)
            if user_id is not None:
                access = PdAccess(company, company.users[user_id], "api_token", api_token, None)
                break
    else:
        header = request.headers.get("authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise PipedriveError(400, "Invalid request: malformed authorization header")
            access = pd.resolve_access_token(token.strip())
            if access is None:
                raise PipedriveError(401, "Invalid token: access_token is invalid")
    if access is None:
        raise unauthorized()
    domain = request.path_params.get("company_domain")
    if domain is not None and domain != access.company.domain:
        raise unauthorized()
    return access


def require_access(
    request: Request, scopes_any: tuple[str, ...] | list[str], cost: int, *, search: bool = False
) -> PdAccess:
    """Authenticate, check OAuth scopes ("Scope and URL mismatch"), and charge rate limits."""
    access = authenticate(request)
    info = request.scope.setdefault("sandbox", {})
    info["account"] = str(access.company.id)
    domain = request.path_params.get("company_domain")
    if domain is not None and isinstance(info.get("path"), str) and info["path"].startswith(f"/{domain}/"):
        info["path"] = info["path"][len(domain) + 1 :]
    if access.scopes is not None and scopes_any and not access.scopes.intersection(scopes_any):
        raise PipedriveError(403, "Scope and URL mismatch")
    sandbox_of(request).limiter.charge(request, access, cost=cost, search=search)
    return access
