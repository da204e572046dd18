"""The store facade: connections, connected accounts, OAuth states and account events, per tenant.

Every method takes the tenant and filters by it (the OAuth state is the one exception: the callback only
knows the state, which then says the tenant). Secrets go through the vault with associated data
``"{tenant}:{table}:{row id}"``, so a ciphertext moved to another row or tenant does not decrypt.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Select, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crmbridge.store.accounts import AccountChanges, LockedAccount, apply_changes, lock_account_row, new_event
from crmbridge.store.codec import ACCOUNTS, CONNECTIONS, Codec
from crmbridge.store.db import WRITE_OPTION, create_store_engine, upgrade
from crmbridge.store.locking import account_locks
from crmbridge.store.models import AccountEvent, AccountStatus, ConnectedAccount, Connection, OAuthState
from crmbridge.store.records import AccountEventRecord, AccountRecord, ConnectionRecord, OAuthStateError
from crmbridge.vault import Vault

__all__ = ["Store"]

Clock = Callable[[], datetime]
# Secrets belong in ``client_secret`` / ``credentials`` (encrypted), never in the plaintext config.
_SECRET_CONFIG_KEYS = frozenset({"client_secret", "access_token", "refresh_token", "api_key", "password"})
_ROTATE_BATCH = 500
_STATE_GRACE = timedelta(hours=1)  # expired states linger this long so a late callback hears "expired"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """Synchronous, thread-safe access to the crmbridge database. Open with :meth:`Store.open`."""

    def __init__(self, engine: Engine, vault: Vault, *, clock: Clock | None = None) -> None:
        self._engine = engine
        self._vault = vault
        self._codec = Codec(vault)
        self._clock: Clock = clock or _utcnow
        self._sqlite = engine.dialect.name == "sqlite"
        self._db_key = engine.url.render_as_string(hide_password=True)
        self._held = threading.local()

    @classmethod
    def open(cls, database_url: str, vault: Vault, *, clock: Clock | None = None) -> Store:
        """Connect and bring the schema to the latest migration (safe to call from many processes)."""
        engine = create_store_engine(database_url)
        try:
            upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, vault, clock=clock)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def vault(self) -> Vault:
        return self._vault

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self._db_key!r})"

    # -- connections -------------------------------------------------------------------------------

    def save_connection(
        self,
        tenant_id: str,
        name: str,
        provider: str,
        config: Mapping[str, Any],
        client_secret: str | None,
    ) -> ConnectionRecord:
        """Create or replace the tenant's connection ``name`` (``client_secret=None`` stores none)."""
        leaked = _SECRET_CONFIG_KEYS & set(config)
        if leaked:
            raise ValueError(f"secrets do not belong in config (found {sorted(leaked)}): pass client_secret")
        for attempt in (1, 2):
            try:
                with self._session(write=True) as s:
                    row = s.scalars(
                        select(Connection)
                        .where(Connection.tenant_id == tenant_id, Connection.name == name)
                        .with_for_update()
                    ).one_or_none()
                    now = self._clock()
                    if row is None:
                        row = Connection(id=str(uuid.uuid4()), tenant_id=tenant_id, name=name, created_at=now)
                        s.add(row)
                    row.provider = provider
                    row.config = dict(config)
                    row.updated_at = now
                    row.client_secret_enc = self._codec.seal_client_secret(tenant_id, row.id, client_secret)
                    s.flush()
                    return self._codec.connection(row)
            except IntegrityError:
                if attempt == 2:  # a concurrent first insert can collide once; twice is a real error
                    raise
        raise AssertionError("unreachable")

    def get_connection(self, tenant_id: str, name: str) -> ConnectionRecord | None:
        with self._session() as s:
            row = s.scalars(
                select(Connection).where(Connection.tenant_id == tenant_id, Connection.name == name)
            ).one_or_none()
            return None if row is None else self._codec.connection(row)

    def list_connections(self, tenant_id: str) -> list[ConnectionRecord]:
        with self._session() as s:
            rows = s.scalars(
                select(Connection).where(Connection.tenant_id == tenant_id).order_by(Connection.name)
            )
            return [self._codec.connection(r) for r in rows]

    # -- connected accounts ------------------------------------------------------------------------

    def get_or_create_account(
        self, tenant_id: str, connection_name: str, identifier: str
    ) -> tuple[AccountRecord, bool]:
        """The account, creating it ``PENDING`` if new; ``True`` only for the one caller that created it."""
        existing = self.get_account(tenant_id, connection_name, identifier)
        if existing is not None:
            return existing, False
        try:
            with self._session(write=True) as s:
                row = s.scalars(self._account_query(tenant_id, connection_name, identifier)).one_or_none()
                if row is not None:
                    return self._codec.account(row), False
                now = self._clock()
                row = ConnectedAccount(
                    id=str(uuid.uuid4()),
                    tenant_id=tenant_id,
                    connection_name=connection_name,
                    identifier=identifier,
                    status=AccountStatus.PENDING.value,
                    credentials_enc=None,
                    credentials_version=0,
                    granted_scopes=[],
                    account_metadata={},
                    status_reason=None,
                    created_at=now,
                    updated_at=now,
                )
                s.add(row)
                s.add(new_event(row, None, AccountStatus.PENDING, "created", now))
                s.flush()
                return self._codec.account(row), True
        except IntegrityError:
            # Another process inserted the same (tenant, connection, identifier) first: theirs is ours.
            again = self.get_account(tenant_id, connection_name, identifier)
            if again is None:
                raise
            return again, False

    def get_account(self, tenant_id: str, connection_name: str, identifier: str) -> AccountRecord | None:
        with self._session() as s:
            row = s.scalars(self._account_query(tenant_id, connection_name, identifier)).one_or_none()
            return None if row is None else self._codec.account(row)

    def get_account_by_id(self, tenant_id: str, account_id: str) -> AccountRecord | None:
        with self._session() as s:
            row = s.scalars(
                select(ConnectedAccount).where(
                    ConnectedAccount.tenant_id == tenant_id, ConnectedAccount.id == account_id
                )
            ).one_or_none()
            return None if row is None else self._codec.account(row)

    def list_accounts(self, tenant_id: str, connection_name: str | None = None) -> list[AccountRecord]:
        query = select(ConnectedAccount).where(ConnectedAccount.tenant_id == tenant_id)
        if connection_name is not None:
            query = query.where(ConnectedAccount.connection_name == connection_name)
        query = query.order_by(ConnectedAccount.connection_name, ConnectedAccount.identifier)
        with self._session() as s:
            return [self._codec.account(r) for r in s.scalars(query)]

    def update_account(
        self,
        tenant_id: str,
        account_id: str,
        *,
        status: AccountStatus | str | None = None,
        credentials: Mapping[str, Any] | None = None,
        granted_scopes: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        status_reason: str | None = None,
    ) -> AccountRecord:
        """Change an account; ``None`` leaves a field alone. ``credentials`` replaces the whole dict (and
        bumps ``credentials_version``), ``metadata`` is merged. A status change records an event and sets
        ``status_reason`` (cleared when not given); the result's ``previous_status`` says what it was.
        """
        if (tenant_id, account_id) in self._held_keys():
            raise RuntimeError("this thread holds locked_account for the account: use the handle's update()")
        with self._session(write=True) as s:
            row = lock_account_row(s, tenant_id, account_id)
            changes = AccountChanges(status, credentials, granted_scopes, metadata, status_reason)
            return apply_changes(s, row, changes, self._codec, self._clock())

    @contextmanager
    def locked_account(self, tenant_id: str, account_id: str) -> Iterator[LockedAccount]:
        """Single-flight section for one account (token refresh) across threads and processes.

        Yields a :class:`LockedAccount` whose ``account`` was read after the lock was taken; its
        ``update()`` commits when the block exits, and an exception rolls it back. On SQLite the lock is
        the database write lock, so keep the block short (one token request, not a whole tool call).
        """
        key = (tenant_id, account_id)
        if key in self._held_keys() or (self._sqlite and self._held_keys()):
            raise RuntimeError(
                "locked_account is not re-entrant (and on SQLite only one may be held per thread)"
            )
        with account_locks.hold((self._db_key, tenant_id, account_id)), self._session(write=True) as s:
            row = lock_account_row(s, tenant_id, account_id)
            handle = LockedAccount(s, row, self._codec, self._clock)
            self._held_keys().add(key)
            try:
                yield handle
            finally:
                self._held_keys().discard(key)
                handle.release()

    def list_events(self, tenant_id: str, account_id: str) -> list[AccountEventRecord]:
        """Status history of an account, oldest first."""
        with self._session() as s:
            rows = s.scalars(
                select(AccountEvent)
                .where(AccountEvent.tenant_id == tenant_id, AccountEvent.account_id == account_id)
                .order_by(AccountEvent.id)
            )
            return [Codec.event(r) for r in rows]

    # -- OAuth states ------------------------------------------------------------------------------

    def create_oauth_state(
        self, tenant_id: str, connection_name: str, identifier: str, ttl_seconds: float = 600
    ) -> str:
        """A random single-use ``state`` for an authorisation link; long-expired ones are purged here."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        state_id = secrets.token_urlsafe(32)
        now = self._clock()
        with self._session(write=True) as s:
            s.execute(delete(OAuthState).where(OAuthState.expires_at < now - _STATE_GRACE))
            s.add(
                OAuthState(
                    id=state_id,
                    tenant_id=tenant_id,
                    connection_name=connection_name,
                    identifier=identifier,
                    created_at=now,
                    expires_at=now + timedelta(seconds=ttl_seconds),
                    used_at=None,
                )
            )
        return state_id

    def consume_oauth_state(
        self, state_id: str, check: Callable[[str, str, str], None] | None = None
    ) -> tuple[str, str, str]:
        """``(tenant_id, connection_name, identifier)`` of a valid state, which is then spent.

        ``check(tenant_id, connection_name, identifier)`` runs first and may raise (a bad signature, the
        wrong tenant): then nothing is spent, so a forged callback cannot burn a user's real link. The
        conditional UPDATE makes spending atomic: of two concurrent callbacks with one state, one wins.
        Raises :class:`OAuthStateError` when the state is unknown, expired or already used.
        """
        now = self._clock()
        with self._session(write=True) as s:
            row = s.get(OAuthState, state_id)
            if row is None:
                raise OAuthStateError("unknown")
            owner = (row.tenant_id, row.connection_name, row.identifier)
            if check is not None:
                check(*owner)
            spent = cast(
                "CursorResult[Any]",
                s.execute(
                    update(OAuthState)
                    .where(
                        OAuthState.id == state_id, OAuthState.used_at.is_(None), OAuthState.expires_at > now
                    )
                    .values(used_at=now)
                    .execution_options(synchronize_session=False)
                ),
            )
            if spent.rowcount == 1:
                return owner
            s.refresh(row)
            raise OAuthStateError("used" if row.used_at is not None else "expired")

    # -- keys --------------------------------------------------------------------------------------

    def rotate_keys(self) -> int:
        """Re-encrypt every secret not sealed by the vault's newest key; returns how many rows changed.

        Spans all tenants (a maintenance task). Works in batches, and each row is rewritten only if it
        still holds the ciphertext that was read, so a concurrent credentials write is never undone.
        Does not bump ``credentials_version``: the credentials themselves do not change.
        """
        return self._rotate(Connection, "client_secret_enc", CONNECTIONS) + self._rotate(
            ConnectedAccount, "credentials_enc", ACCOUNTS
        )

    def _rotate(self, model: type[Connection] | type[ConnectedAccount], column: str, table: str) -> int:
        col = getattr(model, column)
        changed, last_id = 0, ""
        while True:
            with self._session() as s:
                batch = s.execute(
                    select(model.id, model.tenant_id, col)
                    .where(col.is_not(None), model.id > last_id)
                    .order_by(model.id)
                    .limit(_ROTATE_BATCH)
                ).all()
            if not batch:
                return changed
            last_id = batch[-1][0]
            stale = [(i, t, tok) for i, t, tok in batch if self._vault.needs_rotation(tok)]
            if not stale:
                continue
            with self._session(write=True) as s:
                for row_id, tenant_id, token in stale:
                    fresh = self._codec.reseal(token, tenant_id, table, row_id)
                    result = cast(
                        "CursorResult[Any]",
                        s.execute(
                            update(model)
                            .where(model.id == row_id, col == token)
                            .values({column: fresh})
                            .execution_options(synchronize_session=False)
                        ),
                    )
                    changed += result.rowcount

    # -- internals ---------------------------------------------------------------------------------

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction; writes on SQLite start ``BEGIN IMMEDIATE`` so they never hit a lock upgrade."""
        if write and self._sqlite and self._held_keys():
            raise RuntimeError("inside locked_account on SQLite, write only through the handle's update()")
        with Session(self._engine, expire_on_commit=False) as session:
            session.connection(execution_options={WRITE_OPTION: write})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def _held_keys(self) -> set[tuple[str, str]]:
        held: set[tuple[str, str]] | None = getattr(self._held, "keys", None)
        if held is None:
            held = self._held.keys = set()
        return held

    @staticmethod
    def _account_query(tenant_id: str, connection_name: str, identifier: str) -> Select[ConnectedAccount]:
        return select(ConnectedAccount).where(
            ConnectedAccount.tenant_id == tenant_id,
            ConnectedAccount.connection_name == connection_name,
            ConnectedAccount.identifier == identifier,
        )
