"""Persistence for connections and connected accounts: SQLAlchemy 2 on SQLite (default) or Postgres.

``Store.open(url, vault)`` migrates the schema and returns a thread-safe store; secrets are encrypted
with :class:`crmbridge.vault.Vault`. See ``docs/decisions/003-storage-and-vault.md``.

The store is a repository per aggregate over one :class:`~.sessions.SessionFactory`:
``store.connections``, ``store.accounts`` (with its single-flight ``locked``), ``store.oauth_states``
and ``store.events``; ``store.rotate_keys()`` spans them all. To add an aggregate (tenants, API keys…):

1. its ``…Row`` class in ``models.py`` plus a new Alembic revision in ``migrations/versions``;
2. its frozen ``…Record`` in ``records.py`` (secret fields ``repr=False``), converted in ``codec.py``
   (seal secrets with ``aad_for``, and add the column to ``Store.rotate_keys``);
3. a module with a ``…Repository(sessions, codec)`` class whose methods take the tenant first and
   open transactions with ``sessions.transaction(write=…)``;
4. one attribute in ``Store.__init__``.
"""

from .accounts import LockedAccount
from .db import default_database_url
from .records import (
    AccountEventRecord,
    AccountNotFound,
    AccountRecord,
    ConnectionInUse,
    ConnectionRecord,
    OAuthStateError,
)
from .status import AccountStatus
from .store import Store

__all__ = [
    "AccountEventRecord",
    "AccountNotFound",
    "AccountRecord",
    "AccountStatus",
    "ConnectionInUse",
    "ConnectionRecord",
    "LockedAccount",
    "OAuthStateError",
    "Store",
    "default_database_url",
]
