"""Deadlines: a tool call is over by its deadline whatever the CRM does, without ever risking a duplicate.

The send path runs on a fake clock where it can (a stalled attempt moves the clock by its timeout, as a
real one would end when its timeout fires); the few real-time tests give the CRM two minutes (the sandbox's longest latency) to answer and a
call a fraction of a second, and only check that the call came back within a generous bound.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crmbridge import Bridge, ConfigurationError
from crmbridge.auth import ApiKeyAuth
from crmbridge.engine import CallTarget, Engine, HttpCore, RetryPolicy
from crmbridge.engine.deadline import Deadline
from crmbridge.engine.ratelimit import InMemoryRateLimiter
from crmbridge.errors import DeadlineExceeded, OutcomeUnknown, ProviderUnavailable, RateLimited
from crmbridge.providers import builtin, default_catalog
from crmbridge.spec import RateLimits, Window
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox

from ..bridges import USER, Connected
from ..providers.harness import Account, hubspot_account

pytestmark = pytest.mark.anyio

HUBSPOT = builtin("hubspot")
TARGET = CallTarget(account_key="t", base_url="https://crm.test", auth=ApiKeyAuth("pat-na1-secret-secret"))
#: What a real-time test allows a call with a sub-second deadline: far below the CRM's two minutes, far above
#: any scheduling hiccup of a busy machine.
GENEROUS = 10.0


class FakeClock:
    """Monotonic time that only moves when an attempt stalls or the send path sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class TopOfRange(random.Random):
    """Jitter that always waits the full backoff, so the schedule is exact."""

    def uniform(self, a: float, b: float) -> float:
        return b


class Stalling:
    """A CRM that never answers: each attempt lasts ``takes`` seconds of fake time, or its HTTP timeout if
    that is shorter, then ends in ``ReadTimeout``. Records the read timeout each attempt was given."""

    def __init__(self, clock: FakeClock, takes: float = math.inf) -> None:
        self.clock, self.takes = clock, takes
        self.timeouts: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions["timeout"]["read"]
        self.timeouts.append(timeout)
        self.clock.now += min(self.takes, timeout)
        raise httpx.ReadTimeout("no answer", request=request)


def fake_core(clock: FakeClock, handler: Any, *, timeout: float = 30.0) -> HttpCore:
    return HttpCore(
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=5, base_delay=0.2, max_delay=8.0),
        timeout=timeout,
        rng=TopOfRange(),
        sleep=clock.sleep,
    )


async def test_reads_are_retried_only_while_time_remains() -> None:
    clock = FakeClock()
    crm = Stalling(clock, takes=0.8)
    http = fake_core(clock, crm)
    with pytest.raises(DeadlineExceeded) as caught:
        await http.send(
            HUBSPOT,
            TARGET,
            "GET",
            "/crm/v3/objects/contacts/1",
            idempotent=True,
            deadline=Deadline.after(2.0, clock=clock),
        )
    # 0.8 s attempt, 0.2 s pause, 0.8 s attempt: 0.2 s left, less than a 0.4 s pause and an attempt.
    assert crm.timeouts == [2.0, pytest.approx(1.0)]
    assert clock.slept == [pytest.approx(0.2)]
    assert clock.now <= 2.0
    error = caught.value
    assert isinstance(error, ProviderUnavailable) and error.retryable and error.code == "deadline_exceeded"
    assert error.http_status == 504
    assert error.details["deadline"] == 2.0
    assert error.details["request"] == "GET /crm/v3/objects/contacts/1"
    assert "2 s deadline" in error.message and "ReadTimeout" in error.message


async def test_no_attempt_waits_longer_than_what_is_left() -> None:
    clock = FakeClock()
    crm = Stalling(clock)  # each attempt lasts its whole timeout
    http = fake_core(clock, crm, timeout=30.0)
    with pytest.raises(DeadlineExceeded):
        await http.send(
            HUBSPOT, TARGET, "GET", "/x", idempotent=True, deadline=Deadline.after(2.0, clock=clock)
        )
    assert crm.timeouts == [2.0] and clock.now == 2.0
    # Without a deadline the same CRM holds the call for every attempt's full timeout.
    clock.now, crm.timeouts = 0.0, []
    with pytest.raises(ProviderUnavailable) as caught:
        await http.send(HUBSPOT, TARGET, "GET", "/x", idempotent=True)
    assert crm.timeouts == [30.0] * 5 and not isinstance(caught.value, DeadlineExceeded)


async def test_a_429_whose_wait_outlasts_the_deadline_is_rate_limited_at_once() -> None:
    clock = FakeClock()
    seen: list[httpx.Request] = []

    def limited(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"status": "error", "message": "slow down", "policyName": "TEN_SECONDLY_ROLLING"}
        return httpx.Response(429, json=body, headers={"retry-after": "5"})

    http = fake_core(clock, limited)
    response = await http.send(
        HUBSPOT, TARGET, "GET", "/x", idempotent=True, deadline=Deadline.after(2.0, clock=clock)
    )
    assert isinstance(response, httpx.Response) and response.status_code == 429  # mapped to rate_limited
    assert len(seen) == 1 and clock.slept == []


async def test_a_create_cut_off_by_its_deadline_is_outcome_unknown_and_never_resent() -> None:
    clock = FakeClock()
    crm = Stalling(clock)
    http = fake_core(clock, crm)
    checks: list[int] = []

    async def recover() -> None:
        checks.append(1)
        return None

    with pytest.raises(OutcomeUnknown) as caught:
        await http.send(
            HUBSPOT,
            TARGET,
            "POST",
            "/crm/v3/objects/deals",
            json={},
            idempotent=False,
            recover=recover,
            deadline=Deadline.after(2.0, clock=clock),
        )
    assert len(crm.timeouts) == 1 and checks == []  # no time was left to re-check, so no resend either
    assert "deadline" in caught.value.message and "Check the CRM" in caught.value.message


async def test_a_create_proved_absent_but_out_of_time_is_deadline_exceeded() -> None:
    """The re-check showed nothing was written: safe to try again, so retryable, but not within this call."""
    clock = FakeClock()
    seen: list[httpx.Request] = []

    def failing(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        clock.now += 0.5
        return httpx.Response(500, json={"status": "error", "message": "oops"})

    async def recover() -> None:
        clock.now += 1.3  # a slow search
        return None

    with pytest.raises(DeadlineExceeded) as caught:
        await fake_core(clock, failing).send(
            HUBSPOT,
            TARGET,
            "POST",
            "/crm/v3/objects/deals",
            json={},
            idempotent=False,
            recover=recover,
            deadline=Deadline.after(2.0, clock=clock),
        )
    assert len(seen) == 1
    assert "not applied" in caught.value.message


async def test_a_recheck_that_runs_out_of_time_is_outcome_unknown() -> None:
    clock = FakeClock()
    deadline = Deadline.after(2.0, clock=clock)
    seen: list[httpx.Request] = []

    def failing(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(502, json={"status": "error", "message": "bad gateway"})

    async def recover() -> None:
        clock.now = 2.0  # the search stalled until the deadline
        raise deadline.exceeded("HubSpot did not answer (ReadTimeout) on attempt 1")

    with pytest.raises(OutcomeUnknown) as caught:
        await fake_core(clock, failing).send(
            HUBSPOT,
            TARGET,
            "POST",
            "/crm/v3/objects/deals",
            json={},
            idempotent=False,
            recover=recover,
            deadline=deadline,
        )
    assert len(seen) == 1
    assert "deadline ran out during the re-check" in caught.value.message
    assert caught.value.details["deadline"] == 2.0 and not caught.value.retryable


async def test_the_wall_clock_bound_holds_where_the_transport_enforces_no_timeout() -> None:
    """``MockTransport`` (like any custom transport) ignores httpx timeouts: the deadline still holds."""

    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    http = HttpCore(transport=httpx.MockTransport(never), retry=RetryPolicy(base_delay=0.01))
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        await http.send(HUBSPOT, TARGET, "GET", "/x", idempotent=True, deadline=Deadline.after(0.3))
    with pytest.raises(OutcomeUnknown):
        await http.send(
            HUBSPOT, TARGET, "POST", "/x", json={}, idempotent=False, deadline=Deadline.after(0.3)
        )
    assert time.monotonic() - started < GENEROUS
    await http.aclose()


# The rate limiter.

ONE_PER_TEN = RateLimits(provider="test", label="Test", windows=(Window("burst", limit=1, seconds=10.0),))


async def never_sleep(seconds: float) -> None:
    raise AssertionError(f"the limiter slept {seconds} s past the deadline")


async def test_the_limiter_fails_fast_when_its_wait_outlasts_the_deadline() -> None:
    clock = FakeClock()
    limiter = InMemoryRateLimiter(clock=clock, sleep=never_sleep, headroom=1.0)
    await limiter.acquire("a", ONE_PER_TEN, httpx.Request("GET", "https://crm.test/1"))
    with pytest.raises(RateLimited) as caught:
        await limiter.acquire(
            "a",
            ONE_PER_TEN,
            httpx.Request("GET", "https://crm.test/2"),
            deadline=Deadline.after(2.0, clock=clock),
        )
    assert caught.value.retry_after is not None and caught.value.retry_after >= 10
    assert caught.value.details["limit"] == "burst"


async def test_a_call_queued_behind_a_long_wait_leaves_by_its_deadline() -> None:
    """The caller at the head of the queue may wait (it has no deadline); the one behind it may not."""
    head_sleeps = asyncio.Event()

    async def sleep_forever(seconds: float) -> None:
        head_sleeps.set()
        await asyncio.sleep(3600)

    limiter = InMemoryRateLimiter(sleep=sleep_forever, headroom=1.0)
    await limiter.acquire("a", ONE_PER_TEN, httpx.Request("GET", "https://crm.test/1"))
    head = asyncio.ensure_future(
        limiter.acquire("a", ONE_PER_TEN, httpx.Request("GET", "https://crm.test/2"))
    )
    await head_sleeps.wait()
    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        await limiter.acquire(
            "a", ONE_PER_TEN, httpx.Request("GET", "https://crm.test/3"), deadline=Deadline.after(0.2)
        )
    assert time.monotonic() - started < GENEROUS
    assert caught.value.retry_after is not None and caught.value.retry_after >= 1
    assert "queued" in caught.value.message
    head.cancel()


# Whole tool calls, against the in-process sandbox.


@pytest.fixture
async def hubspot(sandbox: Sandbox, client: httpx.AsyncClient) -> AsyncIterator[Account]:
    account = await hubspot_account(sandbox, client)
    yield account
    await account.aclose()


async def stall(client: httpx.AsyncClient, provider: str = "hubspot") -> None:
    r = await client.post("/_sandbox/faults", json={provider: {"latency_ms": 120_000}})
    assert r.status_code == 200, r.text


async def test_a_stalled_crm_answers_by_the_deadline_through_the_bridge(
    hubspot_bridge: Connected, client: httpx.AsyncClient
) -> None:
    await stall(client)
    started = time.monotonic()
    result = await hubspot_bridge.bridge.aexecute_tool(
        identifier=USER, tool_name="hubspot_contacts_search", tool_input={"query": "John"}, deadline=0.3
    )
    synced = hubspot_bridge.bridge.execute_tool(
        identifier=USER, tool_name="hubspot_contact_get", tool_input={"contact_id": "1"}, deadline=0.3
    )
    assert time.monotonic() - started < GENEROUS
    for failed in (result, synced):
        assert failed.error is not None and failed.error.code == "deadline_exceeded", failed.error
        assert failed.error.retryable and failed.error.details["deadline"] == 0.3
        assert "0.3 s deadline" in failed.error.message


async def test_resolvers_side_requests_keep_to_the_deadline(
    hubspot_bridge: Connected, client: httpx.AsyncClient
) -> None:
    await stall(client)
    started = time.monotonic()
    result = await hubspot_bridge.toolset.call_tool(
        "hubspot_deal_create",
        {"dealname": "Renewal", "amount": 1000, "dealstage": "Closed Won"},
        deadline=0.3,
    )
    assert time.monotonic() - started < GENEROUS
    assert result.error is not None and result.error.code == "deadline_exceeded", result.error
    assert result.error.details["request"].startswith("GET /crm/v3/pipelines/deals")


def deadline_bridge(sandbox: Sandbox, tmp_path: Path, **options: Any) -> Connected:
    info = sandbox.hubspot.create_portal(seed_value=7)
    bridge = Bridge(
        database_url=f"sqlite:///{tmp_path}/bridge.db",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        vault=Vault.from_string(Vault.generate_key()),
        **options,
    )
    bridge.add_connection("hubspot", provider="hubspot", base_url="http://sandbox/hubspot")
    bridge.connect_api_key(connection_name="hubspot", identifier=USER, api_key=info.private_app_token)
    return Connected(bridge, info.private_app_token)


async def test_bridge_and_toolset_defaults_and_per_call_overrides(
    sandbox: Sandbox, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    connected = deadline_bridge(sandbox, tmp_path, deadline=0.3, timeout=5.0)
    bridge = connected.bridge
    try:
        assert bridge.engine.http.timeout == 5.0
        found = await bridge.aexecute_tool(
            identifier=USER, tool_name="hubspot_contacts_search", tool_input={"query": "John"}
        )
        assert found.ok, found.error  # a healthy CRM answers well within the default deadline
        await stall(client)
        started = time.monotonic()
        by_default = await bridge.aexecute_tool(
            identifier=USER, tool_name="hubspot_contact_get", tool_input={"contact_id": "1"}
        )
        toolset = bridge.toolset(identifier=USER, connection_name="hubspot", deadline=0.2)
        by_toolset = await toolset.call_tool("hubspot_contact_get", {"contact_id": "1"})
        by_toolset_sync = toolset.call_tool_sync("hubspot_contact_get", {"contact_id": "1"})
        assert time.monotonic() - started < GENEROUS
        assert by_default.error is not None and by_default.error.details["deadline"] == 0.3
        assert by_toolset.error is not None and by_toolset.error.details["deadline"] == 0.2
        assert by_toolset_sync.error is not None and by_toolset_sync.error.details["deadline"] == 0.2
    finally:
        bridge.close()


def test_an_infinite_deadline_is_none_at_all() -> None:
    unbounded = Deadline.after(math.inf)
    assert unbounded.remaining() == math.inf and unbounded.seconds == math.inf


@pytest.mark.parametrize("bad", [0, -1, math.nan, "2", True])
async def test_a_bad_deadline_is_a_configuration_error_naming_it(
    hubspot_bridge: Connected, sandbox: Sandbox, tmp_path: Path, bad: Any
) -> None:
    result = await hubspot_bridge.bridge.aexecute_tool(
        identifier=USER, tool_name="hubspot_contact_get", tool_input={"contact_id": "1"}, deadline=bad
    )
    assert result.error is not None and result.error.code == "configuration_error"
    assert "deadline" in result.error.message and result.error.details["field"] == "deadline"
    with pytest.raises(ConfigurationError, match="deadline"):
        hubspot_bridge.bridge.toolset(identifier=USER, connection_name="hubspot", deadline=bad)
    with pytest.raises(ConfigurationError, match="timeout"):
        Bridge(database_url=f"sqlite:///{tmp_path}/x.db", data_dir=tmp_path, timeout=bad)
    with pytest.raises(ConfigurationError, match="deadline"):
        Bridge(database_url=f"sqlite:///{tmp_path}/x.db", data_dir=tmp_path, deadline=bad)


class StallCreates(httpx.AsyncBaseTransport):
    """Passes everything to the sandbox; a create is applied there, and then its answer never comes
    (``apply=False``: it answers 500 without applying it)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, apply: bool = True) -> None:
        self.inner, self.apply, self.creates = inner, apply, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/crm/v3/objects/companies"):
            self.creates += 1
            if not self.apply:
                return httpx.Response(500, json={"status": "error", "message": "internal error"})
            await (await self.inner.handle_async_request(request)).aread()
            await asyncio.sleep(3600)
        return await self.inner.handle_async_request(request)


async def company_names(account: Account) -> list[str]:
    body = (await account.crm.get("/crm/v3/objects/companies", params={"limit": 100})).json()
    return [r["properties"]["name"] for r in body["results"]]


async def test_a_lost_create_near_the_deadline_is_outcome_unknown_never_a_duplicate(
    hubspot: Account, sandbox: Sandbox
) -> None:
    stalling = StallCreates(sandbox.transport())
    engine = Engine(default_catalog(), http=HttpCore(transport=stalling), index_lag=0.0)
    started = time.monotonic()
    result = await engine.execute_named(
        "hubspot_company_create",
        {"name": "Near the deadline"},
        hubspot.target,
        deadline=Deadline.after(0.5),
    )
    await engine.aclose()
    assert time.monotonic() - started < GENEROUS
    assert result.error is not None and result.error.code == "outcome_unknown", result.error
    assert stalling.creates == 1
    assert (await company_names(hubspot)).count("Near the deadline") == 1


async def test_a_recheck_cut_short_of_the_search_lag_is_outcome_unknown_not_a_resend(
    hubspot: Account, sandbox: Sandbox
) -> None:
    """HubSpot's search may trail a write by 30 s: finding nothing sooner proves nothing."""
    failing = StallCreates(sandbox.transport(), apply=False)
    engine = Engine(default_catalog(), http=HttpCore(transport=failing))  # HubSpot's own 30 s index lag
    started = time.monotonic()
    result = await engine.execute_named(
        "hubspot_company_create",
        {"name": "Lagging index"},
        hubspot.target,
        deadline=Deadline.after(0.5),
    )
    await engine.aclose()
    assert time.monotonic() - started < GENEROUS
    assert result.error is not None and result.error.code == "outcome_unknown", result.error
    assert "can take 30 s to show a new record" in result.error.message  # cut short, not "none found"
    assert failing.creates == 1
