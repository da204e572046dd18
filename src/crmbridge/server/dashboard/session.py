"""The dashboard's session: a cookie sealed with the vault that names the API key's id and the tenant.

The key itself never goes into the cookie: a stolen cookie gives no key, and revoking the key ends every
session signed in with it (each request re-reads the key's record). The seal (authenticated encryption
bound to an AAD of its own) means the browser can neither read nor forge it. The CSRF token lives in the
same seal, so it is bound to the session; before sign-in a double-submit cookie guards the sign-in form.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from ...vault import VaultError
from ..service import Service

__all__ = [
    "COOKIE",
    "PATH",
    "PRE_COOKIE",
    "SESSION_SECONDS",
    "Session",
    "clear_session",
    "open_session",
    "same_token",
    "set_cookie",
    "start_session",
]

COOKIE = "crmbridge_dashboard"
PRE_COOKIE = "crmbridge_dashboard_signin"
PATH = "/dashboard"
SESSION_SECONDS = 12 * 3600
_AAD = "crmbridge/dashboard/session"


@dataclass(frozen=True)
class Session:
    """What the cookie holds: the key's id, the tenant being managed, the CSRF token and the expiry."""

    key_id: str
    tenant_id: str
    csrf: str
    expires: int


def start_session(service: Service, key_id: str, tenant_id: str) -> tuple[Session, str]:
    session = Session(key_id, tenant_id, secrets.token_urlsafe(24), int(time.time()) + SESSION_SECONDS)
    value = {"k": session.key_id, "t": session.tenant_id, "c": session.csrf, "x": session.expires}
    return session, service.runtime.vault.encrypt(json.dumps(value, separators=(",", ":")), aad=_AAD)


def open_session(service: Service, request: Request) -> Session | None:
    """The request's session; ``None`` when absent, forged, damaged or expired."""
    sealed = request.cookies.get(COOKIE)
    if not sealed or len(sealed) > 4096:
        return None
    try:
        value = json.loads(service.runtime.vault.decrypt(sealed, aad=_AAD))
        session = Session(str(value["k"]), str(value["t"]), str(value["c"]), int(value["x"]))
    except (VaultError, ValueError, TypeError, KeyError):
        return None
    return session if session.expires > time.time() else None


def set_cookie(service: Service, response: Response, name: str, value: str, max_age: int) -> None:
    """HttpOnly, SameSite=Lax (the OAuth callback's redirect back is a top-level GET), Secure over https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PATH,
        httponly=True,
        secure=service.settings.public_url.startswith("https://"),
        samesite="lax",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH)


def same_token(expected: str | None, given: object) -> bool:
    """Constant-time comparison of a CSRF token; a missing one never matches."""
    if not expected or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
