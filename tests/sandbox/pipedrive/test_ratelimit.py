"""Pipedrive rate limits: per-token 2-second bursts, the search window, the company's daily token budget."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.clock import SandboxClock
from crmbridge_sandbox.pipedrive.auth import require_access
from crmbridge_sandbox.pipedrive.store import Company

from .oauth_flow import OAuthFlow

pytestmark = pytest.mark.anyio

T0 = 1_800_000_000.0  # 16:00 UTC; the next UTC midnight is 57,600 s away
MIDNIGHT = 1_800_057_600.0


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(clock=SandboxClock(start=T0, frozen=True))


async def _new_company(client: httpx.AsyncClient, plan: str) -> dict[str, Any]:
    r = await client.post("/_sandbox/pipedrive/companies", json={"seed": 1, "plan": plan})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    data["headers"] = {"x-api-token": data["api_token"]}
    return data


def _store(sandbox: Sandbox, company: dict[str, Any]) -> Company:
    return sandbox.pipedrive.companies[company["company_id"]]


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.get("/pipedrive/v1/users/me", headers=headers)


def _second_token(sandbox: Sandbox, company: dict[str, Any]) -> dict[str, str]:
    """An API token of a second user of the same company."""
    store = _store(sandbox, company)
    user = sandbox.pipedrive.new_user(store, name="Second", email="second@example.com")
    token = secrets.token_hex(20)
    store.api_tokens[token] = user.id
    return {"x-api-token": token}


async def test_headers_for_api_token_and_oauth(
    client: httpx.AsyncClient, oauth: OAuthFlow, company: dict[str, Any]
) -> None:
    r = await _me(client, company["headers"])
    assert r.headers["x-ratelimit-limit"] == "40"  # growth, API token
    assert r.headers["x-ratelimit-remaining"] == "39"
    assert r.headers["x-ratelimit-reset"] == "2"
    assert r.headers["x-daily-ratelimit-token-limit"] == "60000"  # 30,000 x growth 2 x 1 seat
    assert r.headers["x-daily-ratelimit-token-remaining"] == "59998"  # users/me costs 2
    assert r.headers["x-daily-requests-left"] == "10000"  # GET does not use the POST/PUT allowance
    tokens = await oauth.install(await oauth.register(["users:read"]))
    r = await client.get("/pipedrive/v1/users", headers=tokens["headers"])
    assert r.headers["x-ratelimit-limit"] == "160"  # growth, OAuth
    assert r.headers["x-ratelimit-remaining"] == "159"
    assert r.headers["x-daily-ratelimit-token-remaining"] == str(60000 - 2 - 20)  # shared by the company
    assert "x-daily-requests-left" not in r.headers


@pytest.mark.parametrize(
    ("plan", "seats", "api", "budget"),
    [
        ("lite", 1, 20, 30_000),
        ("growth", 2, 40, 120_000),
        ("premium", 3, 100, 450_000),
        ("ultimate", 1, 120, 210_000),
    ],
)
async def test_limits_follow_plan_and_seats(
    client: httpx.AsyncClient, sandbox: Sandbox, plan: str, seats: int, api: int, budget: int
) -> None:
    company = await _new_company(client, plan)
    _store(sandbox, company).seats = seats
    r = await _me(client, company["headers"])
    assert r.headers["x-ratelimit-limit"] == str(api)
    assert r.headers["x-daily-ratelimit-token-limit"] == str(budget)


async def test_burst_limit_per_token_and_window_rolls(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    company = await _new_company(client, "lite")
    for i in range(20):
        r = await _me(client, company["headers"])
        assert r.status_code == 200
        assert r.headers["x-ratelimit-remaining"] == str(19 - i)
        sandbox.clock.advance(0.05)  # 20 requests within 1 s
    over = await _me(client, company["headers"])
    assert over.status_code == 429
    body = over.json()
    assert body["success"] is False and body["error"] == "Request over limit" and body["errorCode"] == 429
    assert over.headers["x-ratelimit-remaining"] == "0"
    assert over.headers["x-ratelimit-reset"] == "1"  # the first request leaves the window in 1 s
    assert over.headers["retry-after"] == "1"
    assert over.headers["x-daily-ratelimit-token-remaining"] == str(30_000 - 40)  # rejected: not charged
    # Another user's token of the same company has its own window.
    assert (await _me(client, _second_token(sandbox, company))).status_code == 200
    # Once the oldest request is more than 2 s old, one slot frees up.
    sandbox.clock.advance(1.0)
    assert (await _me(client, company["headers"])).status_code == 200
    assert (await _me(client, company["headers"])).status_code == 429
    assert sandbox.pipedrive.limiter.used_today(_store(sandbox, company)) == 2 * 22


async def test_oauth_tokens_count_separately_from_the_api_token(
    client: httpx.AsyncClient, sandbox: Sandbox, oauth: OAuthFlow
) -> None:
    company = await _new_company(client, "lite")
    tokens = await oauth.install(await oauth.register())
    for _ in range(20):
        await _me(client, company["headers"])
    assert (await _me(client, company["headers"])).status_code == 429
    r = await _me(client, tokens["headers"])
    assert r.status_code == 200
    assert r.headers["x-ratelimit-limit"] == "80" and r.headers["x-ratelimit-remaining"] == "79"


async def test_window_scales_with_rate_window_scale() -> None:
    sandbox = Sandbox(clock=SandboxClock(start=T0, frozen=True), rate_window_scale=0.01)
    async with sandbox.client() as client:
        company = await _new_company(client, "lite")
        for _ in range(20):
            assert (await _me(client, company["headers"])).status_code == 200
        assert (await _me(client, company["headers"])).status_code == 429
        sandbox.clock.advance(0.021)  # the scaled window is 0.02 s
        assert (await _me(client, company["headers"])).status_code == 200


async def test_search_endpoints_have_their_own_window(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    async def fake_search(request: Request) -> Response:
        require_access(request, scopes_any=("search:read",), cost=40, search=True)
        return JSONResponse({"success": True, "data": {"items": []}})

    # A stand-in search route: the real search module is someone else's.
    sandbox.pipedrive.starlette.router.routes.insert(0, Route("/test-search", fake_search))
    company = await _new_company(client, "ultimate")
    for i in range(10):
        r = await client.get("/pipedrive/test-search", headers=company["headers"])
        assert r.status_code == 200
        assert (r.headers["x-ratelimit-limit"], r.headers["x-ratelimit-remaining"]) == ("10", str(9 - i))
    r = await client.get("/pipedrive/test-search", headers=company["headers"])
    assert r.status_code == 429 and r.json()["error"] == "Request over limit"
    # Ordinary routes are not held back by the search window.
    plain = await _me(client, company["headers"])
    assert plain.status_code == 200 and plain.headers["x-ratelimit-remaining"] == "119"
    sandbox.clock.advance(2.0)
    assert (await client.get("/pipedrive/test-search", headers=company["headers"])).status_code == 200


async def test_daily_budget_runs_out_and_resets_at_utc_midnight(
    client: httpx.AsyncClient, sandbox: Sandbox, oauth: OAuthFlow
) -> None:
    company = await _new_company(client, "lite")
    other = await _new_company(client, "lite")
    store = _store(sandbox, company)
    sandbox.pipedrive.limiter.spend(store, 30_000 - 5)
    ok = await _me(client, company["headers"])
    assert ok.status_code == 200 and ok.headers["x-daily-ratelimit-token-remaining"] == "3"
    ok = await _me(client, company["headers"])
    assert ok.status_code == 200 and ok.headers["x-daily-ratelimit-token-remaining"] == "1"
    # Every token of the company is out of budget, OAuth included; another company is not affected.
    tokens = await oauth.install(await oauth.register(), company_id=str(company["company_id"]))
    for headers in (company["headers"], tokens["headers"]):
        r = await _me(client, headers)
        assert r.status_code == 429
        assert r.json() == {"success": False, "error": "daily request budget exceeded", "errorCode": 429}
        assert r.headers["retry-after"] == str(int(MIDNIGHT - T0))
        assert r.headers["x-daily-ratelimit-token-remaining"] == "1"
    assert sandbox.pipedrive.limiter.used_today(store) == 29_999
    assert (await _me(client, other["headers"])).status_code == 200
    sandbox.clock.advance(MIDNIGHT - T0 - 1)
    assert (await _me(client, company["headers"])).status_code == 429
    sandbox.clock.advance(1)
    r = await _me(client, company["headers"])
    assert r.status_code == 200 and r.headers["x-daily-ratelimit-token-remaining"] == "29998"


async def test_zero_seats_means_no_budget(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    company = await _new_company(client, "growth")
    _store(sandbox, company).seats = 0
    r = await _me(client, company["headers"])
    assert r.status_code == 429 and r.json()["error"] == "daily request budget exceeded"
    assert r.headers["x-daily-ratelimit-token-limit"] == "0"


async def test_auth_failures_are_not_charged(
    client: httpx.AsyncClient, sandbox: Sandbox, oauth: OAuthFlow
) -> None:
    company = await _new_company(client, "lite")
    tokens = await oauth.install(await oauth.register(["deals:read"]), company_id=str(company["company_id"]))
    r = await client.get("/pipedrive/v1/users", headers=tokens["headers"])
    assert r.status_code == 403 and "x-ratelimit-limit" not in r.headers
    assert sandbox.pipedrive.limiter.used_today(_store(sandbox, company)) == 0
