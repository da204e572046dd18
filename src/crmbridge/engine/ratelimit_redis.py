"""The rate limiter with its state in Redis, so that every worker of a deployment spends one budget.

Same semantics as :class:`~crmbridge.engine.ratelimit.InMemoryRateLimiter`. Each window of an account is a
sorted set of request ids scored by when they leave the window, next to a hash of what headers taught
(limit, window length, a 429's block); the daily budget is a hash that expires at its reset. Two Lua
scripts check-and-count and learn atomically, timed by the Redis server's clock, the one clock that all
workers share. Keys carry the account in a hash tag, so a script's keys live on one Redis Cluster slot.

Losing Redis never fails a call: until it answers again (tried every ``retry_interval`` seconds) requests
are counted by an in-process limiter, with one warning per outage. Counting per process lets a fleet of
workers exceed a shared budget for a while, which the CRM answers with 429s that are retried; refusing
every call instead would turn a cache outage into a full one. An answer that arrives while Redis is
gone is still returned: the limiter just cannot learn from it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from collections.abc import Callable
from typing import Any

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..errors import scrub
from .deadline import Deadline
from .ratelimit import InMemoryRateLimiter, RateLimits, Sleep, WaitingLimiter, Window, learn, limited

__all__ = ["RedisRateLimiter"]

log = logging.getLogger("crmbridge.engine")

#: What "Redis is gone" looks like: refused, reset or timed-out connections, and errors it answers with
#: while failing over (``READONLY``, ``LOADING``, out of memory).
_LOST = (RedisError, OSError)
#: Seconds to connect to Redis and to wait for one answer, unless the URL says otherwise: a hung Redis
#: costs a call this long once per ``retry_interval``, not a whole request timeout each time.
SOCKET_TIMEOUT = 2.0


class _Unavailable(Exception):
    """Redis did not answer: count this request in the process instead."""


# KEYS: per window its sorted set and its hash, then the daily hash.
# ARGV: request id, headroom, in-flight timeout, cost, then per window its default limit and seconds.
# Returns {"ok"}, {"wait", seconds, window number} or {"daily", seconds until usable, remaining}.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n = (#KEYS - 1) / 2
local headroom, in_flight, cost = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local daily = KEYS[#KEYS]
local d = redis.call('HMGET', daily, 'remaining', 'reset_at', 'blocked_until')
local reset_at, blocked = tonumber(d[2]) or 0, tonumber(d[3]) or 0
if reset_at > 0 and now >= reset_at then
  redis.call('DEL', daily)  -- a new day: nothing known, nothing enforced
  d = {false, false, false}
elseif blocked > now then
  return {'daily', tostring(blocked - now), d[1] or ''}
elseif cost > 0 and d[1] and cost > tonumber(d[1]) then
  return {'daily', tostring(reset_at - now), d[1]}
end
local wait, which, seconds = 0, 0, {}
for i = 1, n do
  local z, m = KEYS[2 * i - 1], KEYS[2 * i]
  local meta = redis.call('HMGET', m, 'limit', 'seconds', 'blocked_until')
  local limit = tonumber(meta[1]) or tonumber(ARGV[3 + 2 * i])
  local w = tonumber(meta[2]) or tonumber(ARGV[4 + 2 * i])
  seconds[i] = w
  local wi = (tonumber(meta[3]) or 0) - now
  redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
  local allowed = math.max(1, math.floor(limit * headroom))
  local used = redis.call('ZCARD', z)
  if used >= allowed then
    -- a request still in flight leaves one window after its answer: now + w at the soonest
    local e = redis.call('ZRANGE', z, used - allowed, used - allowed, 'WITHSCORES')
    wi = math.max(wi, math.min(tonumber(e[2]), now + w) - now)
  end
  if wi > wait then wait, which = wi, i end
end
if wait > 0 then return {'wait', tostring(wait), tostring(which)} end
for i = 1, n do
  local z = KEYS[2 * i - 1]
  redis.call('ZADD', z, now + seconds[i] + in_flight, ARGV[1])
  local top = redis.call('ZRANGE', z, -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', z, math.ceil((tonumber(top[2]) - now) * 1000) + 1000)
end
if cost > 0 and d[1] then redis.call('HINCRBY', daily, 'remaining', -cost) end
return {'ok', '0', ''}
"""

# KEYS: as for _ACQUIRE. ARGV: the request's ids (space-separated), a fresh id, daily remaining, daily
# exhausted ("1"/"0"), daily block, then per window: learned limit, seconds, remaining, block, default
# limit, default seconds ("" where the answer said nothing).
_OBSERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n = (#KEYS - 1) / 2
for i = 1, n do
  local z, m, b = KEYS[2 * i - 1], KEYS[2 * i], 6 * i - 1
  if ARGV[b + 1] ~= '' then redis.call('HSET', m, 'limit', ARGV[b + 1]) end
  if ARGV[b + 2] ~= '' then redis.call('HSET', m, 'seconds', ARGV[b + 2]) end
  local meta = redis.call('HMGET', m, 'limit', 'seconds', 'blocked_until')
  local limit = tonumber(meta[1]) or tonumber(ARGV[b + 5])
  local w = tonumber(meta[2]) or tonumber(ARGV[b + 6])
  if ARGV[b + 4] ~= '' and now + tonumber(ARGV[b + 4]) > (tonumber(meta[3]) or 0) then
    redis.call('HSET', m, 'blocked_until', now + tonumber(ARGV[b + 4]))
  end
  redis.call('PEXPIRE', m, 86400000)
  for member in string.gmatch(ARGV[1], '%S+') do redis.call('ZADD', z, 'XX', now + w, member) end
  redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
  if ARGV[b + 3] ~= '' then
    -- the CRM counts more than this account's workers sent (another client): count those too
    local missing = limit - tonumber(ARGV[b + 3]) - redis.call('ZCARD', z)
    for j = 1, missing do redis.call('ZADD', z, now + w, ARGV[2] .. ':' .. j) end
  end
  local top = redis.call('ZRANGE', z, -1, -1, 'WITHSCORES')
  if top[2] then redis.call('PEXPIRE', z, math.ceil((tonumber(top[2]) - now) * 1000) + 1000) end
end
local daily = KEYS[#KEYS]
local midnight = (math.floor(now / 86400) + 1) * 86400
local reset_at = tonumber(redis.call('HGET', daily, 'reset_at')) or 0
if reset_at <= now then reset_at = midnight end
if ARGV[4] == '1' then
  local blocked = midnight
  if ARGV[5] ~= '' then blocked = now + tonumber(ARGV[5]) end
  reset_at = math.max(reset_at, blocked)
  redis.call('HSET', daily, 'remaining', 0, 'blocked_until', blocked, 'reset_at', reset_at)
  redis.call('PEXPIREAT', daily, math.ceil(reset_at * 1000))
elseif ARGV[3] ~= '' then
  redis.call('HSET', daily, 'remaining', ARGV[3], 'reset_at', reset_at)
  redis.call('PEXPIREAT', daily, math.ceil(reset_at * 1000))
end
return 1
"""


def _arg(value: float | None) -> str:
    return "" if value is None else str(value)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisRateLimiter(WaitingLimiter):
    """Rate limits shared by every process that uses the same Redis and ``prefix``.

    Waiting callers re-check at least every ``max_pause`` seconds, since what another worker learns (a
    shorter window, a freed slot) does not wake them. ``aclose`` closes the client only if it was
    created here (:meth:`from_url`). While Redis does not answer, an in-process limiter with the same
    settings counts instead, and Redis is tried again every ``retry_interval`` seconds.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "crmbridge:ratelimit:",
        headroom: float = 0.9,
        max_wait: float = 30.0,
        in_flight_timeout: float = 30.0,
        max_pause: float = 0.25,
        sleep: Sleep = asyncio.sleep,
        owns_client: bool = False,
        retry_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(headroom, max_wait, in_flight_timeout, sleep, max_pause)
        self.redis, self.prefix, self._owns_client = redis, prefix, owns_client
        self._acquire = redis.register_script(_ACQUIRE)
        self._observe = redis.register_script(_OBSERVE)
        # A client made here (from_url) is re-made for each event loop that uses the limiter: an
        # asyncio Redis connection belongs to the loop that opened it (sync calls run on the runtime's
        # own loop, async ones on the caller's).
        self._factory: Callable[[], Redis] | None = None
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Redis, Any, Any]] = (
            weakref.WeakKeyDictionary()
        )
        self._members: weakref.WeakKeyDictionary[httpx.Request, list[str]] = weakref.WeakKeyDictionary()
        self._fallback = InMemoryRateLimiter(
            headroom=headroom, max_wait=max_wait, in_flight_timeout=in_flight_timeout, sleep=sleep
        )
        self._counted_here: weakref.WeakSet[httpx.Request] = weakref.WeakSet()
        self.retry_interval, self._clock = retry_interval, clock
        self._skip_until = 0.0  # while the clock is below it, Redis is not tried
        self._outage = False  # warned about the current outage

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisRateLimiter:
        def connect() -> Redis:
            return Redis.from_url(url, socket_connect_timeout=SOCKET_TIMEOUT, socket_timeout=SOCKET_TIMEOUT)

        limiter = cls(connect(), owns_client=True, **options)
        limiter._factory = connect
        return limiter

    def _bound(self) -> tuple[Redis, Any, Any]:
        """The client and scripts for the running event loop."""
        if self._factory is None:
            return self.redis, self._acquire, self._observe
        loop = asyncio.get_running_loop()
        found = self._per_loop.get(loop)
        if found is None:
            client = self._factory()
            found = (client, client.register_script(_ACQUIRE), client.register_script(_OBSERVE))
            self._per_loop[loop] = found
        return found

    async def ping(self) -> bool:
        """Whether Redis answers now (for readiness checks); never raises."""
        try:
            return bool(await asyncio.wait_for(self._bound()[0].ping(), timeout=SOCKET_TIMEOUT))
        except Exception:  # unreachable, timed out, refused: all mean "not ready"
            return False

    # -- Redis lost and found ----------------------------------------------------------------------

    async def _script(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        """Run a Lua script; ``_Unavailable`` when Redis is (or was just found) gone."""
        if self._clock() < self._skip_until:
            raise _Unavailable
        try:
            result = await script(keys, args)
        except _LOST as exc:
            self._lost(exc)
            raise _Unavailable from exc
        if self._outage:
            self._outage = False
            log.info("Redis answers again: rate limits are shared by every worker again")
        return result

    def _lost(self, exc: BaseException) -> None:
        self._skip_until = self._clock() + self.retry_interval
        if not self._outage:
            self._outage = True
            log.warning(
                "Redis rate-limit state unreachable (%s: %s): counting requests in this process until "
                "it answers (tried again every %g s)",
                type(exc).__name__,
                scrub(str(exc)),
                self.retry_interval,
            )

    async def acquire(
        self, key: str, limits: RateLimits, request: httpx.Request, *, deadline: Deadline | None = None
    ) -> None:
        try:
            await super().acquire(key, limits, request, deadline=deadline)
            return
        except _Unavailable:
            pass
        self._counted_here.add(request)
        await self._fallback.acquire(key, limits, request, deadline=deadline)

    # -- the scripts -------------------------------------------------------------------------------

    def _keys(self, key: str, limits: RateLimits, windows: tuple[Window, ...]) -> list[str]:
        base = f"{self.prefix}{{{limits.provider}:{key}}}"
        return [k for w in windows for k in (f"{base}:w:{w.name}", f"{base}:m:{w.name}")] + [f"{base}:d"]

    async def _try(
        self, key: str, limits: RateLimits, request: httpx.Request, windows: tuple[Window, ...], cost: int
    ) -> tuple[float, str]:
        member = uuid.uuid4().hex
        args: list[str | int | float] = [member, self.headroom, self.in_flight_timeout, cost]
        for window in windows:
            args += [window.limit, window.seconds]
        answer = await self._script(self._bound()[1], self._keys(key, limits, windows), args)
        verdict, amount, detail = map(_text, answer)
        if verdict == "daily":
            raise limited(limits, float(amount), cost=cost, left=int(detail) if detail else None)
        if verdict == "wait":
            return float(amount), windows[int(detail) - 1].name
        self._members.setdefault(request, []).append(member)
        return 0.0, ""

    async def observe(
        self, key: str, limits: RateLimits, request: httpx.Request, response: httpx.Response
    ) -> None:
        if request in self._counted_here:
            self._counted_here.discard(request)
            await self._fallback.observe(key, limits, request, response)
            return
        lesson = learn(limits, request, response)
        windows = limits.windows_for(request)
        args: list[str | int | float] = [
            " ".join(self._members.pop(request, [])),
            uuid.uuid4().hex,
            _arg(lesson.daily_remaining),
            "1" if lesson.daily_exhausted else "0",
            _arg(lesson.daily_block),
        ]
        for window in windows:
            taught = lesson.windows[window.name]
            args += [_arg(taught.limit), _arg(taught.seconds), _arg(taught.remaining), _arg(taught.block)]
            args += [window.limit, window.seconds]
        try:
            await self._script(self._bound()[2], self._keys(key, limits, windows), args)
        except _Unavailable:
            return  # what Redis counted for this request leaves it on the in-flight timeout
        self._wake()

    async def aclose(self) -> None:
        await self._fallback.aclose()
        if self._owns_client:
            try:
                client = self.redis
                if self._factory is not None:
                    bound = self._per_loop.pop(asyncio.get_running_loop(), None)
                    if bound is None:
                        return
                    client = bound[0]
                await client.aclose()
            except _LOST as exc:  # closing a client whose server is gone must not fail a shutdown
                log.debug("closing the Redis client: %s", type(exc).__name__)
