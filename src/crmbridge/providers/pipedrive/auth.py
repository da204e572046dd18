"""Pipedrive's side of authorisation: the account's own API origin, who installed, and uninstall notices.

Pipedrive's token answer names the company's ``api_domain``, where every later call goes, so it is
checked before a token is sent there; the installing user and company come from ``/api/v1/users/me``
(scope ``base``, always granted). An app has one callback URL, and Pipedrive sends its uninstall notice
there as a ``DELETE`` with a JSON body ``{client_id, company_id, user_id, timestamp}`` and *our own*
client credentials as HTTP Basic auth (reference pipedrive-api §1): checking them is what stops anybody
who knows the URL from disconnecting users.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...engine.hooks import body_json
from ...errors import InvalidInput, ProviderError, ProviderUnavailable

if TYPE_CHECKING:
    import httpx

    from ...spec import Identity, OAuthClient, TokenSet, UninstallNotice

# The OAuth contract (``spec.oauth``), httpx and json are imported by the functions that authorise or read
# a notice: the catalog loads this module to list tools, which needs none of them (start-up cost).

__all__ = [
    "DEAD_GRANT_CODES",
    "IMPLIED_SCOPE_SUFFIXES",
    "REJECTED_CLIENT_CODES",
    "REVOKE_PATH",
    "SECRET_PATTERNS",
    "PipedriveAuthHooks",
    "safe_api_domain",
]

#: OAuth tokens (``v1u:…`` and ``<company>:<user>:<64 hex>``); API tokens and client secrets (40 hex).
SECRET_PATTERNS: tuple[str, ...] = (
    r"\b\d+:\d+:[0-9a-f]{64}\b",
    r"\bv1u:[A-Za-z0-9_-]{20,}",
    r"\b[0-9a-f]{40}\b",
)

#: How the token endpoint's messages begin for a dead grant or code …
DEAD_GRANT_CODES: tuple[str, ...] = ("Invalid grant",)
#: … and for missing or wrong client credentials.
REJECTED_CLIENT_CODES: tuple[str, ...] = ("Invalid client",)

#: ``POST …/oauth/revoke`` next to the token endpoint, with HTTP Basic client credentials; revoking the
#: refresh token removes the user's install (reference pipedrive-api §1).
REVOKE_PATH = "revoke"

#: A granted ``deals:full`` includes ``deals:read``.
IMPLIED_SCOPE_SUFFIXES: tuple[tuple[str, str], ...] = ((":full", ":read"),)

_TIMEOUT = 30.0


def safe_api_domain(value: Any, configured_base_url: str | None) -> str:
    """Accept ``api_domain`` only where a token may go: an https ``*.pipedrive.com`` origin, or the origin
    of the connection's configured base URL (the sandbox). Anything else is refused."""
    import httpx  # only when authorising: listing tools must not load the HTTP stack

    from ...spec.oauth import UnsafeGrant

    if not isinstance(value, str) or not value:
        raise UnsafeGrant("Pipedrive's token answer has no api_domain.")
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError):
        raise UnsafeGrant("Pipedrive's api_domain is not a URL; refusing to send tokens there.") from None
    host = (url.host or "").lower()
    clean = not url.userinfo and not url.query and not url.fragment and ".." not in url.path
    pipedrive = url.scheme == "https" and host.endswith(".pipedrive.com") and url.port in (None, 443)
    if clean and pipedrive and url.path in ("", "/"):
        return f"https://{host}"
    if clean and configured_base_url:
        base = httpx.URL(configured_base_url)
        if (url.scheme, host, url.port) == (base.scheme, (base.host or "").lower(), base.port):
            return value.rstrip("/")
    raise UnsafeGrant(
        "Pipedrive answered with an api_domain that is neither an https *.pipedrive.com origin nor the "
        "configured base URL's origin; no token was sent there.",
        api_domain=value,
    )


async def _users_me(http: httpx.AsyncClient, api_domain: str, access_token: str) -> dict[str, Any]:
    """``GET /api/v1/users/me``: the installing user and their company."""
    import httpx

    try:
        response = await http.get(
            f"{api_domain.rstrip('/')}/api/v1/users/me",
            headers={"authorization": f"Bearer {access_token}"},
            timeout=_TIMEOUT,
        )
    except httpx.TransportError as exc:
        raise ProviderUnavailable(f"Pipedrive did not answer /users/me ({type(exc).__name__}).") from None
    body = body_json(response)
    data = body.get("data") if isinstance(body, dict) else None
    if response.status_code != 200 or not isinstance(data, dict):
        raise ProviderError(
            f"Pipedrive's /users/me answered {response.status_code}.", status=response.status_code
        )
    return data


def _notice_fields(body: bytes | Mapping[str, Any]) -> dict[str, str]:
    data: Any = body
    if isinstance(body, bytes | bytearray):
        import json

        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise InvalidInput("The uninstall notice is not JSON.") from None
    if not isinstance(data, Mapping):
        raise InvalidInput("The uninstall notice must be a JSON object.")
    values = {k: data.get(k) for k in ("client_id", "company_id", "user_id")}
    missing = [k for k, v in values.items() if v in (None, "")]
    if missing:
        raise InvalidInput(f"The uninstall notice lacks {', '.join(missing)}.", field=missing[0])
    return {k: str(v) for k, v in values.items()}


class PipedriveAuthHooks:
    """The auth hooks of Pipedrive's provider (mixed into its hooks class)."""

    async def identify(self, http: httpx.AsyncClient, client: OAuthClient, tokens: TokenSet) -> Identity:
        from ...spec.oauth import Identity

        api_domain = safe_api_domain(tokens.extra.get("api_domain"), client.base_url)
        me = await _users_me(http, api_domain, tokens.access_token)
        company_id = me.get("company_id")
        return Identity(
            account_id=None if company_id is None else str(company_id),
            base_url=api_domain,
            metadata={
                "company_id": company_id,
                "company_domain": me.get("company_domain"),
                "user": me.get("email"),
                "user_id": me.get("id"),
            },
        )

    def read_uninstall(
        self, client: OAuthClient, authorization: str | None, body: bytes | Mapping[str, Any]
    ) -> UninstallNotice | None:
        if not client.sent_own_credentials(authorization):
            return None
        fields = _notice_fields(body)
        if fields["client_id"] != client.client_id:
            raise InvalidInput("The uninstall notice names another app.", field="client_id")
        from ...spec.oauth import UninstallNotice

        return UninstallNotice(
            {"company_id": fields["company_id"], "user_id": fields["user_id"]},
            reason="the app was uninstalled in Pipedrive",
        )
