"""Persistence for connections and connected accounts: SQLAlchemy 2 on SQLite (default) or Postgres.

``Store.open(url, vault)`` migrates the schema and returns a thread-safe store; secrets are encrypted
with :class:`crmbridge.vault.Vault`. See ``docs/decisions/003-storage-and-vault.md``.
"""

from crmbridge.store.accounts import LockedAccount
from crmbridge.store.db import default_database_url
from crmbridge.store.models import AccountStatus
from crmbridge.store.records import (
    AccountEventRecord,
    AccountNotFound,
    AccountRecord,
    ConnectionRecord,
    OAuthStateError,
)
from crmbridge.store.store import Store

__all__ = [
    "AccountEventRecord",
    "AccountNotFound",
    "AccountRecord",
    "AccountStatus",
    "ConnectionRecord",
    "LockedAccount",
    "OAuthStateError",
    "Store",
    "default_database_url",
]
