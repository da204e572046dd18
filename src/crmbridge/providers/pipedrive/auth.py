"""Pipedrive's side of authorisation: the account's own API origin, who installed, and uninstall notices.

Pipedrive's token answer names the company's ``api_domain``, where every later call goes, so it is
checked before a token is sent there; the installing user and company come from ``/api/v1/users/me``
(scope ``base``, always granted). An app has one callback URL, and Pipedrive sends its uninstall notice
there as a ``DELETE`` with a JSON body ``{client_id, company_id, user_id, timestamp}`` and *our own*
client credentials as HTTP Basic auth (reference pipedrive-api §1): checking them is what stops anybody
who knows the URL from disconnecting users.
"""

from __future__ import annotations

import re
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


#: An origin, or (for the configured base URL) an origin and a plain path, spelled so that every parser
#: reads the same host: labels of letters, digits and inner hyphens, nothing percent-encoded, no
#: userinfo, query or fragment. Checked on the raw text: what a lenient parser would "fix" is refused.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ORIGIN = re.compile(
    rf"(?P<scheme>https?)://(?P<host>{_LABEL}(?:\.{_LABEL})*)(?::(?P<port>[1-9][0-9]{{0,4}}))?"
    r"(?P<path>(?:/[A-Za-z0-9._~-]+)*/?)",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PIPEDRIVE_SUFFIX = ".pipedrive.com"


def _origin_parts(value: str) -> tuple[str, str, int, str] | None:
    """``(scheme, host, port, path)`` of a strictly spelled URL, else ``None``."""
    match = _ORIGIN.fullmatch(value)
    if match is None or not value.isascii():
        return None
    scheme, host = match["scheme"].lower(), match["host"].lower()
    port = int(match["port"]) if match["port"] else _DEFAULT_PORTS[scheme]
    path = match["path"].rstrip("/")
    if any(segment in (".", "..") for segment in path.split("/")):
        return None
    return scheme, host, port, path


def safe_api_domain(value: Any, configured_base_url: str | None) -> str:
    """Accept ``api_domain`` only where a token may go: an https ``<company>.pipedrive.com`` origin (port
    443 or none, no path), or the origin of the connection's configured base URL (the sandbox), with a
    plain path under it. Anything else is refused."""
    from ...spec.oauth import UnsafeGrant  # only when authorising: listing tools must not load it

    if not isinstance(value, str) or not value:
        raise UnsafeGrant("Pipedrive's token answer has no api_domain.")
    parts = _origin_parts(value)
    if parts is not None:
        scheme, host, port, path = parts
        company = host.removesuffix(_PIPEDRIVE_SUFFIX)
        if scheme == "https" and port == 443 and not path and company and company != host:
            return f"https://{host}"
        base = _origin_parts(configured_base_url.rstrip("/")) if configured_base_url else None
        if base is not None and (scheme, host, port) == base[:3]:
            return value.rstrip("/")
    raise UnsafeGrant(
        "Pipedrive answered with an api_domain that is neither an https <company>.pipedrive.com origin nor "
        "the configured base URL's origin; no token was sent there.",
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
    """The ids a notice names, each a string or an integer; anything else is malformed, whatever its
    size or depth (a bomb of nested brackets is a 400, not a crash)."""
    data: Any = body
    if isinstance(body, bytes | bytearray):
        import json

        try:
            data = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            raise InvalidInput("The uninstall notice is not JSON (or is nested too deeply).") from None
    if not isinstance(data, Mapping):
        raise InvalidInput("The uninstall notice must be a JSON object.")
    values = {k: data.get(k) for k in ("client_id", "company_id", "user_id")}
    missing = [k for k, v in values.items() if v in (None, "")]
    if missing:
        raise InvalidInput(f"The uninstall notice lacks {', '.join(missing)}.", field=missing[0])
    fields: dict[str, str] = {}
    for key, value in values.items():
        try:
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise ValueError(key)
            fields[key] = str(value)  # a Mapping's integer may exceed what str() will print
        except ValueError:
            raise InvalidInput(
                f"The uninstall notice's {key} must be a string or an integer.", field=key
            ) from None
    return fields


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
