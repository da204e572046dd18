"""Client-side rate limiting per connected account: bursts stay under a CRM's limits instead of earning 429s.

Limits are data (:class:`RateLimits`): rolling windows and a daily budget spent by endpoint cost. ``acquire``
counts a request in each window that applies to it; ``observe`` learns from the answer (limit, window
length, what is left, 429s). A request counts until its answer plus one window, as the CRM counted it at
some moment before answering; only ``headroom`` of a limit is used, a margin for other clients of the account.
A wait (or a place in the queue) that would outlast the call's deadline fails fast as ``RateLimited``.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol

import httpx

from ..errors import ConfigurationError, RateLimited
from ..spec.limits import DAY, RateLimits, Window

if TYPE_CHECKING:
    from .deadline import Deadline

__all__ = ["InMemoryRateLimiter", "RateLimiter", "build_rate_limiter"]

Sleep = Callable[[float], Awaitable[None]]


class RateLimiter(Protocol):
    async def acquire(
        self, key: str, limits: RateLimits, request: httpx.Request, *, deadline: Deadline | None = None
    ) -> None:
        """Wait until ``request`` fits every limit of account ``key``, then count it; raise ``RateLimited``
        (with ``retry_after``) instead when the wait would exceed the limiter's cap or what ``deadline``
        leaves, or the day is spent."""

    async def observe(
        self, key: str, limits: RateLimits, request: httpx.Request, response: httpx.Response
    ) -> None:
        """Learn from the response's headers and from 429s."""

    async def aclose(self) -> None: ...


class WindowLesson(NamedTuple):
    limit: int | None
    seconds: float | None
    remaining: int | None
    block: float | None  # after a 429: seconds to send nothing through this window


class Lesson(NamedTuple):
    windows: dict[str, WindowLesson]
    daily_remaining: int | None
    daily_exhausted: bool
    daily_block: float | None  # how long the CRM said the spent budget stays spent (Retry-After)


_NUMBER = re.compile(r"\s*\d+(\.\d+)?\s*")


def _number(headers: dict[str, str], name: str) -> float | None:
    """A non-negative number header (seconds, counts); anything else, an HTTP-date Retry-After too, is absent."""
    value = headers.get(name.lower()) if name else None
    return float(value) if value and _NUMBER.fullmatch(value) else None


def _count(headers: dict[str, str], name: str) -> int | None:
    return None if (number := _number(headers, name)) is None else int(number)


def learn(limits: RateLimits, request: httpx.Request, response: httpx.Response) -> Lesson:
    """What ``response`` says about the windows ``request`` fell in, and about the day's budget."""
    # One pass over the headers (httpx looks each name up by scanning them all).
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers.raw}
    budget = limits.daily
    throttled = response.status_code == 429
    retry = _number(headers, "retry-after") if throttled else None
    remaining = _count(headers, budget.remaining_header) if budget else None
    exhausted = False
    if throttled and budget:
        try:
            body = response.text.lower()
        except httpx.ResponseNotRead:
            body = ""
        exhausted = remaining == 0 or any(marker in body for marker in budget.exhausted_markers)
    windows: dict[str, WindowLesson] = {}
    for window in limits.windows_for(request):
        interval = _number(headers, window.interval_ms_header)
        seconds = interval / 1000 if interval else None
        block = None
        if throttled and not exhausted:
            reset = _number(headers, window.reset_header)
            block = retry if retry is not None else reset if reset is not None else seconds or window.seconds
        limit, left = _count(headers, window.limit_header), _count(headers, window.remaining_header)
        windows[window.name] = WindowLesson(limit or None, seconds, left, block)
    return Lesson(windows, remaining, exhausted, retry if exhausted else None)


def limited(
    limits: RateLimits, wait: float, window: str = "", cost: int = 0, left: int | None = None
) -> RateLimited:
    """The error for a wait too long to sit through inside one call: a window's (``window``) or the day's."""
    whole = math.ceil(max(wait, 1.0))
    hours, minutes = divmod(whole // 60, 60)
    when = f"{whole} s" if whole < 120 else f"{hours} h {minutes} min" if hours else f"{minutes} min"
    spent = "" if left is None else f" (this call costs {cost}, {max(0, left)} left)"
    resets = limits.daily.resets if limits.daily else "tomorrow"
    message = (
        f"{limits.label} rate limit: this account's '{window}' limit frees up in {when}; try again then."
        if window
        else f"{limits.label}'s daily API budget for this account is used up{spent}; it resets {resets}, "
        f"in about {when}."
    )
    return RateLimited(
        message, retry_after=whole, provider=limits.provider, limit=window or "daily", daily=not window
    )


def queued(limits: RateLimits, wait: float, window: str) -> RateLimited:
    """The error for a call whose deadline ran out in the queue behind others waiting for ``window``."""
    whole = math.ceil(max(wait, 1.0))
    return RateLimited(
        f"{limits.label} rate limit: calls queued before this one are waiting for this account's '{window}' "
        f"limit, and no slot frees up within this call's deadline; try again in about {whole} s.",
        retry_after=whole,
        provider=limits.provider,
        limit=window,
    )


_Kind = tuple[str, str, tuple[str, ...]]


@dataclass
class _LoopLocal:
    """Locks and the wake-up event, one set per event loop: asyncio primitives are bound to one loop."""

    locks: dict[_Kind, asyncio.Lock] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    sleepers: int = 0  # callers waiting for a window: only then is an answer worth a wake-up
    waits: dict[_Kind, tuple[float, str]] = field(default_factory=dict)  # what each queue's head waits for


class WaitingLimiter:
    """Queues callers per account and kind of request (FIFO); the head sleeps until it fits, waking early
    when an answer in this process teaches something, and at least every ``max_pause`` (other processes)."""

    def __init__(
        self, headroom: float, max_wait: float, in_flight_timeout: float, sleep: Sleep, max_pause: float
    ) -> None:
        if not 0 < headroom <= 1:
            raise ValueError("headroom must be in (0, 1]")
        self.headroom, self.max_wait, self.in_flight_timeout = headroom, max_wait, in_flight_timeout
        self._sleep, self._max_pause = sleep, max_pause
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopLocal]
        self._loops = weakref.WeakKeyDictionary()

    def _local(self) -> _LoopLocal:
        loop = asyncio.get_running_loop()
        return self._loops.get(loop) or self._loops.setdefault(loop, _LoopLocal())

    async def _try(
        self, key: str, limits: RateLimits, request: httpx.Request, windows: tuple[Window, ...], cost: int
    ) -> tuple[float, str]:
        """Count the request and return ``(0, "")``, or say how long to wait for which window."""
        raise NotImplementedError

    async def acquire(
        self, key: str, limits: RateLimits, request: httpx.Request, *, deadline: Deadline | None = None
    ) -> None:
        windows = limits.windows_for(request)
        cost = limits.daily.cost(request) if limits.daily else 0
        local, kind = self._local(), (limits.provider, key, tuple(w.name for w in windows))
        lock = local.locks.get(kind) or local.locks.setdefault(kind, asyncio.Lock())
        left = math.inf if deadline is None else deadline.remaining()
        try:
            async with asyncio.timeout(None if math.isinf(left) else left):
                await lock.acquire()
        except TimeoutError:
            wait, window = local.waits.get(kind, (1.0, kind[2][0] if kind[2] else "request"))
            raise queued(limits, wait, window) from None
        try:
            while (found := await self._try(key, limits, request, windows, cost))[0] > 0:
                cap = self.max_wait if deadline is None else min(self.max_wait, deadline.remaining())
                if found[0] > cap:
                    raise limited(limits, found[0], found[1])
                local.waits[kind] = found
                sleeper = asyncio.ensure_future(self._sleep(min(found[0], self._max_pause)))
                waker = asyncio.ensure_future(local.changed.wait())
                local.sleepers += 1
                try:
                    await asyncio.wait((sleeper, waker), return_when=asyncio.FIRST_COMPLETED)
                finally:
                    local.sleepers -= 1
                    sleeper.cancel()
                    waker.cancel()
        finally:
            local.waits.pop(kind, None)
            lock.release()

    def _wake(self) -> None:
        local = self._local()
        if local.sleepers:
            local.changed.set()
            local.changed = asyncio.Event()


@dataclass
class _WindowState:
    limit: int
    seconds: float
    blocked_until: float = 0.0
    expiries: dict[int, float] = field(default_factory=dict)  # ticket -> when it leaves the window
    soonest: float = math.inf  # no ticket leaves before this: pruning can wait until then

    def put(self, ticket: int, expiry: float) -> None:
        self.expiries[ticket] = expiry
        self.soonest = min(self.soonest, expiry)

    def wait(self, now: float, headroom: float) -> float:
        if now >= self.soonest:
            self.expiries = {t: e for t, e in self.expiries.items() if e > now}
            self.soonest = min(self.expiries.values(), default=math.inf)
        wait = self.blocked_until - now
        allowed, used = max(1, math.floor(self.limit * headroom)), len(self.expiries)
        if used >= allowed:
            # A request still in flight leaves one window after its answer: now + seconds at the soonest.
            ordered = sorted(min(e, now + self.seconds) for e in self.expiries.values())
            wait = max(wait, ordered[used - allowed] - now)
        return max(0.0, wait)


@dataclass
class _DailyState:
    remaining: int | None = None
    reset_at: float = 0.0  # wall clock: what is known about today is forgotten then
    blocked_until: float = 0.0


class InMemoryRateLimiter(WaitingLimiter):
    """The default: per-process state for the tasks of one event loop. ``clock`` (monotonic) measures windows,
    ``wall_clock`` (epoch) daily resets. A request whose answer is never observed stops counting
    ``in_flight_timeout`` after its window; waits over ``max_wait`` raise ``RateLimited``."""

    def __init__(
        self,
        *,
        headroom: float = 0.9,
        max_wait: float = 30.0,
        in_flight_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(headroom, max_wait, in_flight_timeout, sleep, max_pause=math.inf)
        self._clock, self._wall = clock, wall_clock
        self._windows: dict[tuple[str, str, str], _WindowState] = {}
        self._daily: dict[tuple[str, str], _DailyState] = {}
        self._tickets: weakref.WeakKeyDictionary[httpx.Request, list[tuple[_WindowState, int]]]
        self._tickets, self._ids = weakref.WeakKeyDictionary(), itertools.count()
        self._mutex = threading.Lock()

    def _state(self, key: str, limits: RateLimits, window: Window) -> _WindowState:
        slot = (limits.provider, key, window.name)
        if slot not in self._windows:
            self._windows[slot] = _WindowState(window.limit, window.seconds)
        return self._windows[slot]

    def _day(self, key: str, limits: RateLimits) -> _DailyState:
        day = self._daily.setdefault((limits.provider, key), _DailyState())
        if day.reset_at and self._wall() >= day.reset_at:
            day.remaining, day.reset_at, day.blocked_until = None, 0.0, 0.0
        return day

    async def _try(
        self, key: str, limits: RateLimits, request: httpx.Request, windows: tuple[Window, ...], cost: int
    ) -> tuple[float, str]:
        # One limiter serves every event loop of the process (a Bridge's own loop thread and its
        # callers'): the shared counts change under a thread lock, never across an await.
        with self._mutex:
            return self._count(key, limits, request, windows, cost)

    def _count(
        self, key: str, limits: RateLimits, request: httpx.Request, windows: tuple[Window, ...], cost: int
    ) -> tuple[float, str]:
        day, wall = self._day(key, limits), self._wall()
        if day.blocked_until > wall:
            raise limited(limits, day.blocked_until - wall, cost=cost, left=day.remaining)
        if cost and day.remaining is not None and cost > day.remaining:
            raise limited(limits, day.reset_at - wall, cost=cost, left=day.remaining)
        now = self._clock()
        states = [(w.name, self._state(key, limits, w)) for w in windows]
        wait, name = max(((s.wait(now, self.headroom), n) for n, s in states), default=(0.0, ""))
        if wait > 0:
            return wait, name
        for _, state in states:
            self._tickets.setdefault(request, []).append((state, ticket := next(self._ids)))
            state.put(ticket, now + state.seconds + self.in_flight_timeout)
        if cost and day.remaining is not None:
            day.remaining -= cost
        return 0.0, ""

    async def observe(
        self, key: str, limits: RateLimits, request: httpx.Request, response: httpx.Response
    ) -> None:
        lesson = learn(limits, request, response)
        with self._mutex:
            self._learn(key, limits, request, lesson)
        self._wake()

    def _learn(self, key: str, limits: RateLimits, request: httpx.Request, lesson: Lesson) -> None:
        now = self._clock()
        mine = self._tickets.pop(request, [])
        for window in limits.windows_for(request):
            state, taught = self._state(key, limits, window), lesson.windows[window.name]
            state.limit, state.seconds = taught.limit or state.limit, taught.seconds or state.seconds
            if taught.block is not None:
                state.blocked_until = max(state.blocked_until, now + taught.block)
            for ticket in (t for s, t in mine if s is state and t in state.expiries):
                state.put(ticket, now + state.seconds)  # answered: one window from now
            if taught.remaining is not None:
                state.wait(now, 1.0)  # drops what has left the window
                # The CRM counts more than we sent (another client of the account): count those too.
                for _ in range(state.limit - taught.remaining - len(state.expiries)):
                    state.put(next(self._ids), now + state.seconds)
        day, wall = self._day(key, limits), self._wall()
        midnight = (math.floor(wall / DAY) + 1) * DAY  # the reset, unless the CRM says otherwise
        if lesson.daily_exhausted:
            until = wall + lesson.daily_block if lesson.daily_block is not None else midnight
            day.remaining, day.blocked_until, day.reset_at = 0, until, max(day.reset_at, until)
        elif lesson.daily_remaining is not None:
            day.remaining = lesson.daily_remaining  # the CRM's count is the truth; ours bridges the gaps
            day.reset_at = day.reset_at or midnight

    async def aclose(self) -> None:
        self._windows.clear()
        self._daily.clear()


def build_rate_limiter(redis_url: str | None = None) -> RateLimiter:
    """Redis-backed (one budget shared by every worker) when a URL is given, else in-process."""
    if redis_url:
        try:
            from .ratelimit_redis import RedisRateLimiter
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("redis"):
                raise
            raise ConfigurationError(
                "A Redis URL was given (redis_url= or CRMBRIDGE_REDIS_URL) but the redis package is not "
                "installed: pip install 'crmbridge[redis]'."
            ) from None

        return RedisRateLimiter.from_url(redis_url)
    return InMemoryRateLimiter()
