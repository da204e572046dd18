"""Who is calling Pipedrive: API token (header or legacy query) or OAuth bearer → company, user, scopes.

Every API route starts with ``access = require_access(request, scopes_any=..., cost=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


class BareError(PipedriveError):
    """The short error body of the auth and rate-limit layers: no ``data`` / ``additional_data``.

    e.g. ``{"success": false, "error": "unauthorized access", "errorCode": 401, "error_info": "…"}``.
    """

    def __init__(self, status_code: int, error: str, *, info: bool = True, **kwargs: Any) -> None:
        super().__init__(status_code, error, **kwargs)
        self.info = info

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"success": False, "error": self.error, "errorCode": self.status_code}
        if self.info:
            body["error_info"] = self.error_info
        return body


def unauthorized() -> PipedriveError:
    return BareError(401, "unauthorized access")


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
                raise BareError(400, "Invalid request: malformed authorization header")
            access = pd.resolve_access_token(token.strip())
            if access is None:
                raise BareError(401, "Invalid token: access_token is invalid")
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
    if (
        access.scopes is not None
        and scopes_any
        and "base" not in scopes_any  # base routes (users/me) are open to every OAuth token
        and not access.scopes.intersection(scopes_any)
    ):
        raise BareError(403, "Scope and URL mismatch")
    sandbox_of(request).limiter.charge(request, access, cost=cost, search=search)
    return access
