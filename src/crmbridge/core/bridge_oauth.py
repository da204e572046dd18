"""The Bridge's OAuth methods: consent links, the callback, uninstall notices, scope planning, refresh.

A mixin so the facade stays one class for users while each file holds one idea; everything here
delegates to the tenant's :class:`~crmbridge.core.oauth.OAuthService`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..auth.scopes import ScopePlan
from ..auth.uninstall import CallbackApp, SessionLookup
from .models import ConnectedAccount

if TYPE_CHECKING:
    from .oauth import OAuthService
    from .runtime import Runtime

__all__ = ["OAuthMethods"]


class OAuthMethods:
    """OAuth for one tenant's accounts (mixed into :class:`~crmbridge.core.Bridge`)."""

    runtime: Runtime
    oauth: OAuthService

    def get_authorization_link(
        self,
        *,
        connection_name: str,
        identifier: str,
        scopes: Sequence[str] = (),
        session_binding: str | None = None,
    ) -> str:
        """The CRM consent URL for one user, with a signed single-use ``state`` (creates the account
        ``PENDING`` if new). ``scopes``: extra scopes to ask for beyond the connection's.
        ``session_binding``: a value your app keeps in this user's session (e.g. a random nonce in the
        session cookie); the link then completes only for a callback presenting it (docs/oauth.md)."""
        return self.oauth.authorization_link(connection_name, identifier, tuple(scopes), session_binding)

    async def aget_authorization_link(
        self,
        *,
        connection_name: str,
        identifier: str,
        scopes: Sequence[str] = (),
        session_binding: str | None = None,
    ) -> str:
        return await asyncio.to_thread(
            self.oauth.authorization_link, connection_name, identifier, tuple(scopes), session_binding
        )

    async def acomplete_authorization(
        self,
        *,
        code: str | None = None,
        state: str,
        error: str | None = None,
        identifier: str | None = None,
        session_binding: str | None = None,
    ) -> ConnectedAccount:
        """What the OAuth callback calls: exchange ``code``, store the tokens, record the grant → ACTIVE.

        Say whose session the callback arrived in: ``identifier`` (the signed-in user) must be the one
        the link was made for, and a link made with ``session_binding`` needs the same value. A mismatch
        raises ``OAuthSessionMismatch`` (login CSRF) before the code is exchanged or the state spent."""
        return await self.oauth.acomplete(
            code, state, error, identifier=identifier, session_binding=session_binding
        )

    def complete_authorization(
        self,
        *,
        code: str | None = None,
        state: str,
        error: str | None = None,
        identifier: str | None = None,
        session_binding: str | None = None,
    ) -> ConnectedAccount:
        return self.runtime.run(
            self.oauth.acomplete(code, state, error, identifier=identifier, session_binding=session_binding)
        )

    async def ahandle_uninstall(self, *, authorization: str | None, body: bytes | Any) -> int:
        """An uninstall notice sent to the callback URL (Pipedrive's ``DELETE``): 200 and the accounts it
        names are REVOKED, 401 when it is for none of this tenant's OAuth clients, 400 when malformed."""
        return await self.oauth.handle_uninstall(authorization, body)

    def handle_uninstall(self, *, authorization: str | None, body: bytes | Any) -> int:
        return self.runtime.run(self.oauth.handle_uninstall(authorization, body))

    async def ahandle_pipedrive_uninstall(self, *, authorization: str | None, body: bytes | Any) -> int:
        """The name this had before any provider could send notices; same as :meth:`ahandle_uninstall`."""
        return await self.ahandle_uninstall(authorization=authorization, body=body)

    def handle_pipedrive_uninstall(self, *, authorization: str | None, body: bytes | Any) -> int:
        return self.handle_uninstall(authorization=authorization, body=body)

    def oauth_callback_app(
        self, *, session_identifier: SessionLookup | None = None, session_binding: SessionLookup | None = None
    ) -> CallbackApp:
        """ASGI app to serve at the redirect URI (consent ``GET`` and uninstall notices, e.g. Pipedrive's
        ``DELETE``). ``session_identifier(scope)`` returns the signed-in user's identifier from the
        request's ASGI scope (your session), ``session_binding(scope)`` the session's binding value;
        either may be async. With them, a callback completes only in the session it was made for."""
        return self.oauth.callback_app(session_identifier=session_identifier, session_binding=session_binding)

    def plan_scopes(
        self,
        *,
        provider: str = "hubspot",
        tools: Iterable[str] | None = None,
        optional_tools: Iterable[str] = (),
        entities: Sequence[str] = (),
        connection_name: str | None = None,
    ) -> ScopePlan:
        """Scopes the given tools need (all of the provider's by default) and the pitfalls of requesting
        them; with ``connection_name``, checked against its configuration and its accounts' grants."""
        return self.oauth.plan_scopes(
            provider, tools, optional_tools=optional_tools, entities=entities, connection_name=connection_name
        )

    async def aplan_scopes(self, **options: Any) -> ScopePlan:
        """Async twin of :meth:`plan_scopes` (same keyword options)."""
        return await asyncio.to_thread(lambda: self.plan_scopes(**options))

    def refresh_due_accounts(self) -> dict[str, int]:
        """One background-refresh pass, now (blocking): ``{"refreshed": n, "failed": m}``."""
        return self.oauth.refresh_due()

    async def arefresh_due_accounts(self) -> dict[str, int]:
        return await asyncio.to_thread(self.oauth.refresh_due)

    def start_refresher(self, interval: float = 300.0) -> None:
        """Refresh quiet accounts every ``interval`` seconds on a daemon thread (idempotent)."""
        self.oauth.start_refresher(interval)

    def stop_refresher(self) -> None:
        self.oauth.stop_refresher()
