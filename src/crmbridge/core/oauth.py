"""The OAuth layer of one tenant: consent links, the callback, token lifecycle, revocation, scope plans.

It plugs into :class:`~crmbridge.core.accounts.Accounts` through its two injection points
(``oauth_auth`` builds an account's ``httpx.Auth``, ``authorization_link`` builds re-consent links for
errors) and records every status change through ``Accounts.update`` so listeners hear about it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import httpx

from ..auth.lifecycle import AccountRef, TokenManager
from ..auth.oauth import OAuthAuth
from ..auth.refresher import DEFAULT_IDLE_REFRESH, Refresher, refresh_reason
from ..auth.scopes import ScopePlan, effective_scopes, plan_scopes
from ..auth.state import StateSigner
from ..auth.tokens import OAuthClient, TokenSet, exchange_code
from ..auth.uninstall import CallbackApp, SessionLookup
from ..errors import (
    ConfigurationError,
    CrmBridgeError,
    InvalidInput,
    OAuthSessionMismatch,
    ReauthorizationRequired,
)
from ..redaction import remember_secrets
from ..spec import Identity, UninstallNotice, UnsafeGrant
from .accounts import API_DOMAIN, CRM_ACCOUNT_ID
from .models import AccountStatus, ConnectedAccount

if TYPE_CHECKING:
    from ..engine import Catalog, HttpCore
    from ..store import AccountRecord, ConnectionRecord
    from ..vault import Vault
    from .accounts import Accounts

__all__ = ["OAuthService"]

log = logging.getLogger("crmbridge.oauth")

STATE_TTL_SECONDS = 600.0


class OAuthService:
    """Everything OAuth for one tenant's accounts; the Bridge's ``# -- OAuth`` methods delegate here."""

    def __init__(
        self,
        accounts: Accounts,
        *,
        vault: Vault,
        http: HttpCore,
        catalog: Catalog,
        clock: Callable[[], float] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.accounts = accounts
        self.store = accounts.store
        self.tenant_id = accounts.tenant_id
        self.tokens = TokenManager(
            self.store, on_status=self._record_status, clock=clock, transport=transport
        )
        self.signer = StateSigner(vault)
        self._http = http
        self._catalog = catalog
        self._refresher: Refresher | None = None
        self._warned_unvouched = False
        accounts.oauth_auth = self.auth_for
        accounts.authorization_link = self.authorization_link

    @property
    def refresh_margin(self) -> float:
        """Seconds before expiry at which a call refreshes the token first (default 300)."""
        return self.tokens.margin

    @refresh_margin.setter
    def refresh_margin(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("refresh_margin must be >= 0 seconds")
        self.tokens.margin = seconds

    def clock(self) -> float:
        return self.tokens.clock()

    # -- plumbing ------------------------------------------------------------------------------

    def client(self, connection: ConnectionRecord) -> OAuthClient:
        if connection.config.get("auth_mode") != "oauth":
            raise ConfigurationError(
                f"Connection {connection.name!r} uses API keys; OAuth needs client_id, client_secret and "
                "redirect_uri in add_connection(...)."
            )
        provider = self._catalog.provider(connection.provider)
        remember_secrets([connection.client_secret])  # masked wherever a CRM might echo it
        return OAuthClient.from_config(provider, connection.config, connection.client_secret)

    def _ref(self, connection: ConnectionRecord, record: AccountRecord) -> AccountRef:
        return AccountRef(
            self.tenant_id, record.id, connection.name, record.identifier, self.client(connection)
        )

    def auth_for(self, connection: ConnectionRecord, record: AccountRecord) -> httpx.Auth:
        """``Accounts.oauth_auth``: the engine's credentials for an OAuth account."""
        self.tokens.prime(record)
        return OAuthAuth(self.tokens, self._ref(connection, record))

    def _record_status(self, ref: AccountRef, status: AccountStatus, reason: str) -> None:
        self.accounts.update(ref.connection_name, ref.identifier, status=status, reason=reason)

    # -- consent -------------------------------------------------------------------------------

    def authorization_link(
        self,
        connection_name: str,
        identifier: str,
        extra_scopes: Sequence[str] = (),
        session_binding: str | None = None,
    ) -> str:
        """The provider's consent URL with a signed, single-use ``state`` for this account.

        ``extra_scopes`` (missing scopes of a failed call) are asked for too: as optional when the
        connection declares them optional, else as required (HubSpot's exact-match rule).
        ``session_binding`` (a value the application keeps in the user's session) binds the link to that
        session: only a callback presenting the same value completes it.
        """
        connection = self.accounts.connection(connection_name)
        client = self.client(connection)
        self.accounts.get_or_create(connection_name, identifier)
        state_id = self.store.oauth_states.create(
            self.tenant_id, connection_name, identifier, STATE_TTL_SECONDS
        )
        state = self.signer.sign(
            state_id, self.tenant_id, connection_name, identifier, session_binding=session_binding
        )
        params = {"client_id": client.client_id, "redirect_uri": client.redirect_uri, "state": state}
        scope_param, optional_param = client.spec.scope_param, client.spec.optional_scope_param
        if scope_param:  # else the scopes live on the app (Pipedrive), not in the URL
            optional = list(client.optional_scopes) if optional_param else []
            required = [*client.scopes, *(s for s in extra_scopes if s not in optional)]
            params[scope_param] = client.scope_separator.join(dict.fromkeys(required))
            if optional and optional_param:
                params[optional_param] = client.scope_separator.join(dict.fromkeys(optional))
        separator = "&" if "?" in client.authorize_url else "?"
        return f"{client.authorize_url}{separator}{urlencode(params, quote_via=quote)}"

    async def acomplete(
        self,
        code: str | None,
        state: str,
        error: str | None = None,
        *,
        identifier: str | None = None,
        session_binding: str | None = None,
    ) -> ConnectedAccount:
        """The OAuth callback: check whose session finished the flow, spend the state, exchange the code,
        record the grant → ``ACTIVE``.

        ``identifier`` (the user signed in where the callback arrived) must be the one the link was made
        for; a link made with ``session_binding`` completes only with the same value. A mismatch raises
        :class:`OAuthSessionMismatch` before anything is spent or exchanged (see docs/oauth.md).
        """
        state_id = self.signer.state_id(state)

        def genuine(tenant: str, connection_name: str, owner: str) -> None:
            # Checked before the state is spent: a forged, misrouted or cross-session callback burns nothing.
            self.signer.verify(state, tenant, connection_name, owner, session_binding=session_binding)
            if tenant != self.tenant_id:
                raise ConfigurationError("This authorisation belongs to another tenant's Bridge.")
            self._check_session(state, connection_name, owner, identifier, session_binding)

        _, connection_name, owner = await asyncio.to_thread(
            self.store.oauth_states.consume, state_id, genuine
        )
        try:
            if error:
                raise ReauthorizationRequired(f"The user did not grant access ({error}).", error=error)
            if not code:
                raise InvalidInput("The callback carries no authorization code.", field="code")
            connection = await asyncio.to_thread(self.accounts.connection, connection_name)
            return await self._authorise(connection, owner, code)
        except CrmBridgeError as exc:
            if "authorization_link" in exc.details:
                raise
            link = await asyncio.to_thread(
                self.authorization_link, connection_name, owner, (), session_binding
            )
            raise exc.with_details(authorization_link=link) from exc

    def _check_session(
        self,
        state: str,
        connection_name: str,
        owner: str,
        identifier: str | None,
        session_binding: str | None,
    ) -> None:
        """Refuse a callback that arrived in another user's session; warn (once) about one that nobody
        vouched for. A binding vouches only for a link bound to it (the signer checked it)."""
        bound = self.signer.bound(state)
        if identifier is not None and identifier != owner:
            log.warning(
                "OAuth callback for connection %s refused: it arrived in another user's session",
                connection_name,
            )
            raise OAuthSessionMismatch()
        if identifier is None and session_binding is not None and not bound:
            raise OAuthSessionMismatch(
                "This connection link is not bound to a browser session, so the session cannot vouch for "
                "it; the application must also say which user is signed in (identifier=)."
            )
        if identifier is None and not bound and not self._warned_unvouched:
            self._warned_unvouched = True
            log.warning(
                "An OAuth callback is being completed without identifier= or session_binding=: nothing "
                "checked that the user who finished it is the one it was made for (login CSRF). See "
                "docs/oauth.md."
            )

    async def _authorise(self, connection: ConnectionRecord, identifier: str, code: str) -> ConnectedAccount:
        """Exchange the code, let the provider say whose grant it is, and activate the account."""
        provider = self._catalog.provider(connection.provider)
        client = self.client(connection)
        http = self._http.client()
        now = self.clock()
        tokens = await exchange_code(http, client, code, now)
        try:
            identity = await provider.hooks.identify(http, client, tokens)
        except UnsafeGrant as exc:
            await asyncio.to_thread(self._mark, connection.name, identifier, AccountStatus.ERROR, exc.message)
            raise
        granted = identity.granted_scopes or tokens.scopes or client.scopes
        scopes = effective_scopes(provider.auth, granted)
        return await asyncio.to_thread(
            self._activate, connection.name, identifier, tokens, scopes, _metadata(identity), now
        )

    def _mark(self, connection_name: str, identifier: str, status: AccountStatus, reason: str) -> None:
        self.accounts.get_or_create(connection_name, identifier)
        self.accounts.update(connection_name, identifier, status=status, reason=reason)

    def _activate(
        self,
        connection_name: str,
        identifier: str,
        tokens: TokenSet,
        scopes: Sequence[str],
        metadata: dict[str, Any],
        now: float,
    ) -> ConnectedAccount:
        created = self.accounts.get_or_create(connection_name, identifier)
        self.tokens.forget(created.id)
        account = self.accounts.update(
            connection_name,
            identifier,
            status=AccountStatus.ACTIVE,
            reason="authorised",
            credentials=tokens.credentials(now),
            granted_scopes=list(scopes),
            metadata={k: v for k, v in metadata.items() if v is not None},
        )
        log.info("account %s on %s authorised", account.id, connection_name)
        return account

    # -- revocation ----------------------------------------------------------------------------

    async def handle_uninstall(self, authorization: str | None, body: bytes | Mapping[str, Any]) -> int:
        """An uninstall notice sent to the callback URL: each OAuth connection's provider checks whether
        it is meant for that connection's client (``read_uninstall``); the accounts it names are revoked
        at once. Returns the HTTP status to answer: 401 (nobody's notice) and 400 (malformed) change
        nothing."""
        connections = await asyncio.to_thread(self.store.connections.list, self.tenant_id)
        notices: list[tuple[ConnectionRecord, UninstallNotice]] = []
        for connection in connections:
            known = connection.provider in self._catalog.provider_names
            if not known or connection.config.get("auth_mode") != "oauth" or not connection.client_secret:
                continue
            provider = self._catalog.provider(connection.provider)
            try:
                notice = provider.hooks.read_uninstall(self.client(connection), authorization, body)
            except InvalidInput:
                return 400
            if notice is not None:
                notices.append((connection, notice))
        if not notices:
            log.warning("uninstall notice with wrong client credentials ignored")
            return 401
        revoked = await asyncio.to_thread(self._revoke_installs, notices)
        log.info("uninstall notice: %d account(s) revoked", revoked)
        return 200

    async def handle_pipedrive_uninstall(self, authorization: str | None, body: bytes | Any) -> int:
        """The name callers used before any provider could send notices: :meth:`handle_uninstall`."""
        return await self.handle_uninstall(authorization, body)

    def _revoke_installs(self, notices: Iterable[tuple[ConnectionRecord, UninstallNotice]]) -> int:
        count = 0
        for connection, notice in notices:
            for record in self.store.accounts.list(self.tenant_id, connection.name):
                meta = record.metadata or {}
                named = all(str(meta.get(key)) == value for key, value in notice.accounts.items())
                if named and record.status != AccountStatus.REVOKED:
                    self.tokens.forget(record.id)
                    self.accounts.update(
                        connection.name, record.identifier, status=AccountStatus.REVOKED, reason=notice.reason
                    )
                    count += 1
        return count

    def callback_app(
        self, *, session_identifier: SessionLookup | None = None, session_binding: SessionLookup | None = None
    ) -> CallbackApp:
        """ASGI app for the redirect URI: ``GET`` completes consents, ``DELETE`` takes uninstall notices.
        ``session_identifier(scope)`` / ``session_binding(scope)`` read the application's session from the
        request's ASGI scope (see :meth:`acomplete`)."""
        return CallbackApp(
            complete=self.acomplete,
            uninstall=self.handle_uninstall,
            session_identifier=session_identifier,
            session_binding=session_binding,
        )

    # -- background refresh --------------------------------------------------------------------

    def refresh_due(
        self, *, horizon: float | None = None, idle_after: float = DEFAULT_IDLE_REFRESH
    ) -> dict[str, int]:
        """One pass: refresh accounts whose token ends within ``horizon`` (default: the margin) or whose
        refresh token sat unused for ``idle_after`` seconds. Blocking; returns counts."""
        window = self.tokens.margin if horizon is None else horizon
        connections = {c.name: c for c in self.store.connections.list(self.tenant_id)}
        counts = {"refreshed": 0, "failed": 0}
        for record in self.store.accounts.list(self.tenant_id):
            connection = connections.get(record.connection_name)
            if connection is None or connection.config.get("auth_mode") != "oauth":
                continue
            reason = refresh_reason(record, self.clock(), horizon=window, idle_after=idle_after)
            if reason is None:
                continue
            try:
                self.tokens.refresh(self._ref(connection, record), force=reason == "idle")
                counts["refreshed"] += 1
            except CrmBridgeError as exc:
                counts["failed"] += 1
                log.info("background refresh of account %s failed: %s", record.id, exc.code)
        return counts

    def start_refresher(self, interval: float = 300.0, *, idle_after: float = DEFAULT_IDLE_REFRESH) -> None:
        self.stop_refresher()
        horizon = interval + self.tokens.margin
        self._refresher = Refresher(
            lambda: self.refresh_due(horizon=horizon, idle_after=idle_after), interval
        )
        self._refresher.start()

    def stop_refresher(self) -> None:
        if self._refresher is not None:
            self._refresher.stop()
            self._refresher = None

    # -- scopes --------------------------------------------------------------------------------

    def plan_scopes(
        self,
        provider: str,
        tools: Iterable[str] | None = None,
        *,
        optional_tools: Iterable[str] = (),
        entities: Sequence[str] = (),
        connection_name: str | None = None,
    ) -> ScopePlan:
        spec = self._catalog.provider(provider)
        chosen = list(spec.tools) if tools is None else [self._catalog.tool(n) for n in tools]
        extra = [self._catalog.tool(n) for n in optional_tools]
        configured: tuple[Sequence[str] | None, Sequence[str] | None] = (None, None)
        granted: dict[str, list[str]] | None = None
        if connection_name is not None:
            connection = self.accounts.connection(connection_name)
            configured = (
                connection.config.get("scopes") or [],
                connection.config.get("optional_scopes") or [],
            )
            granted = {
                r.identifier: list(r.granted_scopes or [])
                for r in self.store.accounts.list(self.tenant_id, connection_name)
                if r.status == AccountStatus.ACTIVE and (r.metadata or {}).get("auth") == "oauth"
            }
        return plan_scopes(
            spec,
            chosen,
            optional_tools=extra,
            entities=entities,
            configured_scopes=configured[0],
            configured_optional=configured[1],
            accounts_granted=granted,
        )


def _metadata(identity: Identity) -> dict[str, Any]:
    """What an authorised account shows: the provider's metadata plus where crmbridge keeps the CRM
    account id (rate limits key on it) and the account's own API origin."""
    metadata: dict[str, Any] = {**identity.metadata, "auth": "oauth"}
    if identity.account_id is not None:
        metadata[CRM_ACCOUNT_ID] = identity.account_id
    if identity.base_url is not None:
        metadata[API_DOMAIN] = identity.base_url
    return metadata
