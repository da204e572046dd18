"""A provider: one CRM API as data (base URL, auth, tools, limits) plus its hooks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from .tool import Tool

if TYPE_CHECKING:
    from .hooks import ProviderHooks
    from .limits import RateLimits
    from .pack import ConnectorPack
    from .writeback import WritebackMapping

__all__ = ["AuthSpec", "ClientAuth", "Provider"]

ClientAuth = Literal["body", "basic"]


@dataclass(frozen=True, slots=True)
class AuthSpec:
    """How accounts of a provider authenticate; URLs default to the real CRM, overridable per connection.

    A CRM without OAuth leaves ``authorize_url`` and ``token_url`` empty: its accounts connect with keys.
    """

    api_key_header: str
    api_key_prefix: str = ""
    authorize_url: str = ""
    token_url: str = ""
    scope_separator: str = " "
    access_token_ttl: int = 1800
    #: How the token endpoint takes the client credentials: in the form ``body`` or as HTTP ``basic``.
    client_auth: ClientAuth = "body"
    #: The authorize-URL parameters that carry scopes; ``None`` when scopes are set on the app itself.
    scope_param: str | None = "scope"
    optional_scope_param: str | None = None
    #: ``(granted, implied)`` scope-name endings: with ``(":full", ":read")`` a granted ``deals:full``
    #: also counts as ``deals:read`` in the pre-flight scope check.
    implied_scope_suffixes: tuple[tuple[str, str], ...] = ()
    #: ``(prefix, plan)``: scopes only accounts on that plan can grant; the scope planner warns when one
    #: is required, since the install then fails on every other plan.
    tier_limited_scopes: tuple[tuple[str, str], ...] = ()
    #: How this CRM's OAuth server says "the grant or code is dead" and "the client is wrong", beyond
    #: RFC 6749's ``invalid_grant`` / ``invalid_client``: a value of the answer's ``error`` or ``status``
    #: field, or how its message begins.
    dead_grant_codes: tuple[str, ...] = ()
    rejected_client_codes: tuple[str, ...] = ()
    #: Each account lives on its own API origin (the ``identify`` hook finds it for OAuth accounts); an
    #: API-key account records the connection's base URL as its own unless it is given one.
    base_url_per_account: bool = False
    #: Regular expressions of the credentials this CRM issues (API keys, access and refresh tokens), so
    #: error messages mask them by shape once the provider joins a catalog. A first group, if any, is kept.
    secret_patterns: tuple[str, ...] = ()
    #: The metadata entry that named the CRM account before ``Identity.account_id`` was stored on its own;
    #: read only for accounts authorised by older versions.
    legacy_account_id_key: str | None = None
    #: RFC 7009 token revocation, used when an account is disconnected: the endpoint as a URL reference
    #: resolved against the token URL (so a connection's own token URL, a sandbox's, leads to its revoke
    #: endpoint), and which stored token to send. Empty: the CRM has no revoke endpoint.
    revoke_path: str = ""
    revoke_token: Literal["refresh_token", "access_token"] = "refresh_token"
    #: A cheap read that proves an API key works before ``connect_api_key`` saves it ``ACTIVE``: one of
    #: the provider's tools and its input. ``None``: keys are saved unchecked.
    key_check_tool: str | None = None
    key_check_input: tuple[tuple[str, Any], ...] = ()
    #: Fields of the key check's answer kept in the account's metadata (metadata key, answer field), e.g.
    #: the company's web-app domain that record links need.
    key_check_metadata: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Provider:
    name: str
    display_name: str
    base_url: str
    auth: AuthSpec
    tools: tuple[Tool, ...]
    hooks: ProviderHooks
    rate_limits: RateLimits
    docs_url: str = ""
    #: The curated skills an agent platform installs when an account connects (``crmbridge.skills``).
    pack: ConnectorPack | None = None
    #: How interaction logging writes a finished conversation to this CRM (``crmbridge.conversations``).
    writeback: WritebackMapping | None = None

    def __post_init__(self) -> None:
        # Tools are declared without repeating their provider; stamp it here, once.
        stamped = tuple(t if t.provider == self.name else replace(t, provider=self.name) for t in self.tools)
        names = [t.name for t in stamped]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"{self.name}: duplicate tool names {duplicates}")
        object.__setattr__(self, "tools", stamped)
        check = self.auth.key_check_tool
        if check is not None and not any(t.name == check and t.annotations.read_only for t in stamped):
            raise ValueError(f"{self.name}: key_check_tool {check!r} is not one of its read-only tools")
