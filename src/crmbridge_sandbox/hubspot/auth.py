"""Who is calling: bearer token → portal and scopes, the scope check, and the rate-limit hook.

Every CRM route starts with ``access = require_access(request, scopes_any=...)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.requests import Request

from .errors import HubSpotError, missing_scopes
from .store import Portal

if TYPE_CHECKING:
    from .provider import HubSpotSandbox

#: Every CRM scope a private-app token created through the control API holds.
ALL_CRM_SCOPES: tuple[str, ...] = (
    "crm.objects.contacts.read", "crm.objects.contacts.write",
    "crm.objects.companies.read", "crm.objects.companies.write",
    "crm.objects.deals.read", "crm.objects.deals.write",
    "tickets",
    "crm.objects.quotes.read", "crm.objects.quotes.write",
    "crm.objects.line_items.read", "crm.objects.line_items.write",
    "crm.objects.products.read", "crm.objects.products.write",
    "crm.objects.owners.read",
    "crm.objects.custom.read", "crm.objects.custom.write",
    "crm.schemas.custom.read", "crm.schemas.custom.write",
    "crm.schemas.contacts.read", "crm.schemas.contacts.write",
    "crm.schemas.companies.read", "crm.schemas.companies.write",
    "crm.schemas.deals.read", "crm.schemas.deals.write",
    "crm.schemas.tickets.read", "crm.schemas.tickets.write",
    "crm.schemas.quotes.read", "crm.schemas.line_items.read",
    "crm.objects.notes.read", "crm.objects.calls.read", "crm.objects.tasks.read",
    "crm.objects.meetings.read", "crm.objects.emails.read",
    "sales-email-read", "e-commerce",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Access:
    portal: Portal
    kind: str  # "private_app" | "oauth"
    scopes: frozenset[str]
    client_id: str | None = None
    user_id: int | None = None


def sandbox_of(request: Request) -> HubSpotSandbox:
    hub: HubSpotSandbox = request.app.state.hubspot
    return hub


def _invalid_auth() -> HubSpotError:
    return HubSpotError(
        401,
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
        "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        headers={"x-hubspot-auth-failure": "401 Unauthorized"},
    )


#: How HubSpot words the age of an expired token: the largest whole unit, e.g. "expired 5 hour(s) ago".
_AGE_UNITS: tuple[tuple[str, int], ...] = (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))


def _expired(now: float, expires_at: float) -> HubSpotError:
    age = now - expires_at
    unit, size = next((u, n) for u, n in _AGE_UNITS if age >= n or n == 1)
    expired_at = datetime.fromtimestamp(expires_at, UTC).isoformat(timespec="milliseconds")
    return HubSpotError(
        401,
        "EXPIRED_AUTHENTICATION",
        f"The OAuth token used to make this call expired {math.floor(age / size)} {unit}(s) ago.",
        context={"expire time": [expired_at.replace("+00:00", "Z")]},
    )


def authenticate(request: Request) -> Access:
    """Resolve the bearer token; 401 in HubSpot's words when it is missing, unknown or expired."""
    hub = sandbox_of(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid_auth()
    token = token.strip()
    for portal in hub.portals.values():
        if portal.private_app_token == token:
            return Access(portal=portal, kind="private_app", scopes=frozenset(hub.private_app_scopes))
    access_token = hub.tokens.access_tokens.get(token)
    if access_token is None or access_token.revoked or access_token.portal_id not in hub.portals:
        raise _invalid_auth()
    now = hub.ctx.clock.now()
    if now >= access_token.expires_at:
        raise _expired(now, access_token.expires_at)
    return Access(
        portal=hub.portals[access_token.portal_id],
        kind="oauth",
        scopes=frozenset(access_token.scopes),
        client_id=access_token.client_id,
        user_id=access_token.user_id,
    )


def require_access(
    request: Request, scopes_any: tuple[str, ...] | list[str], *, search: bool = False
) -> Access:
    """Authenticate, check that the grant holds at least one of ``scopes_any``, and count the request."""
    access = authenticate(request)
    info = request.scope.setdefault("sandbox", {})
    info["account"] = str(access.portal.id)
    if scopes_any and not access.scopes.intersection(scopes_any):
        raise missing_scopes(list(scopes_any))
    sandbox_of(request).limiter.charge(request, access, search=search)
    return access
