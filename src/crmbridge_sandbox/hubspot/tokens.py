"""OAuth apps and the codes and tokens the HubSpot sandbox mints, with the token endpoint's grant rules.

The HTTP layer (``oauth.py``) only parses forms and renders answers; what makes a code or a token good or bad
lives here so that the rules read in one place.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

#: HubSpot has issued 30-minute access tokens since the 2024 change; clients must follow ``expires_in``.
ACCESS_TOKEN_TTL = 1800
#: Authorization codes are single-use and short-lived; HubSpot does not document the lifetime.
AUTH_CODE_TTL = 600


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
    #: Set when the app is uninstalled; deleting only the refresh token leaves it alone.
    revoked: bool = False


class TokenError(Exception):
    """A refusal from the token endpoint.

    ``status``/``message`` are HubSpot's legacy (v1) fields; ``error`` is the RFC 6749 code the v3 and
    date-versioned endpoints add, with ``description`` replacing the message there when it is given.
    """

    def __init__(self, status: str, message: str, error: str, description: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error
        self.description = description or message


def _bad_refresh_token() -> TokenError:
    return TokenError(
        "BAD_REFRESH_TOKEN",
        "missing or invalid refresh token",
        "invalid_grant",
        "refresh token is invalid, expired or revoked",
    )


def _new_access_token() -> str:
    # Real tokens are opaque base64-ish strings of a few hundred characters at most; this stays well under.
    return "CK" + secrets.token_urlsafe(96)


def _new_refresh_token() -> str:
    return f"na1-{uuid.uuid4()}"


@dataclass(slots=True)
class TokenBook:
    """Everything OAuth-related in one HubSpot sandbox (apps are shared across portals, as in HubSpot)."""

    apps: dict[str, OAuthApp] = field(default_factory=dict)  # by client_id
    codes: dict[str, AuthCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)

    def issue_code(
        self,
        app: OAuthApp,
        *,
        portal_id: int,
        user_id: int,
        user_email: str,
        scopes: list[str],
        redirect_uri: str,
        now: float,
    ) -> AuthCode:
        code = AuthCode(
            code=str(uuid.uuid4()),
            client_id=app.client_id,
            portal_id=portal_id,
            user_id=user_id,
            user_email=user_email,
            scopes=list(scopes),
            redirect_uri=redirect_uri,
            expires_at=now + AUTH_CODE_TTL,
        )
        self.codes[code.code] = code
        return code

    def client(self, client_id: str, client_secret: str) -> OAuthApp:
        """The app these credentials belong to, or the token endpoint's refusal."""
        app = self.apps.get(client_id)
        if not client_id or app is None:
            raise TokenError("BAD_CLIENT_ID", "missing or unknown client id", "invalid_client")
        if not secrets.compare_digest(client_secret, app.client_secret):
            # HubSpot's exact status for a wrong secret is not documented; this one names the culprit.
            raise TokenError("BAD_CLIENT_SECRET", "missing or invalid client secret", "invalid_client")
        return app

    def exchange_code(
        self, app: OAuthApp, code: str, redirect_uri: str, now: float
    ) -> tuple[RefreshToken, AccessToken]:
        grant = self.codes.get(code)
        if grant is None or grant.used or grant.client_id != app.client_id:
            raise TokenError("BAD_AUTH_CODE", "missing or unknown auth code", "invalid_grant")
        if now >= grant.expires_at:
            raise TokenError("EXPIRED_AUTH_CODE", "auth code is expired", "invalid_grant")
        if redirect_uri != grant.redirect_uri:
            raise TokenError(
                "BAD_REDIRECT_URI",
                "redirect_uri does not match the one the auth code was issued for",
                "invalid_grant",
            )
        grant.used = True
        refresh = RefreshToken(
            token=_new_refresh_token(),
            client_id=app.client_id,
            portal_id=grant.portal_id,
            user_id=grant.user_id,
            user_email=grant.user_email,
            scopes=list(grant.scopes),
            created_at=now,
        )
        self.refresh_tokens[refresh.token] = refresh
        return refresh, self._mint_access(refresh, now)

    def refresh(self, app: OAuthApp, token: str, now: float) -> tuple[RefreshToken, AccessToken]:
        """A new access token for a live refresh token.

        HubSpot's docs do not say whether refresh tokens rotate (reference §1.3 marks it unverified; the
        community reports the same value coming back). The sandbox returns the *same* refresh token, which
        also keeps working: clients that persist whatever comes back are correct either way.
        """
        refresh = self.active_refresh(token)
        if refresh is None or refresh.client_id != app.client_id:
            raise _bad_refresh_token()
        return refresh, self._mint_access(refresh, now)

    def _mint_access(self, refresh: RefreshToken, now: float) -> AccessToken:
        access = AccessToken(
            token=_new_access_token(),
            client_id=refresh.client_id,
            portal_id=refresh.portal_id,
            user_id=refresh.user_id,
            user_email=refresh.user_email,
            scopes=list(refresh.scopes),
            expires_at=now + ACCESS_TOKEN_TTL,
            refresh_token=refresh.token,
        )
        self.access_tokens[access.token] = access
        return access

    def active_refresh(self, token: str) -> RefreshToken | None:
        refresh = self.refresh_tokens.get(token)
        return refresh if refresh is not None and not refresh.revoked else None

    def active_access(self, token: str, now: float) -> AccessToken | None:
        access = self.access_tokens.get(token)
        if access is None or access.revoked or now >= access.expires_at:
            return None
        return access

    def revoke_refresh(self, token: str) -> bool:
        """Delete one refresh token. Access tokens minted from it stay valid until they expire (as documented)."""
        refresh = self.active_refresh(token)
        if refresh is None:
            return False
        refresh.revoked = True
        return True

    def uninstall(self, portal_id: int, client_id: str) -> int:
        """The app leaves the portal: its refresh tokens die, and so do its access tokens.

        HubSpot only documents that refresh fails after an uninstall. The sandbox also kills access tokens,
        because the user removed the app from the account and a fake that kept serving it would hide bugs.
        Returns how many refresh tokens were revoked.
        """
        killed = 0
        for refresh in self.refresh_tokens.values():
            if refresh.portal_id == portal_id and refresh.client_id == client_id and not refresh.revoked:
                refresh.revoked = True
                killed += 1
        for access in self.access_tokens.values():
            if access.portal_id == portal_id and access.client_id == client_id:
                access.revoked = True
        for code in self.codes.values():
            if code.portal_id == portal_id and code.client_id == client_id:
                code.used = True
        return killed


# ------------------------------------------------------------------------------------------- answers


def token_response(refresh: RefreshToken, access: AccessToken, now: float) -> dict[str, Any]:
    return {
        "token_type": "bearer",
        "refresh_token": refresh.token,
        "access_token": access.token,
        "expires_in": round(access.expires_at - now),
        "token_use": "access_token",
        "hub_id": access.portal_id,
        "user_id": access.user_id,
        "scopes": list(access.scopes),
    }


def access_info(access: AccessToken, app: OAuthApp, hub_domain: str, now: float) -> dict[str, Any]:
    """The v1 access-token lookup's fields (also the base of the introspection answer)."""
    return {
        "token": access.token,
        "user": access.user_email,
        "hub_domain": hub_domain,
        "scopes": list(access.scopes),
        "hub_id": access.portal_id,
        "app_id": app.app_id,
        "expires_in": max(0, int(access.expires_at - now)),
        "user_id": access.user_id,
        "token_type": "access",
        "is_private_distribution": False,
    }


def refresh_info(refresh: RefreshToken, hub_domain: str) -> dict[str, Any]:
    return {
        "token": refresh.token,
        "user": refresh.user_email,
        "hub_domain": hub_domain,
        "scopes": list(refresh.scopes),
        "hub_id": refresh.portal_id,
        "client_id": refresh.client_id,
        "user_id": refresh.user_id,
        "token_type": "refresh",
    }


def signed_access_token(access: AccessToken, app: OAuthApp) -> dict[str, Any]:
    """A plausible ``signed_access_token`` block; the signature fields are opaque stand-ins."""
    return {
        "expiresAt": int(access.expires_at * 1000),
        "scopes": " ".join(access.scopes),
        "hubId": access.portal_id,
        "userId": access.user_id,
        "appId": app.app_id,
        "installingUserId": access.user_id,
        "appInstallId": f"{app.app_id}-{access.portal_id}",
        "hublet": "na1",
        "audience": "api.hubapi.com",
        "isUserLevel": False,
        "isPrivateDistribution": False,
        "isServiceAccount": False,
        "signature": access.token[-24:],
        "newSignature": access.token[-24:],
        "scopeToScopeGroupPks": "",
        "trialScopes": "",
        "trialScopeToScopeGroupPks": "",
    }
