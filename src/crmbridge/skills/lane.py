"""One serial lane per CRM account: gated writes for the account run one at a time, in this process and
across workers. See ``docs/decisions/018-skills-gated-writes-serial-lanes.md``.

Three locks, cheapest first: an ``asyncio.Lock`` per (event loop, lane) queues the coroutines of one loop
without using a thread each; a process-wide lock per lane orders the loops of one process (a server's and
the runtime's private one); the lane's database row, held ``FOR UPDATE`` on Postgres, orders workers. The
last two are held by one helper thread per write in flight, because a database transaction belongs to a
thread. Waiting is bounded: past ``timeout`` the write is refused with a retryable ``write_lane_busy``.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ..errors import StorageUnavailable
from ..store.locking import KeyedLocks
from ..store.skill_store import SkillRepository
from .errors import WriteLaneBusy

__all__ = ["SerialLanes"]

_process_lanes = KeyedLocks()


class SerialLanes:
    """``async with lanes.hold(tenant, lane):`` runs the body alone among holders of the same lane."""

    def __init__(self, repository: SkillRepository, *, timeout: float = 30.0) -> None:
        self._repository = repository
        self.timeout = timeout
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], asyncio.Lock]]
        self._loops = weakref.WeakKeyDictionary()
        self._guard = threading.Lock()

    def _local(self, key: tuple[str, str]) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._guard:
            locks = self._loops.setdefault(loop, {})
            lock = locks.get(key)
            if lock is None:
                lock = locks[key] = asyncio.Lock()
            return lock

    def _busy(self, lane: str) -> WriteLaneBusy:
        return WriteLaneBusy(
            f"Another write to this CRM account is still running (waited {self.timeout:g} s); "
            "nothing was written. Try again in a moment.",
            retry_after=1.0,
            lane=lane,
        )

    @asynccontextmanager
    async def hold(self, tenant_id: str, lane: str) -> AsyncIterator[None]:
        key = (tenant_id, lane)
        local = self._local(key)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            async with asyncio.timeout(self.timeout):
                await local.acquire()
        except TimeoutError:
            raise self._busy(lane) from None
        try:
            held = await self._hold_across(key, max(0.05, deadline - loop.time()))
            try:
                yield
            finally:
                held.set()
        finally:
            local.release()

    async def _hold_across(self, key: tuple[str, str], timeout: float) -> threading.Event:
        """Start the helper thread that takes the process and database locks; returns its release switch."""
        loop = asyncio.get_running_loop()
        acquired: asyncio.Future[None] = loop.create_future()
        release = threading.Event()

        def settle(error: BaseException | None) -> None:
            if acquired.done():
                return
            if error is None:
                acquired.set_result(None)
            else:
                acquired.set_exception(error)

        def tell(error: BaseException | None) -> None:
            try:
                loop.call_soon_threadsafe(settle, error)
            except RuntimeError:  # the waiting loop is gone: nobody to tell, and nothing held any more
                release.set()

        def helper() -> None:
            try:
                with (
                    _process_lanes.hold(key, timeout=timeout),
                    self._repository.hold_lane(*key, timeout=timeout),
                ):
                    tell(None)
                    release.wait()
            except TimeoutError:
                tell(self._busy(key[1]))
            except StorageUnavailable as exc:  # Postgres' lock_timeout: another worker holds the lane
                tell(self._busy(key[1]) if exc.details.get("reason") == "locked" else exc)
            except BaseException as exc:  # handed to the waiting coroutine
                tell(exc)

        threading.Thread(target=helper, name="crmbridge-lane", daemon=True).start()
        try:
            await acquired
        except BaseException:
            release.set()  # cancelled while waiting: the helper lets go as soon as it gets the locks
            raise
        return release
