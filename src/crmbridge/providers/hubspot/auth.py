"""HubSpot's side of authorisation: whose grant a fresh token is, and what its credentials look like.

HubSpot's token answer may lack the portal and never says which optional scopes the installer dropped;
its introspection endpoint, next to the token endpoint, tells both plus the installing user (reference
hubspot-api §1.4). The portal keys the rate limits: every user of one portal shares its budget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...engine.hooks import body_json
from ...errors import ProviderError, ProviderUnavailable

if TYPE_CHECKING:
    import httpx

    from ...spec import Identity, OAuthClient, TokenSet

# The OAuth contract (``spec.oauth``) and httpx are imported by the functions that authorise: the catalog
# loads this module to list tools, which needs neither (start-up cost).

__all__ = [
    "DEAD_GRANT_CODES",
    "REJECTED_CLIENT_CODES",
    "REVOKE_PATH",
    "SECRET_PATTERNS",
    "TIER_LIMITED_SCOPES",
    "HubSpotAuthHooks",
    "introspect",
    "introspect_url",
]

#: Private-app tokens (``pat-<hublet>-…``), OAuth access tokens (``C…``, long), refresh tokens
#: (``<hublet>-<uuid>``) and hublet-prefixed keys.
SECRET_PATTERNS: tuple[str, ...] = (
    r"\bpat-[a-z0-9]+-[A-Za-z0-9-]{8,}",
    r"\bC[A-Z][A-Za-z0-9_-]{60,}",
    r"\b(?:na|eu|ap)\d-[0-9a-f]{8}-[0-9a-f-]{27}\b",
    r"\b(?:CN|EU|NA|AP)[A-Za-z0-9]?-[A-Za-z0-9_-]{20,}",
)

#: The token endpoint's legacy ``status`` values for a dead refresh token or code (re-authorise) …
DEAD_GRANT_CODES: tuple[str, ...] = (
    "BAD_REFRESH_TOKEN",
    "BAD_AUTH_CODE",
    "EXPIRED_AUTH_CODE",
    "BAD_REDIRECT_URI",
)
#: … and for a wrong client id or secret (the developer's to fix).
REJECTED_CLIENT_CODES: tuple[str, ...] = ("BAD_CLIENT_ID", "BAD_CLIENT_SECRET")

#: ``POST …/oauth/v3/token/revoke`` (form: client id and secret, ``token``, ``token_type_hint``), reached
#: from any of HubSpot's ``…/oauth/<version>/token`` URLs. Revoking the refresh token ends the grant;
#: access tokens already issued live out their 30 minutes (reference hubspot-api §1.3).
REVOKE_PATH = "../v3/token/revoke"

#: Custom objects and their schemas exist on Enterprise portals only.
TIER_LIMITED_SCOPES: tuple[tuple[str, str], ...] = (
    ("crm.objects.custom.", "Enterprise"),
    ("crm.schemas.custom.", "Enterprise"),
)

_TIMEOUT = 30.0


def introspect_url(token_url: str) -> str:
    """The introspection endpoint next to the configured token endpoint (so a sandbox works too)."""
    import httpx  # only when authorising: listing tools must not load the HTTP stack

    url = httpx.URL(token_url)
    prefix = url.path.split("/oauth/", 1)[0] if "/oauth/" in url.path else ""
    return str(url.copy_with(path=f"{prefix}/oauth/v3/token/introspect", query=None))


async def introspect(http: httpx.AsyncClient, client: OAuthClient, access_token: str) -> dict[str, Any]:
    """What HubSpot says about a fresh access token: ``hub_id``, ``user``, ``user_id`` and the *granted*
    ``scopes``. The token travels in the form body, never a URL."""
    import httpx

    form = {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "token": access_token,
        "token_type_hint": "access_token",
    }
    try:
        response = await http.post(introspect_url(client.token_url), data=form, timeout=_TIMEOUT)
    except httpx.TransportError as exc:
        raise ProviderUnavailable(f"HubSpot's introspection did not answer ({type(exc).__name__}).") from None
    if response.status_code != 200:
        from ...spec.oauth import token_endpoint_error

        raise token_endpoint_error(response, "token introspection", client.spec)
    body = body_json(response)
    info: dict[str, Any] = body if isinstance(body, dict) else {}
    if info.get("active") is False:
        raise ProviderError("HubSpot says the access token it just issued is not active.")
    return info


class HubSpotAuthHooks:
    """The auth hooks of HubSpot's provider (mixed into its hooks class)."""

    async def identify(self, http: httpx.AsyncClient, client: OAuthClient, tokens: TokenSet) -> Identity:
        from ...spec.oauth import Identity

        info = await introspect(http, client, tokens.access_token)
        hub_id = info.get("hub_id")
        return Identity(
            account_id=None if hub_id is None else str(hub_id),
            granted_scopes=tuple(str(s) for s in info.get("scopes") or ()) or None,
            metadata={
                "portal_id": hub_id,
                "hub_domain": info.get("hub_domain"),
                "user": info.get("user"),
                "user_id": info.get("user_id"),
            },
        )
