"""The OAuth contract between the auth layer and a provider's auth hooks.

The auth layer runs the protocol every CRM shares (consent link, code exchange, refresh); what differs
per CRM reaches it through the provider's hooks. ``identify`` gets the connection's :class:`OAuthClient`
and the token endpoint's :class:`TokenSet` and says whose grant it is (:class:`Identity`);
``read_uninstall`` turns a notice the CRM sends to the callback URL into an :class:`UninstallNotice`.
The helpers below are the OAuth vocabulary those hooks share, so they need nothing of the auth layer
(which would pull in the store).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import (
    ConfigurationError,
    CrmBridgeError,
    ProviderError,
    ProviderUnavailable,
    ReauthorizationRequired,
)
from .provider import AuthSpec, ClientAuth, Provider

if TYPE_CHECKING:
    import httpx

__all__ = [
    "GrantRejected",
    "Identity",
    "OAuthClient",
    "TokenSet",
    "UninstallNotice",
    "UnsafeGrant",
    "basic_credentials",
    "client_matches",
    "token_endpoint_error",
]


class GrantRejected(ReauthorizationRequired):
    """The OAuth server said ``invalid_grant`` (or its own word for it): the grant or code is dead."""


class UnsafeGrant(ProviderError):
    """The token answer is not safe to use (it points tokens somewhere they must not go): the account is
    marked ``ERROR`` instead of being activated."""


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
    #: The connection's configured API origin (a sandbox); ``None`` means the provider's own.
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
        authorize_url = config.get("authorize_url") or spec.authorize_url
        token_url = config.get("token_url") or spec.token_url
        if not authorize_url or not token_url:
            raise ConfigurationError(
                f"{provider.display_name} has no OAuth endpoints: connect its accounts with connect_api_key(...)."
            )
        return cls(
            provider=provider.name,
            spec=spec,
            client_id=str(client_id),
            client_secret=client_secret,
            redirect_uri=str(redirect_uri),
            authorize_url=str(authorize_url),
            token_url=str(token_url),
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

    def sent_own_credentials(self, authorization: str | None) -> bool:
        """Whether an ``Authorization: Basic`` header carries this client's own id and secret: how a CRM
        that signs nothing proves a notice to the callback URL is its own."""
        return client_matches(basic_credentials(authorization), self.client_id, self.client_secret)


@dataclass(frozen=True)
class TokenSet:
    """One token-endpoint answer. ``expires_at`` is on the caller's clock (seconds since the epoch).

    ``extra`` holds the answer's fields beyond the standard ones (Pipedrive's ``api_domain``, HubSpot's
    ``hub_id``) for the provider's ``identify`` hook; it is never stored as such.
    """

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float
    scopes: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def credentials(self, now: float, previous_refresh: str | None = None) -> dict[str, Any]:
        """What the store keeps (encrypted). A refresh answer without a refresh token keeps the old one."""
        return {
            "type": "oauth",
            "access_token": self.access_token,
            "refresh_token": self.refresh_token or previous_refresh,
            "expires_at": self.expires_at,
            "obtained_at": now,
        }


@dataclass(frozen=True, slots=True)
class Identity:
    """Whose grant a fresh token is, as the provider's ``identify`` hook learnt it.

    ``account_id`` names the CRM account (a HubSpot portal, a Pipedrive company): every connected account
    on it shares one rate-limit budget; ``None`` gives each connected account its own. ``base_url`` is the
    account's own API origin when the CRM serves accounts on different hosts. ``granted_scopes`` is what
    the CRM says was granted; ``None`` keeps the token answer's (or the connection's) scopes.
    ``metadata`` is shown on the connected account as is (``None`` values are left out).
    """

    account_id: str | None = None
    base_url: str | None = None
    granted_scopes: tuple[str, ...] | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UninstallNotice:
    """A verified uninstall: revoke every connected account whose metadata holds all of ``accounts``
    (compared as text), recording ``reason`` as the status reason."""

    accounts: Mapping[str, str]
    reason: str = "the app was uninstalled"


def _fields(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _says(code: str, legacy: str, message: str, words: tuple[str, ...]) -> bool:
    return any(code == w or legacy == w or message.startswith(w) for w in words)


def token_endpoint_error(response: httpx.Response, what: str, spec: AuthSpec) -> CrmBridgeError:
    """Map a failed answer of the OAuth server onto the taxonomy, by who must act: a dead grant (the user
    re-authorises), a rejected client (the developer), a passing failure (retry). RFC 6749's codes count
    for every CRM, ``spec`` adds the CRM's own words. Bodies are never echoed (they may hold codes)."""
    status = response.status_code
    body = _fields(response)
    code = str(body.get("error") or "")
    legacy = str(body.get("status") or "")
    message = str(body.get("message") or body.get("error_description") or "")
    if code == "invalid_grant" or _says(code, legacy, message, spec.dead_grant_codes):
        return GrantRejected(f"The CRM rejected the {what} (invalid_grant).", provider_code=legacy or code)
    if status == 429 or status >= 500:
        retry = response.headers.get("retry-after")
        return ProviderUnavailable(
            f"The CRM's token endpoint answered {status} to the {what}; try again shortly.",
            status=status,
            retry_after=float(retry) if retry and retry.replace(".", "", 1).isdecimal() else 5.0,
        )
    if code == "invalid_client" or _says(code, legacy, message, spec.rejected_client_codes):
        return ConfigurationError(
            "The CRM rejected this connection's OAuth client credentials: check client_id and client_secret.",
            status=status,
            provider_code=legacy or code,
        )
    return ProviderError(
        f"The CRM's token endpoint refused the {what} ({status} {legacy or code or 'error'}).",
        status=status,
        provider_code=legacy or code or None,
    )


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """``(user, password)`` of an ``Authorization: Basic …`` header, or ``None`` when absent or malformed."""
    import base64  # here, not at module level: only a notice's check needs it (start-up cost)
    import binascii

    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def client_matches(credentials: tuple[str, str] | None, client_id: str, client_secret: str) -> bool:
    """Constant-time comparison of both halves (a timing leak would reveal the secret byte by byte)."""
    import hmac  # here, not at module level: hashlib's OpenSSL binding is slow to load (start-up cost)

    if credentials is None:
        return False
    same_id = hmac.compare_digest(credentials[0].encode(), client_id.encode())
    same_secret = hmac.compare_digest(credentials[1].encode(), client_secret.encode())
    return same_id and same_secret
