"""A provider: one CRM API as data (base URL, auth, tools, limits) plus its hooks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from .tool import Tool

if TYPE_CHECKING:
    from .hooks import ProviderHooks
    from .limits import RateLimits

__all__ = ["AuthSpec", "ClientAuth", "Provider"]

ClientAuth = Literal["body", "basic"]


@dataclass(frozen=True, slots=True)
class AuthSpec:
    """How accounts of a provider authenticate; URLs default to the real CRM, overridable per connection."""

    authorize_url: str
    token_url: str
    api_key_header: str
    api_key_prefix: str = ""
    scope_separator: str = " "
    access_token_ttl: int = 1800
    #: How the token endpoint takes the client credentials: in the form ``body`` or as HTTP ``basic``.
    client_auth: ClientAuth = "body"
    #: The authorize-URL parameters that carry scopes; ``None`` when scopes are set on the app itself.
    scope_param: str | None = "scope"
    optional_scope_param: str | None = None


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

    def __post_init__(self) -> None:
        # Tools are declared without repeating their provider; stamp it here, once.
        stamped = tuple(t if t.provider == self.name else replace(t, provider=self.name) for t in self.tools)
        names = [t.name for t in stamped]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"{self.name}: duplicate tool names {duplicates}")
        object.__setattr__(self, "tools", stamped)
