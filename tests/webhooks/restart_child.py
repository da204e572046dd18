"""A service process for the restart test: ``emit`` starts a delivery and waits to be killed; ``resume``
launches DBOS again on the same system database and waits until the delivery is finished."""

from __future__ import annotations

import os
import sys
import time

from crmbridge.durable import launch_dbos
from crmbridge.store import Store
from crmbridge.vault import Vault
from crmbridge.webhooks import Backoff, Webhooks


def main(mode: str, store_url: str, system_url: str) -> None:
    store = Store.open(store_url, Vault.from_string(os.environ["TEST_VAULT_KEY"]))
    runner = launch_dbos(system_url, "crmbridge-restart-test", polling_interval=0.01)
    webhooks = Webhooks(store, runner, backoff=Backoff(initial=0.3, cap=0.3, window=30, jitter=0), timeout=2)
    if mode == "emit":
        delivery = webhooks.emit("t1", "account.status_changed", {"status": "REVOKED"})
        assert delivery is not None
        print(delivery.id, flush=True)
        time.sleep(60)  # killed long before
        return
    delivery_id = sys.argv[4]
    deadline = time.monotonic() + 20
    while (found := webhooks.delivery("t1", delivery_id)) is None or found.status == "pending":
        if time.monotonic() > deadline:
            sys.exit("not delivered after the restart")
        time.sleep(0.01)
    runner.close()
    store.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
