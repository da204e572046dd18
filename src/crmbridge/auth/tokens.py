"""Talking to a CRM's OAuth server: code exchange, refresh, and what the grant says about itself.

The providers differ in small ways that matter (reference hubspot-api §1, pipedrive-api §1): HubSpot takes
the client credentials in the form body and needs an introspection call to learn the granted scopes and
the installer; Pipedrive wants HTTP Basic client auth, answers with a per-company ``api_domain`` that
becomes the base URL for every call, and tells who installed only through ``/users/me``. Errors are
sorted by who must act: a dead grant (re-authorise), a rejected client (the developer), or a passing
failure (retry).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..errors import (
    ConfigurationError,
    CrmBridgeError,
    ProviderError,
    ProviderUnavailable,
    ReauthorizationRequired,
)
from ..spec.provider import AuthSpec, ClientAuth, Provider

__all__ = [
    "GrantRejected",
    "OAuthClient",
    "TokenSet",
    "exchange_code",
    "hubspot_introspect",
    "pipedrive_identity",
    "refresh_tokens",
    "safe_api_domain",
]

#: Token-endpoint answers that mean the grant (or the code) is dead: re-authorise, never retry.
_DEAD_GRANT_STATUSES = frozenset(
    {"BAD_REFRESH_TOKEN", "BAD_AUTH_CODE", "EXPIRED_AUTH_CODE", "BAD_REDIRECT_URI"}
)
_TIMEOUT = 30.0


class GrantRejected(ReauthorizationRequired):
    """The OAuth server said ``invalid_grant`` (``BAD_REFRESH_TOKEN`` …): the grant or code is dead."""


@dataclass(frozen=True)
class OAuthClient:
    """A connection's bring-your-own OAuth client, with the provider's defaults filled in."""

    provider: str
    spec: AuthSpec = field(repr=False)
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...] = ()
    optional_scopes: tuple[str, ...] = ()
    base_url: str | None = None

    @classmethod
    def from_config(
        cls, provider: Provider, config: Mapping[str, Any], client_secret: str | None
    ) -> OAuthClient:
        spec = provider.auth
        client_id, redirect_uri = config.get("client_id"), config.get("redirect_uri")
        if not client_id or not client_secret or not redirect_uri:
            raise ConfigurationError(
                "This connection is not set up for OAuth: add_connection(...) needs client_id, client_secret "
                "and redirect_uri."
            )
        return cls(
            provider=provider.name,
            spec=spec,
            client_id=str(client_id),
            client_secret=client_secret,
            redirect_uri=str(redirect_uri),
            authorize_url=str(config.get("authorize_url") or spec.authorize_url),
            token_url=str(config.get("token_url") or spec.token_url),
            scopes=tuple(config.get("scopes") or ()),
            optional_scopes=tuple(config.get("optional_scopes") or ()),
            base_url=config.get("base_url"),
        )

    @property
    def client_auth(self) -> ClientAuth:
        return self.spec.client_auth

    @property
    def scope_separator(self) -> str:
        return self.spec.scope_separator

    @property
    def default_ttl(self) -> int:
        return self.spec.access_token_ttl


@dataclass(frozen=True)
class TokenSet:
    """One token-endpoint answer. ``expires_at`` is on the caller's clock (seconds since the epoch)."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float
    scopes: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def credentials(self, now: float, previous_refresh: str | None = None) -> dict[str, Any]:
        """What the store keeps (encrypted). A refresh answer without a refresh token keeps the old one."""
        return {
            "type": "oauth",
            "access_token": self.access_token,
            "refresh_token": self.refresh_token or previous_refresh,
            "expires_at": self.expires_at,
            "obtained_at": now,
        }


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error_of(response: httpx.Response, what: str) -> CrmBridgeError:
    """Map a failed token-endpoint answer onto the taxonomy; bodies are never echoed (they may hold codes)."""
    status = response.status_code
    body = _body(response)
    error = str(body.get("error") or "")
    legacy = str(body.get("status") or "")
    message = str(body.get("message") or body.get("error_description") or "")
    if error == "invalid_grant" or legacy in _DEAD_GRANT_STATUSES or message.startswith("Invalid grant"):
        return GrantRejected(f"The CRM rejected the {what} (invalid_grant).", provider_code=legacy or error)
    if status == 429 or status >= 500:
        retry = response.headers.get("retry-after")
        return ProviderUnavailable(
            f"The CRM's token endpoint answered {status} to the {what}; try again shortly.",
            status=status,
            retry_after=float(retry) if retry and retry.replace(".", "", 1).isdecimal() else 5.0,
        )
    if error == "invalid_client" or legacy.startswith("BAD_CLIENT") or message.startswith("Invalid client"):
        return ConfigurationError(
            "The CRM rejected this connection's OAuth client credentials: check client_id and client_secret.",
            status=status,
            provider_code=legacy or error,
        )
    return ProviderError(
        f"The CRM's token endpoint refused the {what} ({status} {legacy or error or 'error'}).",
        status=status,
        provider_code=legacy or error or None,
    )


async def _token_call(
    http: httpx.AsyncClient, client: OAuthClient, form: dict[str, str], what: str, now: float
) -> TokenSet:
    auth: tuple[str, str] | None = None
    if client.client_auth == "basic":
        auth = (client.client_id, client.client_secret)
    else:
        form = {**form, "client_id": client.client_id, "client_secret": client.client_secret}
    try:
        response = await http.post(
            client.token_url,
            data=form,
            auth=auth or httpx.USE_CLIENT_DEFAULT,
            headers={"accept": "application/json"},
            timeout=_TIMEOUT,
        )
    except httpx.TransportError as exc:
        raise ProviderUnavailable(
            f"The CRM's token endpoint did not answer the {what} ({type(exc).__name__}).", retry_after=5.0
        ) from None
    if response.status_code != 200:
        raise _error_of(response, what)
    body = _body(response)
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise ProviderError(f"The CRM's answer to the {what} holds no access token.", status=200)
    expires_in = body.get("expires_in")
    ttl = float(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else client.default_ttl
    scopes = _scopes(body.get("scopes", body.get("scope")))
    extra = {k: body[k] for k in ("api_domain", "hub_id", "user_id") if body.get(k) is not None}
    refresh = body.get("refresh_token")
    return TokenSet(
        access, refresh if isinstance(refresh, str) and refresh else None, now + ttl, scopes, extra
    )


def _scopes(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(s) for s in value)
    if isinstance(value, str):
        return tuple(s for s in value.replace(",", " ").split() if s)
    return None


async def exchange_code(http: httpx.AsyncClient, client: OAuthClient, code: str, now: float) -> TokenSet:
    """``grant_type=authorization_code``: the one-time code from the consent redirect → tokens."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri}
    return await _token_call(http, client, form, "authorization code", now)


async def refresh_tokens(
    http: httpx.AsyncClient, client: OAuthClient, refresh_token: str, now: float
) -> TokenSet:
    """``grant_type=refresh_token``; ``GrantRejected`` means the user uninstalled or revoked the app."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await _token_call(http, client, form, "refresh token", now)


def introspect_url(token_url: str) -> str:
    """HubSpot's introspection endpoint next to the configured token endpoint (works for the sandbox)."""
    url = httpx.URL(token_url)
    prefix = url.path.split("/oauth/", 1)[0] if "/oauth/" in url.path else ""
    return str(url.copy_with(path=f"{prefix}/oauth/v3/token/introspect", query=None))


async def hubspot_introspect(
    http: httpx.AsyncClient, client: OAuthClient, access_token: str
) -> dict[str, Any]:
    """What HubSpot says about a fresh access token: ``hub_id``, ``user``, ``user_id`` and the *granted*
    ``scopes`` (optional scopes may have been dropped). The token travels in the form body, never a URL."""
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
    body = _body(response)
    if response.status_code != 200:
        raise _error_of(response, "token introspection")
    if body.get("active") is False:
        raise ProviderError("HubSpot says the access token it just issued is not active.")
    return body


async def pipedrive_identity(http: httpx.AsyncClient, api_domain: str, access_token: str) -> dict[str, Any]:
    """``GET /api/v1/users/me`` (scope ``base``, always granted): the installing user and their company."""
    try:
        response = await http.get(
            f"{api_domain.rstrip('/')}/api/v1/users/me",
            headers={"authorization": f"Bearer {access_token}"},
            timeout=_TIMEOUT,
        )
    except httpx.TransportError as exc:
        raise ProviderUnavailable(f"Pipedrive did not answer /users/me ({type(exc).__name__}).") from None
    data = _body(response).get("data")
    if response.status_code != 200 or not isinstance(data, dict):
        raise ProviderError(
            f"Pipedrive's /users/me answered {response.status_code}.", status=response.status_code
        )
    return data


def safe_api_domain(value: Any, configured_base_url: str | None) -> str:
    """Accept Pipedrive's ``api_domain`` only where a token may go: an https ``*.pipedrive.com`` origin,
    or the origin of the connection's configured base URL (the sandbox). Anything else is refused."""
    if not isinstance(value, str) or not value:
        raise ProviderError("Pipedrive's token answer has no api_domain.")
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError):
        raise ProviderError("Pipedrive's api_domain is not a URL; refusing to send tokens there.") from None
    host = (url.host or "").lower()
    clean = not url.userinfo and not url.query and not url.fragment and ".." not in url.path
    pipedrive = url.scheme == "https" and host.endswith(".pipedrive.com") and url.port in (None, 443)
    if clean and pipedrive and url.path in ("", "/"):
        return f"https://{host}"
    if clean and configured_base_url:
        base = httpx.URL(configured_base_url)
        if (url.scheme, host, url.port) == (base.scheme, (base.host or "").lower(), base.port):
            return value.rstrip("/")
    raise ProviderError(
        "Pipedrive answered with an api_domain that is neither an https *.pipedrive.com origin nor the "
        "configured base URL's origin; no token was sent there.",
        api_domain=value,
    )
