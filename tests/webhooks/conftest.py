from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crmbridge.durable import DBOSRunner
from crmbridge.store import Store
from crmbridge.vault import Vault
from crmbridge.webhooks import Backoff, Webhooks
from tests.dbutil import BACKENDS, database_url
from tests.durable.dbosutil import _release_dbos_at_end, dbos_runner
from tests.webhooks.receiver import Receiver, running_receiver

__all__ = ["_release_dbos_at_end", "dbos_runner"]

#: The day of retries scaled down to a second or two.
FAST = Backoff(initial=0.05, factor=2.0, cap=0.2, window=3.0, jitter=0.2)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with (
        database_url(str(request.param), tmp_path) as url,
        Store.open(url, Vault.from_string(Vault.generate_key())) as s,
    ):
        yield s


@pytest.fixture
def webhooks(store: Store, dbos_runner: DBOSRunner) -> Webhooks:
    return Webhooks(store, dbos_runner, backoff=FAST, timeout=2.0)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


def wait_for_status(
    webhooks: Webhooks, tenant: str, delivery_id: str, status: str, timeout: float = 10.0
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        found = webhooks.delivery(tenant, delivery_id)
        if found is not None and found.status == status:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery {delivery_id} is {found and found.status}, expected {status}")
        time.sleep(0.01)


WaitFor = Callable[[Webhooks, str, str, str], None]
