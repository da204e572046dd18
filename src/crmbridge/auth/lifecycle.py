"""Access tokens that are always fresh, refreshed exactly once however many calls need them.

Three layers make a refresh single-flight:

1. per event loop, concurrent calls for one account await one shared task (so 50 coroutines cost one
   worker thread, not 50);
2. per process, a keyed thread lock lets one thread at a time decide, and later threads find its result in
   memory (the Bridge runs calls on its private loop thread *and* on callers' loops);
3. across processes, ``Store.accounts.locked`` (Postgres ``FOR UPDATE``, SQLite ``BEGIN IMMEDIATE``): after
   the lock the account is re-read, and a token another worker already stored is used instead of asking
   the CRM again.

The locked section runs in a worker thread and performs its one token request on a private event loop, so
it never waits on a loop that might itself be blocked on the database.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from ..errors import CrmBridgeError, ProviderUnavailable, ReauthorizationRequired
from ..redaction import remember_secrets
from ..store import AccountRecord, AccountStatus, Store
from ..store.locking import KeyedLocks
from .tokens import GrantRejected, OAuthClient, TokenSet, refresh_tokens

__all__ = ["AccountRef", "StatusSink", "TokenManager"]

log = logging.getLogger("crmbridge.auth")
T = TypeVar("T")

#: ``sink(ref, status, reason)`` records a status change (the core's ``Accounts.update``, which emits hooks).
StatusSink = Callable[["AccountRef", AccountStatus, str], None]


@dataclass(frozen=True)
class AccountRef:
    """Which account a token belongs to, and the OAuth client that refreshes it."""

    tenant_id: str
    account_id: str
    connection_name: str
    identifier: str
    client: OAuthClient


@dataclass(frozen=True)
class _Token:
    access_token: str = field(repr=False)
    expires_at: float
    obtained_at: float
    version: int
    refresh_token: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, record: AccountRecord) -> _Token | None:
        """The record's token; both its tokens are remembered for masking, as they are now in use."""
        creds = record.credentials or {}
        access, refresh = creds.get("access_token"), creds.get("refresh_token")
        refresh = refresh if isinstance(refresh, str) and refresh else None
        remember_secrets([access if isinstance(access, str) else None, refresh])
        if not isinstance(access, str) or not access:
            return None
        expires_at = float(creds.get("expires_at") or 0.0)
        obtained_at = float(creds.get("obtained_at") or 0.0)
        return cls(access, expires_at, obtained_at, record.credentials_version, refresh)

    def fresh(self, now: float, margin: float) -> bool:
        """Valid beyond the margin; a margin longer than half the lifetime shrinks to that half."""
        lifetime = self.expires_at - self.obtained_at
        effective = min(margin, lifetime / 2) if lifetime > 0 else margin
        return self.expires_at - now > effective

    def replaces(self, stale: str, now: float) -> bool:
        return self.access_token != stale and self.expires_at > now


class TokenManager:
    """Hands out access tokens per account and refreshes them proactively, single-flight."""

    def __init__(
        self,
        store: Store,
        *,
        on_status: StatusSink,
        clock: Callable[[], float] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        margin: float = 300.0,
    ) -> None:
        self.store = store
        self.clock: Callable[[], float] = clock or time.time
        self.margin = margin
        self._transport = transport
        self._on_status = on_status
        self._tokens: dict[str, _Token] = {}
        self._locks = KeyedLocks()
        self._guard = threading.Lock()
        self._inflight: dict[tuple[int, str], asyncio.Task[_Token]] = {}

    # -- the hot path --------------------------------------------------------------------------

    def prime(self, record: AccountRecord) -> None:
        """Seed the cache from a record just read, unless a newer token is already known."""
        token = _Token.of(record)
        if token is None:
            return
        with self._guard:
            known = self._tokens.get(record.id)
            if known is None or token.version > known.version:
                self._tokens[record.id] = token

    def known_tokens(self, account_id: str) -> tuple[str, ...]:
        """The access and refresh tokens held for this account (to mask them in what a call reports)."""
        token = self._tokens.get(account_id)
        if token is None:
            return ()
        return (token.access_token, token.refresh_token) if token.refresh_token else (token.access_token,)

    def forget(self, account_id: str) -> None:
        with self._guard:
            self._tokens.pop(account_id, None)

    async def access_token(self, ref: AccountRef, stale: str | None = None) -> str:
        """A token valid beyond the margin; with ``stale`` (the CRM answered 401 to it), one that differs."""
        now = self.clock()
        known = self._tokens.get(ref.account_id)
        if known is not None and (known.replaces(stale, now) if stale else known.fresh(now, self.margin)):
            return known.access_token
        token = await self._shared_refresh(ref, stale)
        if stale and token.access_token == stale:
            token = await self._shared_refresh(ref, stale)  # joined a proactive refresh that kept it
        return token.access_token

    async def _shared_refresh(self, ref: AccountRef, stale: str | None) -> _Token:
        loop = asyncio.get_running_loop()
        key = (id(loop), ref.account_id)
        with self._guard:
            task = self._inflight.get(key)
            if task is None:
                task = loop.create_task(asyncio.to_thread(self.refresh, ref, stale))
                self._inflight[key] = task
                task.add_done_callback(lambda done: self._settled(key, done))
        return await asyncio.shield(task)

    def _settled(self, key: tuple[int, str], task: asyncio.Task[_Token]) -> None:
        with self._guard:
            if self._inflight.get(key) is task:
                del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved here so an unawaited failure is not reported twice

    # -- the refresh ---------------------------------------------------------------------------

    def refresh(self, ref: AccountRef, stale: str | None = None, *, force: bool = False) -> _Token:
        """Blocking: make sure the account has a usable token, asking the CRM at most once.

        ``force`` refreshes even a fresh token (the background refresher keeping refresh tokens alive).
        Call from a worker thread, never from an event loop.
        """
        with self._locks.hold(ref.account_id):
            now = self.clock()
            known = self._tokens.get(ref.account_id)
            if known is not None and not force and self._usable(known, stale, now):
                return known
            return self._refresh_locked(ref, stale, force)

    def _usable(self, token: _Token, stale: str | None, now: float) -> bool:
        return token.replaces(stale, now) if stale else token.fresh(now, self.margin)

    def _refresh_locked(self, ref: AccountRef, stale: str | None, force: bool) -> _Token:
        with self.store.accounts.locked(ref.tenant_id, ref.account_id) as locked:
            record = locked.account
            previous = record.status
            if previous in (AccountStatus.REVOKED, AccountStatus.PENDING):
                raise ReauthorizationRequired(
                    f"This account is not authorised (status {previous.value}); the user must connect again.",
                    account_status=previous.value,
                )
            current = _Token.of(record)
            now = self.clock()
            if current is not None and not force and self._usable(current, stale, now):
                self._remember(ref.account_id, current)  # another worker or process refreshed first
                return current
            outcome = self._ask(ref, record, current, now)
            if isinstance(outcome, TokenSet):
                refresh_token = (record.credentials or {}).get("refresh_token")
                updated = locked.update(credentials=outcome.credentials(now, refresh_token))
                token = _Token(
                    outcome.access_token,
                    outcome.expires_at,
                    now,
                    updated.credentials_version,
                    outcome.refresh_token or refresh_token,
                )
        if not isinstance(outcome, TokenSet):
            return self._failed(ref, current, *outcome)
        log.info("refreshed the access token of account %s", ref.account_id)
        self._remember(ref.account_id, token)
        if previous is not AccountStatus.ACTIVE:
            self._on_status(ref, AccountStatus.ACTIVE, "access token refreshed")
        return token

    def _ask(
        self, ref: AccountRef, record: AccountRecord, current: _Token | None, now: float
    ) -> TokenSet | tuple[AccountStatus | None, CrmBridgeError]:
        """The one token request; a failure comes back as (status to record, error to raise)."""
        refresh_token = (record.credentials or {}).get("refresh_token")
        if not isinstance(refresh_token, str) or not refresh_token:
            return AccountStatus.REVOKED, GrantRejected("The account holds no refresh token.")
        try:
            return self._run(lambda http: refresh_tokens(http, ref.client, refresh_token, now))
        except GrantRejected as exc:
            return AccountStatus.REVOKED, exc
        except ProviderUnavailable as exc:
            expired = current is None or current.expires_at <= now
            return (AccountStatus.EXPIRED if expired else None), exc
        except CrmBridgeError as exc:
            return AccountStatus.ERROR, exc

    def _failed(
        self, ref: AccountRef, current: _Token | None, status: AccountStatus | None, exc: CrmBridgeError
    ) -> _Token:
        """Record what a failed refresh means, then raise (or keep a still-valid token on a passing error)."""
        if status is None and current is not None:
            log.warning(
                "refresh of account %s failed (%s); its token is still valid", ref.account_id, exc.code
            )
            self._remember(ref.account_id, current)
            return current
        if status is AccountStatus.REVOKED:
            self.forget(ref.account_id)
            self._on_status(
                ref, status, "the CRM rejected the refresh token (app uninstalled or access revoked)"
            )
            raise ReauthorizationRequired(
                "This account's authorisation was revoked (the app was uninstalled or access withdrawn); "
                "the user must connect again.",
                account_status=status.value,
            ) from None
        if status is not None:
            self._on_status(ref, status, f"token refresh failed: {exc.code}")
        raise exc

    def _remember(self, account_id: str, token: _Token) -> None:
        with self._guard:
            known = self._tokens.get(account_id)
            if known is None or token.version >= known.version:
                self._tokens[account_id] = token

    def _run(self, call: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
        """One HTTP exchange on a private event loop in this (worker) thread."""

        async def go() -> T:
            client = httpx.AsyncClient(transport=self._transport, timeout=30.0)
            try:
                return await call(client)
            finally:
                if self._transport is None:  # an injected transport is shared: never close it here
                    await client.aclose()

        return asyncio.run(go())

    def snapshot(self) -> dict[str, Any]:
        """Cached expiry per account id (for diagnostics; no token values)."""
        with self._guard:
            return {k: {"expires_at": v.expires_at, "version": v.version} for k, v in self._tokens.items()}
