"""The in-process rate limiter against the sandbox CRMs, whose own 429s are the ground truth."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import httpx
import pytest

from crmbridge.engine.ratelimit import InMemoryRateLimiter
from crmbridge.providers.hubspot.limits import HUBSPOT_LIMITS
from crmbridge.providers.pipedrive.limits import PIPEDRIVE_LIMITS
from crmbridge.spec import RateLimits
from crmbridge_sandbox import Sandbox, SandboxClock

pytestmark = pytest.mark.anyio


async def _burst(
    limiter: InMemoryRateLimiter, limits: RateLimits, client: httpx.AsyncClient, requests: list[httpx.Request]
) -> list[int]:
    async def one(request: httpx.Request) -> int:
        await limiter.acquire("acct", limits, request)
        response = await client.send(request)
        await limiter.observe("acct", limits, request, response)
        return response.status_code

    return list(await asyncio.gather(*(one(r) for r in requests)))


async def _sandbox_statuses(client: httpx.AsyncClient, provider: str) -> list[int]:
    log = (await client.get("/_sandbox/requests", params={"provider": provider})).json()
    return [entry["status"] for entry in log["requests"]]


#: The ten-second window is learned from headers (100 ms here); search sends none, so it is scaled.
SCALED_SEARCH_HUBSPOT = replace(
    HUBSPOT_LIMITS,
    windows=(
        HUBSPOT_LIMITS.windows[0],
        replace(HUBSPOT_LIMITS.windows[1], seconds=HUBSPOT_LIMITS.windows[1].seconds * 0.01),
    ),
)


async def hubspot_burst_requests(client: httpx.AsyncClient, gets: int, searches: int) -> list[httpx.Request]:
    """A fresh portal's contact reads and searches, built but not sent."""
    portal = (await client.post("/_sandbox/hubspot/portals", json={"contacts": 5})).json()
    auth = {"Authorization": f"Bearer {portal['private_app_token']}"}
    read = "/hubspot/crm/v3/objects/contacts"
    return [client.build_request("GET", read, headers=auth) for _ in range(gets)] + [
        client.build_request("POST", f"{read}/search", headers=auth, json={"limit": 1})
        for _ in range(searches)
    ]


async def test_hubspot_sandbox_burst_gets_no_429() -> None:
    sandbox = Sandbox(clock=SandboxClock(), rate_window_scale=0.01)
    limiter = InMemoryRateLimiter()
    async with sandbox.client() as c:
        requests = await hubspot_burst_requests(c, 300, 30)
        started = time.monotonic()
        statuses = await _burst(limiter, SCALED_SEARCH_HUBSPOT, c, requests)
        elapsed = time.monotonic() - started
        assert statuses == [200] * 330
        logged = await _sandbox_statuses(c, "hubspot")
    assert len(logged) == 330 and 429 not in logged
    assert elapsed < 8  # 300 at the default 90 per 10 s would take 30 s: the 100 ms window was learned


async def test_pipedrive_sandbox_burst_gets_no_429() -> None:
    sandbox = Sandbox(clock=SandboxClock(), rate_window_scale=0.01)
    limits = PIPEDRIVE_LIMITS.scaled(0.01)  # Pipedrive's headers do not state the window length
    limiter = InMemoryRateLimiter()
    async with sandbox.client() as c:
        company = (await c.post("/_sandbox/pipedrive/companies", json={"persons": 5})).json()
        auth, base = {"x-api-token": company["api_token"]}, company["api_domain"]
        gets = [c.build_request("GET", f"{base}/api/v2/persons", headers=auth) for _ in range(300)]
        searches = [
            c.build_request("GET", f"{base}/api/v2/persons/search", params={"term": "ab"}, headers=auth)
            for _ in range(30)
        ]
        statuses = await _burst(limiter, limits, c, gets + searches)
        assert statuses == [200] * 330
        logged = await _sandbox_statuses(c, "pipedrive")
    assert len(logged) == 330 and 429 not in logged


async def test_pipedrive_costs_match_the_sandbox() -> None:
    sandbox = Sandbox()
    assert PIPEDRIVE_LIMITS.daily is not None
    calls = [
        ("GET", "/api/v2/persons", None),
        ("GET", "/api/v2/persons/1", None),
        ("POST", "/api/v2/persons", {"name": "Ada Lovelace"}),
        ("PATCH", "/api/v2/persons/1", {"name": "Ada King"}),
        ("DELETE", "/api/v2/persons/999999", None),
        ("GET", "/api/v2/persons/search?term=Ada", None),
        ("GET", "/api/v2/itemSearch?term=Ada", None),
        ("GET", "/api/v2/pipelines", None),
        ("GET", "/api/v2/stages/1", None),
        ("GET", "/api/v2/dealFields", None),
        ("GET", "/api/v2/dealFields/title", None),
        ("GET", "/api/v2/deals/archived", None),
        ("GET", "/v1/leads", None),
        ("GET", "/api/v1/leads/archived", None),
        ("GET", "/v1/leads/0b0e3a2c-6f1d-4c53-9a55-0e8a3c1d2f00", None),
        ("POST", "/v1/notes", {"content": "hello"}),
        ("GET", "/v1/notes", None),
        ("PUT", "/v1/notes/999999", {"content": "again"}),
        ("DELETE", "/v1/notes/999999", None),
        ("GET", "/v1/users/me", None),
        ("GET", "/v1/users", None),
        ("GET", "/v1/users/find?term=ad", None),
    ]
    async with sandbox.client() as c:
        company = (await c.post("/_sandbox/pipedrive/companies", json={"persons": 2})).json()
        auth, base = {"x-api-token": company["api_token"]}, company["api_domain"]
        before = None
        for method, path, body in calls:
            request = c.build_request(method, base + path, headers=auth, json=body)
            response = await c.send(request)
            left = int(response.headers["x-daily-ratelimit-token-remaining"])
            if before is not None:
                assert before - left == PIPEDRIVE_LIMITS.daily.cost(request), (
                    method,
                    path,
                    response.status_code,
                )
            before = left
