"""The store: one session factory, the vault, and a repository per aggregate, for every tenant.

Every repository method takes the tenant and filters by it (the OAuth state is the one exception: the
callback only knows the state, which then says the tenant). Secrets go through the vault with associated
data ``"{tenant}:{table}:{row id}"``, so a ciphertext moved to another row or tenant does not decrypt.
Key rotation spans tenants and tables, so it lives here rather than in a repository.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Engine, select, update

from ..vault import Vault
from .accounts import AccountRepository
from .availability import translated
from .codec import ACCOUNTS, CONNECTIONS, WEBHOOK_ENDPOINTS, Codec
from .connections import ConnectionRepository
from .db import create_store_engine, upgrade
from .events import AccountEventRepository
from .idempotency import IdempotencyRepository
from .interactions import InteractionRepository
from .keycheck import foreign_key_ids
from .models import AccountRow, ConnectionRow
from .oauth_states import OAuthStateRepository
from .sessions import Clock, SessionFactory
from .skill_store import SkillRepository
from .snapshots import SnapshotRepository
from .tenants import ApiKeyRepository, TenantRepository
from .webhook_rows import WebhookEndpointRow
from .webhooks import WebhookRepository

__all__ = ["Store"]

_ROTATE_BATCH = 500


class Store:
    """Synchronous, thread-safe access to the crmbridge database. Open with :meth:`Store.open`.

    Work with one aggregate through its repository: ``store.connections``, ``store.accounts``,
    ``store.oauth_states``, ``store.events``; for the service ``store.tenants``, ``store.api_keys``,
    ``store.idempotency`` and ``store.webhooks``.
    """

    def __init__(
        self, engine: Engine, vault: Vault, *, clock: Clock | None = None, lock_timeout: float | None = None
    ) -> None:
        self._sessions = SessionFactory(engine, clock, lock_timeout=lock_timeout)
        self._vault = vault
        self._codec = Codec(vault)
        self.connections = ConnectionRepository(self._sessions, self._codec)
        self.accounts = AccountRepository(self._sessions, self._codec)
        self.oauth_states = OAuthStateRepository(self._sessions)
        self.events = AccountEventRepository(self._sessions)
        self.tenants = TenantRepository(self._sessions)
        self.api_keys = ApiKeyRepository(self._sessions)
        self.idempotency = IdempotencyRepository(self._sessions, self._codec)
        self.webhooks = WebhookRepository(self._sessions, self._codec)
        self.snapshots = SnapshotRepository(self._sessions)
        self.skills = SkillRepository(self._sessions)
        self.interactions = InteractionRepository(self._sessions)

    @classmethod
    def open(
        cls, database_url: str, vault: Vault, *, clock: Clock | None = None, lock_timeout: float | None = None
    ) -> Store:
        """Connect and bring the schema to the latest migration (safe to call from many processes).

        A database that cannot be reached within the connect timeout raises ``StorageUnavailable`` naming
        it; ``lock_timeout`` (seconds, default ``db.LOCK_TIMEOUT``) bounds every lock wait.
        """
        engine = create_store_engine(database_url, lock_timeout=lock_timeout)
        store = cls(engine, vault, clock=clock, lock_timeout=lock_timeout)
        try:
            with translated(store._sessions.label, opening=True):
                upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return store

    @property
    def engine(self) -> Engine:
        return self._sessions.engine

    @property
    def vault(self) -> Vault:
        return self._vault

    def close(self) -> None:
        self._sessions.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self._sessions.database!r})"

    def foreign_key_ids(self) -> set[str]:
        """Ids of keys outside the vault's ring that sealed stored secrets (a sample): empty when every
        secret can be opened, else the keys the ring lacks."""
        with translated(self._sessions.label):
            return foreign_key_ids(self.engine, self._vault.key_ids)

    def rotate_keys(self) -> int:
        """Re-encrypt every secret not sealed by the vault's newest key; returns how many rows changed.

        Spans all tenants (a maintenance task). Works in batches, and each row is rewritten only if it
        still holds the ciphertext that was read, so a concurrent credentials write is never undone.
        Does not bump ``credentials_version``: the credentials themselves do not change.
        """
        return (
            self._rotate(ConnectionRow, "client_secret_enc", CONNECTIONS)
            + self._rotate(AccountRow, "credentials_enc", ACCOUNTS)
            + self._rotate(WebhookEndpointRow, "secret_enc", WEBHOOK_ENDPOINTS)
        )

    def _rotate(
        self,
        model: type[ConnectionRow] | type[AccountRow] | type[WebhookEndpointRow],
        column: str,
        table: str,
    ) -> int:
        col = getattr(model, column)
        changed, last_id = 0, ""
        while True:
            with self._sessions.transaction() as s:
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
            with self._sessions.transaction(write=True) as s:
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
