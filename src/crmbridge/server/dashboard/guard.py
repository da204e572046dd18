"""Who is looking at the dashboard, and what they may do: every page and action goes through here.

Each request opens the sealed session and re-reads the API key's record, so a revoked key (or one whose
tenant is gone) signs the browser out on its next click. The key's scopes decide the pages (``admin``
implies every scope), exactly as they decide the API's routes. Every POST carries the session's CSRF token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Request

from ..service import Service, service_of
from .session import COOKIE, Session, open_session, same_token

__all__ = ["Forbidden", "SignedOut", "Viewer", "need", "posted", "viewer"]


class SignedOut(Exception):
    """No valid session: the browser goes to the sign-in page (``reason`` says why, from a fixed set)."""

    def __init__(self, reason: str = "signin") -> None:
        super().__init__(reason)
        self.reason = reason


class Forbidden(Exception):
    """Signed in, but the key lacks the scope (or the CSRF token is wrong)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Viewer:
    """The signed-in key: the tenant it manages, its id and scopes, and the session's CSRF token."""

    tenant_id: str
    key_id: str
    scopes: frozenset[str]
    csrf: str

    def can(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


def check_session(service: Service, session: Session) -> Viewer | None:
    """The session's viewer when its key still stands (not revoked, and allowed the tenant), else ``None``."""
    record = service.runtime.store.api_keys.get(session.key_id)
    if record is None or record.revoked:
        return None
    other_tenant = record.tenant_id != session.tenant_id
    if other_tenant and (
        "admin" not in record.scopes or service.runtime.store.tenants.get(session.tenant_id) is None
    ):
        return None
    return Viewer(session.tenant_id, record.id, frozenset(record.scopes), session.csrf)


async def viewer(request: Request) -> Viewer:
    service = service_of(request)
    session = open_session(service, request)
    if session is None:
        raise SignedOut("expired" if request.cookies.get(COOKIE) else "signin")
    found = await asyncio.to_thread(check_session, service, session)
    if found is None:
        raise SignedOut("revoked")
    request.state.tenant_id = found.tenant_id
    return found


def need(scope: str) -> Callable[..., Awaitable[Viewer]]:
    """A dependency: a signed-in viewer whose key holds ``scope``."""

    async def check(who: Viewer = Depends(viewer)) -> Viewer:
        if not who.can(scope):
            raise Forbidden(f"Your API key lacks the {scope!r} scope needed here; ask for a key with it.")
        return who

    check.__name__ = f"need_{scope.replace(':', '_')}"
    return check


async def posted(request: Request, who: Viewer) -> dict[str, str]:
    """The submitted form (text fields only), after checking its CSRF token against the session's."""
    form = await request.form()
    if not same_token(who.csrf, form.get("csrf")):
        raise Forbidden("The form's security token is missing or stale; reload the page and try again.")
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}
