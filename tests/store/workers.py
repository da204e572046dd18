"""Code run in spawned processes by the locking tests (must be importable, hence its own module)."""

from __future__ import annotations

import time
from typing import Any

from crmbridge.store import Store
from crmbridge.vault import Vault


def increment(store: Store, tenant_id: str, account_id: str, times: int) -> None:
    """Read-modify-write a counter in the credentials under the lock; a lost update shows as a short count."""
    for _ in range(times):
        with store.accounts.locked(tenant_id, account_id) as locked:
            credentials = dict(locked.account.credentials)
            count = int(credentials.get("counter", 0))
            time.sleep(0.001)  # widen the read-modify-write window so a broken lock would lose updates
            credentials["counter"] = count + 1
            locked.update(credentials=credentials)


def increment_in_process(
    db_url: str, keys: str, tenant_id: str, account_id: str, times: int, barrier: Any
) -> None:
    with Store.open(db_url, Vault.from_string(keys)) as store:
        barrier.wait(timeout=60)
        increment(store, tenant_id, account_id, times)
