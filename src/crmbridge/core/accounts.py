"""Connections and connected accounts: the store's records turned into call targets.

A call target is built once per account and cached in memory, so the hot path of a tool call touches
no database; anything that changes an account (new credentials, a status change) drops its entry.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ..auth import ApiKeyAuth, effective_scopes
from ..engine import CallTarget, Catalog
from ..errors import AuthFailed, ConfigurationError, CrmBridgeError, ReauthorizationRequired
from .models import AccountStatus, ConnectedAccount, Connection

if TYPE_CHECKING:
    from ..spec import Provider
    from ..store import AccountRecord, ConnectionRecord, Store

__all__ = ["API_DOMAIN", "CRM_ACCOUNT_ID", "Accounts", "StatusListener", "key_refused_reason"]

log = logging.getLogger("crmbridge.accounts")

#: ``listener(account, old_status, new_status, reason)``: every status change, for webhooks and audit.
StatusListener = Callable[[ConnectedAccount, AccountStatus | None, AccountStatus, str | None], None]

_CONNECTION_FIELDS = ("base_url", "client_id", "redirect_uri", "authorize_url", "token_url")

#: Account metadata holding the account's own API origin, for CRMs that serve each account on its own
#: host (``AuthSpec.base_url_per_account``); named like ``connect_api_key``'s parameter.
API_DOMAIN = "api_domain"
#: Account metadata naming the CRM account (portal, company) an authorisation belongs to: every
#: connected account on it shares one rate-limit budget.
CRM_ACCOUNT_ID = "crm_account_id"


def key_refused_reason(provider: Provider, connection_name: str, identifier: str) -> str:
    """What an account whose API key the CRM refused says, to whoever can replace the key."""
    return (
        f"{provider.display_name} refused this account's API key (401): it was deleted, rotated or "
        f"deactivated there. Replace it: connect_api_key(connection_name={connection_name!r}, "
        f"identifier={identifier!r}, api_key=…) or `crmbridge connect-api-key --connection "
        f"{connection_name} --identifier {identifier} --api-key -`."
    )


def public_connection(record: ConnectionRecord) -> Connection:
    config = record.config
    return Connection(
        name=record.name,
        provider=record.provider,
        auth_mode=config.get("auth_mode", "api_key"),
        scopes=tuple(config.get("scopes") or ()),
        optional_scopes=tuple(config.get("optional_scopes") or ()),
        has_client_secret=record.client_secret is not None,
        **{k: config.get(k) for k in _CONNECTION_FIELDS},
    )


def public_account(record: AccountRecord, provider: str) -> ConnectedAccount:
    return ConnectedAccount(
        id=record.id,
        connection_name=record.connection_name,
        identifier=record.identifier,
        provider=provider,
        status=record.status,
        granted_scopes=tuple(record.granted_scopes or ()),
        metadata=dict(record.metadata or {}),
        status_reason=record.status_reason,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


class Accounts:
    """Everything about connections and accounts of one tenant; the Bridge facade delegates here."""

    def __init__(self, store: Store, tenant_id: str, catalog: Catalog, *, target_ttl: float = 30.0) -> None:
        self.store = store
        self.catalog = catalog
        self.tenant_id = tenant_id
        #: How long a call target is trusted before the account is read again: another worker (or the
        #: CLI) may have saved a new key, re-authorised, or revoked it in the shared database.
        self.target_ttl = target_ttl
        self._targets: dict[tuple[str, str, str], tuple[str, CallTarget, float]] = {}
        self._generation = 0  # bumped by every forget: a target read before it is not cached
        self._lock = threading.Lock()
        self.listeners: list[StatusListener] = []
        #: Builds the ``httpx.Auth`` of OAuth accounts; installed by the OAuth layer.
        self.oauth_auth: Callable[[ConnectionRecord, AccountRecord], httpx.Auth] | None = None
        #: Builds a consent link for an account, optionally asking for extra scopes.
        self.authorization_link: Callable[[str, str, tuple[str, ...]], str] | None = None

    # -- connections ---------------------------------------------------------------------------

    def add_connection(
        self, name: str, *, provider: str, client_secret: str | None = None, **config: Any
    ) -> Connection:
        provider = self.catalog.provider(provider).name  # in any case; a clear error for an unknown one
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            raise ConfigurationError(
                f"Connection name {name!r} must be letters, digits, '-' or '_' (e.g. 'hubspot').",
                field="name",
            )
        clean = {k: v for k, v in config.items() if v is not None}
        for key in ("scopes", "optional_scopes"):
            if key in clean:
                clean[key] = list(clean[key])
        oauth = bool(clean.get("client_id"))
        if oauth and not (client_secret and clean.get("redirect_uri")):
            raise ConfigurationError(
                "An OAuth connection needs client_id, client_secret and redirect_uri (the callback URL "
                "registered in the CRM app).",
            )
        clean["auth_mode"] = "oauth" if oauth else "api_key"
        record = self.store.connections.save(self.tenant_id, name, provider, clean, client_secret)
        self.forget_all()  # a changed connection may change which one a call resolves to
        return public_connection(record)

    def connection(self, name: str) -> ConnectionRecord:
        record = self.store.connections.get(self.tenant_id, name)
        if record is None:
            known = [c.name for c in self.store.connections.list(self.tenant_id)]
            raise ConfigurationError(
                f"There is no connection named {name!r}; add it with add_connection(...). "
                f"Known: {', '.join(known) or 'none'}.",
                allowed=known,
            )
        return record

    def connection_for(self, provider: str, identifier: str, connection_name: str | None) -> ConnectionRecord:
        """The connection a call uses: the named one, or the tenant's only one for the provider."""
        if connection_name is not None:
            record = self.connection(connection_name)
            if record.provider != provider:
                raise ConfigurationError(
                    f"Connection {connection_name!r} is a {record.provider} connection; this tool is for {provider}."
                )
            return record
        candidates = [c for c in self.store.connections.list(self.tenant_id) if c.provider == provider]
        if not candidates:
            raise ConfigurationError(
                f"No {provider} connection is configured; add one with add_connection(...)."
            )
        if len(candidates) > 1:
            with_account = [
                c
                for c in candidates
                if self.store.accounts.get(self.tenant_id, c.name, identifier) is not None
            ]
            if len(with_account) == 1:
                return with_account[0]
            raise ConfigurationError(
                f"Several {provider} connections exist ({', '.join(c.name for c in candidates)}); "
                "pass connection_name=… to pick one.",
                candidates=[c.name for c in candidates],
            )
        return candidates[0]

    # -- accounts ------------------------------------------------------------------------------

    def get_or_create(self, connection_name: str, identifier: str) -> ConnectedAccount:
        connection = self.connection(connection_name)
        if not identifier:
            raise ConfigurationError(
                "identifier must be a non-empty string (your user's id).", field="identifier"
            )
        record, created = self.store.accounts.get_or_create(self.tenant_id, connection_name, identifier)
        account = public_account(record, connection.provider)
        if created:
            self.emit(account, None, account.status, "created")
        return account

    def get(self, connection_name: str, identifier: str) -> ConnectedAccount | None:
        connection = self.connection(connection_name)
        record = self.store.accounts.get(self.tenant_id, connection_name, identifier)
        return None if record is None else public_account(record, connection.provider)

    def list(self, connection_name: str | None = None) -> list[ConnectedAccount]:
        providers = {c.name: c.provider for c in self.store.connections.list(self.tenant_id)}
        return [
            public_account(r, providers.get(r.connection_name, ""))
            for r in self.store.accounts.list(self.tenant_id, connection_name)
        ]

    def update(
        self,
        connection_name: str,
        identifier: str,
        *,
        status: AccountStatus | None = None,
        reason: str | None = None,
        **changes: Any,
    ) -> ConnectedAccount:
        """Write an account change, drop its cached target and tell the listeners about a new status."""
        connection = self.connection(connection_name)
        record = self.store.accounts.get(self.tenant_id, connection_name, identifier)
        if record is None:
            raise ConfigurationError(f"No account {identifier!r} on connection {connection_name!r}.")
        old = record.status
        updated = self.store.accounts.update(
            self.tenant_id,
            record.id,
            status=status,
            status_reason=reason,
            **changes,
        )
        self.forget(connection_name, identifier)
        account = public_account(updated, connection.provider)
        if status is not None and status != old:
            self.emit(account, old, status, reason)
        return account

    def forget_all(self) -> None:
        """Drop every cached target (a connection changed or went away)."""
        with self._lock:
            self._generation += 1
            self._targets.clear()

    def forget(self, connection_name: str, identifier: str) -> None:
        with self._lock:
            self._generation += 1
            for key in [
                k for k, v in self._targets.items() if v[0] == connection_name and k[2] == identifier
            ]:
                del self._targets[key]

    def emit(
        self, account: ConnectedAccount, old: AccountStatus | None, new: AccountStatus, reason: str | None
    ) -> None:
        """Tell the listeners about a status change already written."""
        log.info("account %s on %s: %s -> %s", account.id, account.connection_name, old, new)
        for listener in list(self.listeners):
            try:
                listener(account, old, new, reason)
            except Exception:  # a listener's bug must not break the caller's tool call
                log.exception("account status listener failed")

    # -- call targets --------------------------------------------------------------------------

    def cached_target(self, provider: str, identifier: str, connection_name: str | None) -> CallTarget | None:
        cached = self._targets.get((provider, connection_name or "", identifier))
        if cached is None or cached[2] < time.monotonic():
            return None
        return cached[1]

    def target(self, provider: str, identifier: str, connection_name: str | None) -> CallTarget:
        """The cached call target: the hot path of a tool call reads the database once per ``target_ttl``."""
        cached = self.cached_target(provider, identifier, connection_name)
        if cached is not None:
            return cached
        generation = self._generation
        connection = self.connection_for(provider, identifier, connection_name)
        record = self.store.accounts.get(self.tenant_id, connection.name, identifier)
        if record is None:
            raise ConfigurationError(
                f"User {identifier!r} has no account on connection {connection.name!r}: connect one first "
                "(connect_api_key(...) or get_authorization_link(...)).",
            )
        target = self._build_target(connection, record)
        with self._lock:
            if generation == self._generation:  # nothing changed while we read: safe to keep
                key = (provider, connection_name or "", identifier)
                self._targets[key] = (connection.name, target, time.monotonic() + self.target_ttl)
        return target

    def _build_target(self, connection: ConnectionRecord, record: AccountRecord) -> CallTarget:
        provider = self.catalog.provider(connection.provider)
        status = record.status
        link = self._link_builder(connection.name, record.identifier)
        if status in (AccountStatus.PENDING, AccountStatus.REVOKED):
            message = (
                "This account has not been authorised yet"
                if status is AccountStatus.PENDING
                else "This account's authorisation was revoked"
            )
            raise ReauthorizationRequired(
                f"{message}; the user must (re)connect {provider.display_name}.",
                account_status=status.value,
                authorization_link=link(()) if link else None,
            )
        metadata = record.metadata or {}
        credentials = record.credentials or {}
        if "api_key" in credentials:
            if status is AccountStatus.ERROR:  # the CRM refused this key: no use sending it again
                raise AuthFailed(
                    record.status_reason or key_refused_reason(provider, connection.name, record.identifier),
                    account_status=status.value,
                )
            return self.api_key_target(connection, credentials["api_key"], metadata, record)
        if self.oauth_auth is None:
            raise ConfigurationError("OAuth accounts need the OAuth layer (crmbridge.auth.oauth).")
        legacy_key = provider.auth.legacy_account_id_key
        crm_account = metadata.get(CRM_ACCOUNT_ID) or (legacy_key and metadata.get(legacy_key))
        asked = [
            *(connection.config.get("scopes") or ()),
            *(connection.config.get("optional_scopes") or ()),
        ]
        configured = frozenset(effective_scopes(provider.auth, asked)) or None

        async def on_auth_error(error: CrmBridgeError) -> None:
            self.forget(connection.name, record.identifier)

        async def reauth_link(scopes: Any) -> str | None:
            if link is None:
                return None
            try:
                return link(tuple(scopes))
            except CrmBridgeError as exc:  # the error being reported matters more than its link
                log.warning("no authorization link for account %s: %s", record.id, exc.code)
                return None

        return CallTarget(
            account_key=f"{provider.name}:{crm_account or record.id}",
            cache_key=f"{connection.name}\x00{record.identifier}",
            base_url=self._base_url(connection, metadata),
            auth=self.oauth_auth(connection, record),
            granted_scopes=frozenset(record.granted_scopes or ()) or None,
            configured_scopes=configured,
            connection_name=connection.name,
            authorization_link=reauth_link,
            on_auth_error=on_auth_error,
        )

    def _base_url(self, connection: ConnectionRecord, metadata: Mapping[str, Any]) -> str:
        provider = self.catalog.provider(connection.provider)
        return str(metadata.get(API_DOMAIN) or connection.config.get("base_url") or provider.base_url)

    def api_key_target(
        self,
        connection: ConnectionRecord,
        api_key: str,
        metadata: Mapping[str, Any],
        record: AccountRecord | None = None,
    ) -> CallTarget:
        """Where an API key's calls go and how they authenticate. With the saved ``record``, a 401 moves
        the account to ``ERROR`` (the key was deleted or rotated at the CRM); without it (a key being
        checked before it is saved) nothing is recorded."""
        provider = self.catalog.provider(connection.provider)
        auth = ApiKeyAuth(api_key, header=provider.auth.api_key_header, prefix=provider.auth.api_key_prefix)
        on_auth_error = None
        if record is not None:
            saved = record

            async def on_auth_error(error: CrmBridgeError) -> CrmBridgeError | None:
                self.forget(connection.name, saved.identifier)
                if not isinstance(error, AuthFailed):
                    return None
                return await asyncio.to_thread(self._key_refused, connection, saved, error)

        return CallTarget(
            account_key=f"{provider.name}:key:{hashlib.sha256(api_key.encode()).hexdigest()[:16]}",
            cache_key=f"{connection.name}\x00{record.identifier if record else ''}",
            base_url=self._base_url(connection, metadata),
            auth=auth,
            connection_name=connection.name,
            on_auth_error=on_auth_error,
        )

    def _key_refused(
        self, connection: ConnectionRecord, record: AccountRecord, error: CrmBridgeError
    ) -> CrmBridgeError:
        """A 401 to a saved key: the account goes to ``ERROR`` (unless the key was replaced meanwhile), and
        the caller hears how to fix it. Never raises: this runs inside a tool call."""
        provider = self.catalog.provider(connection.provider)
        reason = key_refused_reason(provider, connection.name, record.identifier)
        try:
            with self.store.accounts.locked(self.tenant_id, record.id) as locked:
                current = locked.account
                same_key = current.credentials_version == record.credentials_version
                if same_key and current.status is AccountStatus.ACTIVE:
                    updated = locked.update(status=AccountStatus.ERROR, status_reason=reason)
                else:
                    updated = None
            if updated is not None:
                self.forget(connection.name, record.identifier)
                account = public_account(updated, connection.provider)
                self.emit(account, AccountStatus.ACTIVE, AccountStatus.ERROR, reason)
        except Exception:  # the database may be down: the caller still learns what the CRM said
            log.warning("could not record the refused API key of account %s", record.id, exc_info=True)
        return AuthFailed(
            reason,
            account_status=AccountStatus.ERROR.value,
            status=error.status,
            request_id=error.request_id,
            provider=error.provider,
        )

    def _link_builder(self, connection_name: str, identifier: str) -> Callable[[tuple[str, ...]], str] | None:
        builder = self.authorization_link
        if builder is None:
            return None
        connection = self.store.connections.get(self.tenant_id, connection_name)
        if connection is None or connection.config.get("auth_mode") != "oauth":
            return None
        return lambda scopes: builder(connection_name, identifier, scopes)
