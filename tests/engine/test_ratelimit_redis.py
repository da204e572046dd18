"""The Redis-backed rate limiter: two limiter instances play two workers sharing one account's budget.

Runs against the Redis at ``CRMBRIDGE_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) under a key
prefix unique to each test; skips when Redis is unreachable, except in CI (``CI=true``) where it fails.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from crmbridge.engine.ratelimit import (
    build_rate_limiter,
)
from crmbridge.engine.ratelimit_redis import RedisRateLimiter
from crmbridge.errors import RateLimited
from crmbridge.providers.hubspot.limits import HUBSPOT_LIMITS
from crmbridge.providers.pipedrive.limits import PIPEDRIVE_LIMITS
from crmbridge.spec import RateLimits, Window
from crmbridge.syncloop import LoopThread
from crmbridge_sandbox import Sandbox, SandboxClock

from .test_ratelimit_sandbox import SCALED_SEARCH_HUBSPOT, hubspot_burst_requests

pytestmark = pytest.mark.anyio

REDIS_URL = os.environ.get("CRMBRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HS = "https://api.hubapi.com"
PD = "https://acme.pipedrive.com"
TINY = RateLimits("test", "Test", windows=(Window("w", 10, 0.3),))  # 9 per 300 ms with 90 % headroom

Factory = Callable[..., RedisRateLimiter]


@pytest.fixture
async def workers() -> AsyncIterator[Factory]:
    """Makes limiters ("workers") on one Redis and one fresh prefix; removes their keys afterwards."""
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable ({exc}); set CRMBRIDGE_TEST_REDIS_URL to run these")
    prefix = f"crmbridge-test:{uuid.uuid4().hex}:"
    made: list[RedisRateLimiter] = []

    def make(**options: Any) -> RedisRateLimiter:
        made.append(RedisRateLimiter(client, prefix=prefix, **options))
        return made[-1]

    yield make
    for limiter in made:
        await limiter.aclose()  # does not close a client it was given
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def req(method: str, url: str) -> httpx.Request:
    return httpx.Request(method, url)


def resp(
    request: httpx.Request, status: int = 200, headers: dict[str, str] | None = None, body: Any = None
) -> httpx.Response:
    return httpx.Response(status, headers=headers or {}, json=body or {}, request=request)


async def test_two_workers_share_one_window(workers: Factory) -> None:
    a, b = workers(max_wait=0), workers(max_wait=0)
    for i in range(9):
        await (a if i % 2 else b).acquire("acct", TINY, req("GET", f"https://crm.test/{i}"))
    with pytest.raises(RateLimited) as caught:
        await b.acquire("acct", TINY, req("GET", "https://crm.test/x"))
    assert caught.value.details["limit"] == "w"
    await a.acquire("other-account", TINY, req("GET", "https://crm.test/x"))  # its own window


async def test_a_worker_waits_for_the_shared_window_to_free_up(workers: Factory) -> None:
    a, b = workers(), workers()
    for i in range(9):
        request = req("GET", f"https://crm.test/{i}")
        await a.acquire("acct", TINY, request)
        await a.observe("acct", TINY, request, resp(request))
    started = time.monotonic()
    await b.acquire("acct", TINY, req("GET", "https://crm.test/x"))
    assert time.monotonic() - started >= 0.2


async def test_what_one_worker_learns_the_other_knows(workers: Factory) -> None:
    a, b = workers(max_wait=0), workers(max_wait=0)
    first = req("GET", f"{HS}/crm/v3/objects/contacts")
    await a.acquire("acct", HUBSPOT_LIMITS, first)
    headers = {"X-HubSpot-RateLimit-Max": "20", "X-HubSpot-RateLimit-Interval-Milliseconds": "5000"}
    await a.observe("acct", HUBSPOT_LIMITS, first, resp(first, headers=headers))
    for _ in range(17):  # 18 = 90 % of the learned 20
        await b.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    with pytest.raises(RateLimited):
        await b.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    # Search is a window of its own.
    await b.acquire("acct", HUBSPOT_LIMITS, req("POST", f"{HS}/crm/v3/objects/contacts/search"))


async def test_workers_spend_one_daily_budget(workers: Factory) -> None:
    a, b = workers(), workers()
    first = req("GET", f"{PD}/api/v2/persons/1")
    await a.acquire("acct", PIPEDRIVE_LIMITS, first)
    await a.observe(
        "acct", PIPEDRIVE_LIMITS, first, resp(first, headers={"x-daily-ratelimit-token-remaining": "25"})
    )
    await b.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/persons"))  # 15 left
    await a.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals"))  # 5 left
    with pytest.raises(RateLimited) as caught:
        await b.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals"))
    assert "costs 10, 5 left" in caught.value.message
    assert 0 < caught.value.details["retry_after"] <= 86_400
    await b.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals/3"))  # a cost of 1 fits


async def test_a_daily_429_blocks_every_worker(workers: Factory) -> None:
    a, b = workers(), workers()
    spent = req("GET", f"{PD}/api/v2/deals")
    await a.acquire("acct", PIPEDRIVE_LIMITS, spent)
    body = {"success": False, "error": "daily request budget exceeded", "errorCode": 429}
    await a.observe("acct", PIPEDRIVE_LIMITS, spent, resp(spent, 429, {"retry-after": "3939"}, body))
    with pytest.raises(RateLimited, match="daily") as caught:
        await b.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals/1"))
    assert caught.value.details["retry_after"] in (3939, 3940)


async def test_a_new_day_forgets_the_spent_budget(workers: Factory) -> None:
    a = workers()
    spent = req("GET", f"{PD}/api/v2/deals")
    await a.acquire("acct", PIPEDRIVE_LIMITS, spent)
    await a.observe(
        "acct", PIPEDRIVE_LIMITS, spent, resp(spent, 429, {"x-daily-ratelimit-token-remaining": "0"})
    )
    [day] = [key async for key in a.redis.scan_iter(match=f"{a.prefix}*:d")]
    await a.redis.hset(day, "reset_at", 1)  # as if midnight had passed
    await a.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals"))
    assert await a.redis.hgetall(day) == {}


async def test_a_429_blocks_the_window_for_every_worker(workers: Factory) -> None:
    a, b = workers(), workers()
    throttled = req("GET", f"{PD}/api/v2/deals")
    await a.acquire("acct", PIPEDRIVE_LIMITS, throttled)
    headers = {"retry-after": "100", "x-ratelimit-reset": "100", "x-daily-ratelimit-token-remaining": "900"}
    await a.observe(
        "acct", PIPEDRIVE_LIMITS, throttled, resp(throttled, 429, headers, {"error": "Request over limit"})
    )
    with pytest.raises(RateLimited) as caught:
        await b.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals"))
    assert caught.value.details["retry_after"] == 100
    assert caught.value.details["limit"] == "burst"
    await b.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/itemSearch?term=ab"))  # not blocked


async def test_build_rate_limiter_with_a_url_uses_redis(workers: Factory) -> None:
    limiter = build_rate_limiter(REDIS_URL)
    try:
        assert isinstance(limiter, RedisRateLimiter)
    finally:
        await limiter.aclose()


async def _two_workers_burst(
    a: RedisRateLimiter,
    b: RedisRateLimiter,
    limits: RateLimits,
    client: httpx.AsyncClient,
    requests: list[httpx.Request],
) -> list[int]:
    async def one(i: int, request: httpx.Request) -> int:
        limiter = a if i % 2 else b
        await limiter.acquire("acct", limits, request)
        response = await client.send(request)
        await limiter.observe("acct", limits, request, response)
        return response.status_code

    return list(await asyncio.gather(*(one(i, r) for i, r in enumerate(requests))))


async def test_two_workers_against_the_pipedrive_sandbox_get_no_429(workers: Factory) -> None:
    sandbox = Sandbox(clock=SandboxClock(), rate_window_scale=0.01)
    limits = PIPEDRIVE_LIMITS.scaled(0.01)
    a, b = workers(), workers()
    async with sandbox.client() as c:
        company = (await c.post("/_sandbox/pipedrive/companies", json={"persons": 5})).json()
        auth, base = {"x-api-token": company["api_token"]}, company["api_domain"]
        gets = [c.build_request("GET", f"{base}/api/v2/persons", headers=auth) for _ in range(200)]
        searches = [
            c.build_request("GET", f"{base}/api/v2/persons/search", params={"term": "ab"}, headers=auth)
            for _ in range(20)
        ]
        statuses = await _two_workers_burst(a, b, limits, c, gets + searches)
        log = (await c.get("/_sandbox/requests", params={"provider": "pipedrive"})).json()
    assert statuses == [200] * 220
    assert 429 not in [entry["status"] for entry in log["requests"]]


async def test_two_workers_against_the_hubspot_sandbox_get_no_429(workers: Factory) -> None:
    sandbox = Sandbox(clock=SandboxClock(), rate_window_scale=0.01)
    a, b = workers(), workers()
    async with sandbox.client() as c:
        requests = await hubspot_burst_requests(c, 200, 20)
        statuses = await _two_workers_burst(a, b, SCALED_SEARCH_HUBSPOT, c, requests)
        log = (await c.get("/_sandbox/requests", params={"provider": "hubspot"})).json()
    assert statuses == [200] * 220
    assert 429 not in [entry["status"] for entry in log["requests"]]


# Losing Redis: limits fall back to this process with one warning, and no CRM answer is ever lost.


def closed_port_url() -> str:
    """A Redis URL nobody listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def redis_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING and "Redis" in r.getMessage()]


async def test_an_unreachable_redis_falls_back_to_in_process_limits_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = RedisRateLimiter.from_url(closed_port_url(), max_wait=0.05)
    try:
        with caplog.at_level(logging.WARNING, logger="crmbridge"):
            for _ in range(9):  # TINY allows 9 per window: all fit
                request = req("GET", f"{HS}/x")
                await limiter.acquire("acct", TINY, request)
                await limiter.observe("acct", TINY, request, resp(request))
            # ...and the tenth is limited in this process, as it would have been in Redis.
            with pytest.raises(RateLimited):
                await limiter.acquire("acct", TINY, req("GET", f"{HS}/x"))
        assert len(redis_warnings(caplog)) == 1
        assert "in this process" in redis_warnings(caplog)[0].getMessage()
    finally:
        await limiter.aclose()


class VanishingRedis:
    """A Redis client whose server goes away once ``alive`` is cleared (connection dropped mid-run)."""

    def __init__(self, real: Redis) -> None:
        self.real, self.alive = real, True

    def register_script(self, source: str) -> Callable[..., Any]:
        script = self.real.register_script(source)

        async def run(keys: list[str], args: list[Any]) -> Any:
            if not self.alive:
                raise RedisConnectionError("Connection closed by server.")
            return await script(keys, args)

        return run

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def vanishing(workers: Factory, **options: Any) -> tuple[RedisRateLimiter, VanishingRedis]:
    shared = workers()
    client = VanishingRedis(shared.redis)
    return RedisRateLimiter(cast(Redis, client), prefix=shared.prefix, **options), client


async def test_redis_going_away_mid_run_never_fails_a_call(
    workers: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    limiter, client = vanishing(workers, retry_interval=60.0)
    sent = req("POST", f"{HS}/crm/v3/objects/contacts")
    await limiter.acquire("acct", TINY, sent)  # counted in Redis
    client.alive = False
    with caplog.at_level(logging.WARNING, logger="crmbridge"):
        # The CRM answered while Redis was gone: learning from it must not turn the answer into an error.
        await limiter.observe("acct", TINY, sent, resp(sent, 201))
        for _ in range(5):
            request = req("GET", f"{HS}/x")
            await limiter.acquire("acct", TINY, request)
            await limiter.observe("acct", TINY, request, resp(request))
    assert len(redis_warnings(caplog)) == 1


async def test_redis_coming_back_is_used_again(workers: Factory, caplog: pytest.LogCaptureFixture) -> None:
    limiter, client = vanishing(workers, retry_interval=0.0)
    client.alive = False
    await limiter.acquire("acct", TINY, req("GET", f"{HS}/x"))  # in this process
    client.alive = True
    with caplog.at_level(logging.INFO, logger="crmbridge"):
        await limiter.acquire("acct", TINY, req("GET", f"{HS}/x"))
    assert any("Redis answers again" in r.getMessage() for r in caplog.records)
    window = limiter._keys("acct", TINY, TINY.windows)[0]
    assert await client.real.zcard(window) == 1  # only the request made after it came back


async def test_a_wait_past_the_calls_deadline_fails_fast(workers: Factory) -> None:
    """Another worker filled the window for 10 s; a call with 2 s left is told when to come back."""
    from crmbridge.engine.deadline import Deadline

    async def never(seconds: float) -> None:
        raise AssertionError(f"waited {seconds} s instead of failing fast")

    slow = RateLimits("test", "Test", windows=(Window("w", 1, 10.0),))  # a wait under max_wait (30 s)
    first, second = workers(headroom=1.0), workers(headroom=1.0, sleep=never)
    await first.acquire("acct", slow, req("GET", f"{HS}/a"))
    with pytest.raises(RateLimited) as caught:
        await second.acquire("acct", slow, req("GET", f"{HS}/b"), deadline=Deadline.after(2.0))
    assert caught.value.retry_after is not None and caught.value.retry_after >= 9


def test_a_limiter_made_from_a_url_serves_several_event_loops() -> None:
    """Sync calls run on the runtime's loop and async ones on the caller's: each gets its own connection
    (a shared asyncio Redis client fails with 'attached to a different loop')."""
    limiter = RedisRateLimiter.from_url(REDIS_URL, prefix=f"crmbridge-test:{uuid.uuid4().hex}:")

    async def one_call(close: bool = False) -> bool:
        if not await limiter.ping():
            return False
        request = req("GET", "https://api.hubapi.com/crm/v3/objects/contacts")
        await limiter.acquire("acct-loops", HUBSPOT_LIMITS, request)
        await limiter.observe("acct-loops", HUBSPOT_LIMITS, request, httpx.Response(200, request=request))
        if close:
            await limiter.aclose()  # this loop's client only: the runner's stays open
        return True

    runner = LoopThread()  # like the runtime's loop for sync callers: it stays open while others run
    try:
        if not runner.run(one_call()):
            if os.environ.get("CI") == "true":
                pytest.fail(f"Redis at {REDIS_URL} is unreachable in CI")
            pytest.skip(f"Redis at {REDIS_URL} is unreachable")
        for _ in range(3):
            assert asyncio.run(one_call(close=True)) is True
        assert runner.run(one_call()) is True
        assert not limiter._outage  # every loop reached Redis; none fell back to counting in-process
    finally:
        runner.close(limiter.aclose())
