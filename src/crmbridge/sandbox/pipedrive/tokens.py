"""Pipedrive OAuth apps and the codes and tokens the sandbox mints."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class PdApp:
    client_id: str
    client_secret: str
    redirect_uri: str  # Pipedrive's single callback URL: also receives the uninstall DELETE
    scopes: list[str]
    created_at: float


@dataclass(slots=True)
class PdCode:
    code: str
    client_id: str
    company_id: int
    user_id: int
    redirect_uri: str
    expires_at: float
    used: bool = False


@dataclass(slots=True)
class PdRefreshToken:
    token: str
    client_id: str
    company_id: int
    user_id: int
    scopes: list[str]
    last_used: float  # idle for 60 days → dead
    revoked: bool = False


@dataclass(slots=True)
class PdAccessToken:
    token: str
    client_id: str
    company_id: int
    user_id: int
    scopes: list[str]
    expires_at: float
    refresh_token: str
    revoked: bool = False


@dataclass(slots=True)
class PdTokenBook:
    apps: dict[str, PdApp] = field(default_factory=dict)
    codes: dict[str, PdCode] = field(default_factory=dict)
    refresh_tokens: dict[str, PdRefreshToken] = field(default_factory=dict)
    access_tokens: dict[str, PdAccessToken] = field(default_factory=dict)
