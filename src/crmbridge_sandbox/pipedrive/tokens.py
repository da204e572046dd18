"""Pipedrive OAuth apps and the codes and tokens the sandbox mints.

Lifetimes follow Pipedrive's documentation and all run on the sandbox clock: a code lives 5 minutes, an
access token an hour, and a refresh token dies after 60 days without use (each use restarts the 60 days).
Refresh tokens do not rotate: refreshing hands back the same one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

CODE_TTL = 300.0
ACCESS_TTL = 3600.0
#: What the token response reports; one second under the real lifetime, as Pipedrive's own example shows.
EXPIRES_IN = 3599
REFRESH_IDLE = 60 * 86_400.0


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

    def alive(self, now: float) -> bool:
        return not self.revoked and now - self.last_used <= REFRESH_IDLE


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

    def issue_code(self, app: PdApp, *, company_id: int, user_id: int, now: float) -> PdCode:
        code = PdCode(
            code=secrets.token_urlsafe(24),
            client_id=app.client_id,
            company_id=company_id,
            user_id=user_id,
            redirect_uri=app.redirect_uri,
            expires_at=now + CODE_TTL,
        )
        self.codes[code.code] = code
        return code

    def install(self, app: PdApp, *, company_id: int, user_id: int, now: float) -> PdRefreshToken:
        """A fresh grant: a refresh token carrying the app's scopes (``base`` always included)."""
        rt = PdRefreshToken(
            token=f"{company_id}:{user_id}:{secrets.token_hex(32)}",
            client_id=app.client_id,
            company_id=company_id,
            user_id=user_id,
            scopes=list(dict.fromkeys([*app.scopes, "base"])),
            last_used=now,
        )
        self.refresh_tokens[rt.token] = rt
        return rt

    def mint_access(self, rt: PdRefreshToken, *, now: float) -> PdAccessToken:
        """A new access token under ``rt``; using the refresh token restarts its 60-day idle window."""
        rt.last_used = now
        at = PdAccessToken(
            token=f"v1u:{secrets.token_urlsafe(48)}",
            client_id=rt.client_id,
            company_id=rt.company_id,
            user_id=rt.user_id,
            scopes=list(rt.scopes),
            expires_at=now + ACCESS_TTL,
            refresh_token=rt.token,
        )
        self.access_tokens[at.token] = at
        return at

    def revoke_install(self, rt: PdRefreshToken) -> None:
        """Revoking a refresh token uninstalls the app for that user: every token of the install dies."""
        for other in self.refresh_tokens.values():
            if (other.client_id, other.company_id, other.user_id) == (
                rt.client_id,
                rt.company_id,
                rt.user_id,
            ):
                other.revoked = True
        dead = {t.token for t in self.refresh_tokens.values() if t.revoked}
        for at in self.access_tokens.values():
            if at.refresh_token in dead:
                at.revoked = True
