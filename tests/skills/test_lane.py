"""The serial lane: bounded waits in one process, and the database row that orders workers (Postgres)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from crmbridge.errors import StorageUnavailable
from crmbridge.skills import SerialLanes, WriteLaneBusy
from crmbridge.store import Store
from crmbridge.vault import Vault
from tests.dbutil import database_url

pytestmark = pytest.mark.anyio


async def test_a_write_waits_its_turn_or_is_refused_retryably(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path}/lanes.db", Vault.from_string(Vault.generate_key())) as store:
        lanes = SerialLanes(store.skills, timeout=0.2)
        order: list[str] = []

        async def write(name: str, seconds: float) -> None:
            async with lanes.hold("t1", "hubspot:default"):
                order.append(f"{name} in")
                await asyncio.sleep(seconds)
                order.append(f"{name} out")

        await asyncio.gather(write("a", 0.05), write("b", 0.05))
        assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])

        holder = asyncio.create_task(write("slow", 0.5))
        await asyncio.sleep(0.05)
        with pytest.raises(WriteLaneBusy) as busy:
            await write("late", 0)
        assert busy.value.retryable and busy.value.details["retry_after"] == 1.0
        async with lanes.hold("t1", "pipedrive:default"):  # another account's lane is free
            pass
        await holder


def test_workers_take_turns_on_the_lanes_row(tmp_path: Path) -> None:
    """Two stores on one Postgres database (two workers): the second waits for the first's row lock,
    and past its timeout gets a lock error instead of writing alongside."""
    key = Vault.from_string(Vault.generate_key())
    with database_url("postgres", tmp_path) as url, Store.open(url, key) as one, Store.open(url, key) as two:
        held, release = threading.Event(), threading.Event()

        def first() -> None:
            with one.skills.hold_lane("t1", "hubspot:default", timeout=5):
                held.set()
                release.wait(5)

        thread = threading.Thread(target=first)
        thread.start()
        assert held.wait(5)
        started = time.monotonic()
        with (
            pytest.raises(StorageUnavailable) as locked,
            two.skills.hold_lane("t1", "hubspot:default", timeout=0.3),
        ):
            pass
        assert locked.value.details["reason"] == "locked" and time.monotonic() - started >= 0.25
        release.set()
        thread.join(5)
        with two.skills.hold_lane("t1", "hubspot:default", timeout=1):
            pass
