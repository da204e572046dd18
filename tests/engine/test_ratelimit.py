"""The in-process rate limiter on a fake clock: waits, learning from headers, costs, daily budgets, 429s."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import httpx
import pytest

from crmbridge.engine.ratelimit import (
    InMemoryRateLimiter,
    build_rate_limiter,
)
from crmbridge.errors import RateLimited
from crmbridge.providers.hubspot.limits import HUBSPOT_LIMITS
from crmbridge.providers.pipedrive.limits import PIPEDRIVE_LIMITS
from crmbridge.spec import RateLimits, Window

pytestmark = pytest.mark.anyio

HS = "https://api.hubapi.com"
PD = "https://acme.pipedrive.com"
START_WALL = 1_800_000_000.0 + 5 * 3600  # 05:00 UTC on some day


class FakeTime:
    """A monotonic clock, a wall clock and a sleep that only moves both forward."""

    def __init__(self) -> None:
        self.now, self.wall = 1_000.0, START_WALL
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall_clock(self) -> float:
        return self.wall

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.wall += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.advance(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def limiter(fake: FakeTime) -> InMemoryRateLimiter:
    return InMemoryRateLimiter(clock=fake.clock, wall_clock=fake.wall_clock, sleep=fake.sleep)


def req(method: str, url: str) -> httpx.Request:
    return httpx.Request(method, url)


def resp(
    request: httpx.Request, status: int = 200, headers: dict[str, str] | None = None, body: Any = None
) -> httpx.Response:
    return httpx.Response(status, headers=headers or {}, json=body or {}, request=request)


async def send(limiter: InMemoryRateLimiter, limits: RateLimits, request: httpx.Request, **kw: Any) -> None:
    """Acquire, then observe an answer at once."""
    await limiter.acquire("acct", limits, request)
    await limiter.observe("acct", limits, request, resp(request, **kw))


async def test_acquire_waits_one_window_once_the_window_is_full(
    limiter: InMemoryRateLimiter, fake: FakeTime
) -> None:
    for _ in range(90):  # 90 % of HubSpot's default 100 per 10 s
        await send(limiter, HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    assert fake.slept == []
    await limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    assert fake.slept == [10.0]
    # Another account has its own window.
    await limiter.acquire("other", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    assert fake.slept == [10.0]


async def test_requests_in_flight_count_until_answered_or_timed_out(
    limiter: InMemoryRateLimiter, fake: FakeTime
) -> None:
    for _ in range(90):
        await limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    await limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    assert fake.now == pytest.approx(1_000 + 10 + 30)  # never answered: window + in-flight timeout
    assert all(s <= 10 for s in fake.slept)


async def test_headers_teach_the_limit_and_the_window(limiter: InMemoryRateLimiter, fake: FakeTime) -> None:
    headers = {
        "X-HubSpot-RateLimit-Max": "190",
        "X-HubSpot-RateLimit-Remaining": "189",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "100",
    }
    await send(limiter, HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/deals"), headers=headers)
    for _ in range(170):  # 171 = 90 % of 190
        await limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/deals"))
    assert fake.slept == []
    await limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/deals"))
    assert fake.slept == [0.1]


async def test_a_learned_limit_wakes_queued_callers(fake: FakeTime) -> None:
    async def never(seconds: float) -> None:
        await asyncio.Event().wait()

    limiter = InMemoryRateLimiter(clock=fake.clock, wall_clock=fake.wall_clock, sleep=never)
    first = req("GET", f"{HS}/crm/v3/objects/contacts")
    await limiter.acquire("acct", HUBSPOT_LIMITS, first)
    for _ in range(89):
        await limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    waiter = asyncio.create_task(limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/x")))
    await asyncio.sleep(0.01)
    assert not waiter.done()
    await limiter.observe(
        "acct", HUBSPOT_LIMITS, first, resp(first, headers={"X-HubSpot-RateLimit-Max": "190"})
    )
    await asyncio.wait_for(waiter, 1)


async def test_hubspot_search_has_its_own_window(limiter: InMemoryRateLimiter, fake: FakeTime) -> None:
    for _ in range(89):
        await send(limiter, HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    for _ in range(5):  # 4 = 90 % of 5 per second; the fifth waits a second
        await send(limiter, HUBSPOT_LIMITS, req("POST", f"{HS}/crm/v3/objects/contacts/search"))
    assert fake.slept == [1.0]
    # Searches did not count against the ten-second window: the 90th GET goes at once.
    await limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    assert fake.slept == [1.0]


async def test_pipedrive_search_window_is_separate(limiter: InMemoryRateLimiter, fake: FakeTime) -> None:
    for _ in range(9):
        await send(limiter, PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/itemSearch?term=ab"))
    for _ in range(18):
        await send(limiter, PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals"))
    assert fake.slept == []
    await limiter.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/persons/search?term=ab"))
    assert fake.slept == [2.0]


@pytest.mark.parametrize(
    ("method", "path", "cost"),
    [
        ("GET", "/api/v2/persons", 10),
        ("GET", "/api/v2/persons/12", 1),
        ("POST", "/api/v2/persons", 5),
        ("PATCH", "/api/v2/deals/3", 5),
        ("DELETE", "/api/v2/deals/3", 3),
        ("GET", "/api/v2/persons/search", 20),
        ("GET", "/api/v2/itemSearch/field", 20),
        ("GET", "/api/v2/pipelines", 5),
        ("GET", "/api/v2/dealFields", 10),
        ("GET", "/api/v2/dealFields/title", 1),
        ("GET", "/api/v2/deals/archived", 20),
        ("GET", "/v1/leads", 20),
        ("GET", "/api/v1/leads/0b0e3a2c-6f1d-4c53-9a55-0e8a3c1d2f00", 2),
        ("GET", "/v1/leads/archived", 40),
        ("POST", "/v1/notes", 10),
        ("PUT", "/v1/notes/4", 10),
        ("DELETE", "/v1/notes/4", 6),
        ("GET", "/v1/users/me", 2),
        ("GET", "/v1/users/find", 40),
        ("GET", "/v1/persons/search", 40),
    ],
)
def test_pipedrive_cost_table(method: str, path: str, cost: int) -> None:
    assert PIPEDRIVE_LIMITS.daily is not None
    assert PIPEDRIVE_LIMITS.daily.cost(req(method, f"{PD}{path}")) == cost
    assert PIPEDRIVE_LIMITS.daily.cost(req(method, f"http://sandbox/pipedrive/acme{path}")) == cost


def _seconds_to_midnight(wall: float) -> int:
    return math.ceil((math.floor(wall / 86_400) + 1) * 86_400 - wall)


async def test_pipedrive_daily_budget_is_spent_by_cost(limiter: InMemoryRateLimiter, fake: FakeTime) -> None:
    budget = {"x-daily-ratelimit-token-remaining": "26"}
    await send(limiter, PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/persons/1"), headers=budget)  # 26 left
    await limiter.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/persons"))  # 16
    await limiter.acquire("acct", PIPEDRIVE_LIMITS, req("POST", f"{PD}/api/v2/persons"))  # 11
    await limiter.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals"))  # 1
    with pytest.raises(RateLimited) as caught:
        await limiter.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals"))
    assert caught.value.details["retry_after"] == _seconds_to_midnight(fake.wall)
    assert "costs 10, 1 left" in caught.value.message
    await limiter.acquire(
        "acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals/7")
    )  # a cost of 1 still fits
    fake.advance(_seconds_to_midnight(fake.wall))  # a new day: nothing known, nothing enforced
    await limiter.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals"))


async def test_a_daily_429_blocks_until_retry_after(limiter: InMemoryRateLimiter, fake: FakeTime) -> None:
    spent = req("GET", f"{PD}/api/v2/deals")
    await limiter.acquire("acct", PIPEDRIVE_LIMITS, spent)
    body = {"success": False, "error": "daily request budget exceeded", "errorCode": 429}
    answer = resp(spent, 429, {"retry-after": "3939"}, body)
    await limiter.observe("acct", PIPEDRIVE_LIMITS, spent, answer)
    with pytest.raises(RateLimited) as caught:
        await limiter.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals/1"))
    assert caught.value.details["retry_after"] == 3939
    assert fake.slept == []  # the burst window was not blocked
    fake.advance(3940)
    await limiter.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals/1"))


async def test_hubspot_daily_429_raises_until_midnight(limiter: InMemoryRateLimiter, fake: FakeTime) -> None:
    spent = req("POST", f"{HS}/crm/v3/objects/contacts/search")
    await limiter.acquire("acct", HUBSPOT_LIMITS, spent)
    body = {"status": "error", "message": "You have reached your daily limit.", "policyName": "DAILY"}
    await limiter.observe("acct", HUBSPOT_LIMITS, spent, resp(spent, 429, body=body))
    with pytest.raises(RateLimited, match="daily") as caught:
        await limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    assert caught.value.details["retry_after"] == _seconds_to_midnight(fake.wall)


async def test_a_429_blocks_the_window_for_its_length(limiter: InMemoryRateLimiter, fake: FakeTime) -> None:
    throttled = req("GET", f"{HS}/crm/v3/objects/contacts")
    await limiter.acquire("acct", HUBSPOT_LIMITS, throttled)
    headers = {"X-HubSpot-RateLimit-Interval-Milliseconds": "10000", "X-HubSpot-RateLimit-Remaining": "0"}
    body = {"status": "error", "policyName": "TEN_SECONDLY_ROLLING"}
    await limiter.observe("acct", HUBSPOT_LIMITS, throttled, resp(throttled, 429, headers, body))
    # Searches are not blocked; the ten-second window is, for one window length.
    await limiter.acquire("acct", HUBSPOT_LIMITS, req("POST", f"{HS}/crm/v3/objects/contacts/search"))
    assert fake.slept == []
    await limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    assert fake.slept == [10.0]


async def test_a_429_honours_reset_and_retry_after(limiter: InMemoryRateLimiter, fake: FakeTime) -> None:
    throttled = req("GET", f"{PD}/api/v2/deals")
    await limiter.acquire("acct", PIPEDRIVE_LIMITS, throttled)
    headers = {"x-ratelimit-reset": "2", "x-daily-ratelimit-token-remaining": "500"}
    await limiter.observe(
        "acct", PIPEDRIVE_LIMITS, throttled, resp(throttled, 429, headers, {"error": "Request over limit"})
    )
    await limiter.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals"))
    assert fake.slept == [2.0]
    # A Retry-After past the cap is not slept through: the caller hears when to come back.
    await limiter.observe("acct", PIPEDRIVE_LIMITS, throttled, resp(throttled, 429, {"Retry-After": "120"}))
    with pytest.raises(RateLimited) as caught:
        await limiter.acquire("acct", PIPEDRIVE_LIMITS, req("GET", f"{PD}/api/v2/deals"))
    assert caught.value.details["retry_after"] == 120
    assert caught.value.details["limit"] == "burst"


async def test_remaining_counts_requests_of_other_clients(
    limiter: InMemoryRateLimiter, fake: FakeTime
) -> None:
    headers = {"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": "10"}
    await send(limiter, HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"), headers=headers)
    await limiter.acquire("acct", HUBSPOT_LIMITS, req("GET", f"{HS}/crm/v3/objects/contacts"))
    assert fake.slept == [10.0]


async def test_concurrent_callers_never_overshoot_a_window(
    limiter: InMemoryRateLimiter, fake: FakeTime
) -> None:
    limits = RateLimits("test", "Test", windows=(Window("w", 10, 1.0),))
    times: list[float] = []

    async def call(i: int) -> None:
        request = req("GET", f"https://crm.test/items/{i}")
        await limiter.acquire("acct", limits, request)
        times.append(fake.now)
        await asyncio.sleep(0)
        await limiter.observe("acct", limits, request, resp(request))

    await asyncio.gather(*(call(i) for i in range(100)))
    assert len(times) == 100
    assert max(sum(t - 1.0 < u <= t for u in times) for t in times) <= 9


def test_build_rate_limiter_defaults_to_in_process() -> None:
    assert isinstance(build_rate_limiter(), InMemoryRateLimiter)


def test_the_limiter_outlives_an_event_loop() -> None:
    """Engines that run one event loop per call (``asyncio.run``) share one limiter across loops."""
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(seconds)

    limiter = InMemoryRateLimiter(in_flight_timeout=0.0, sleep=sleep)
    limits = RateLimits("test", "Test", windows=(Window("w", 1, 0.05),))

    async def two_unanswered(key: str) -> None:  # the second waits for the first, using the loop's event
        for i in range(2):
            await limiter.acquire(key, limits, req("GET", f"https://crm.test/{i}"))

    asyncio.run(two_unanswered("a"))
    asyncio.run(two_unanswered("b"))
    assert len(pauses) == 2  # one sleep each: no spinning on an event bound to the first loop
