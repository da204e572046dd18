"""OAuth apps and the codes and tokens the HubSpot sandbox mints."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class OAuthApp:
    app_id: int
    client_id: str
    client_secret: str
    redirect_uri: str
    required_scopes: list[str]
    optional_scopes: list[str]
    created_at: float


@dataclass(slots=True)
class AuthCode:
    code: str
    client_id: str
    portal_id: int
    user_id: int
    user_email: str
    scopes: list[str]
    redirect_uri: str
    expires_at: float
    used: bool = False


@dataclass(slots=True)
class RefreshToken:
    token: str
    client_id: str
    portal_id: int
    user_id: int
    user_email: str
    scopes: list[str]
    created_at: float
    revoked: bool = False


@dataclass(slots=True)
class AccessToken:
    token: str
    client_id: str
    portal_id: int
    user_id: int
    user_email: str
    scopes: list[str]
    expires_at: float
    refresh_token: str


@dataclass(slots=True)
class TokenBook:
    """Everything OAuth-related in one HubSpot sandbox (apps are shared across portals, as in HubSpot)."""

    apps: dict[str, OAuthApp] = field(default_factory=dict)  # by client_id
    codes: dict[str, AuthCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
