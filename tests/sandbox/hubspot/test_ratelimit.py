"""HubSpot rate limits: ten-second rolling windows, private-app daily budgets, the search secondly limit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.clock import SandboxClock
from crmbridge_sandbox.hubspot import ratelimit
from crmbridge_sandbox.hubspot.auth import Access
from crmbridge_sandbox.hubspot.ratelimit import Budget, RateLimitError
from crmbridge_sandbox.hubspot.store import Portal

from .oauth_flow import create_portal, install, register_app

#: 2026-03-10 18:00:00 US/Eastern (EDT starts on the 8th): 22:00 UTC.
START = float(int(datetime(2026, 3, 10, 22, 0, tzinfo=UTC).timestamp()))
SCALE = 0.5  # ten-second window -> 5 s, search second -> 0.5 s


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(rate_window_scale=SCALE, clock=SandboxClock(start=START, frozen=True))


def _portal(sandbox: Sandbox, tier: str = "starter") -> Portal:
    return sandbox.hubspot.create_portal(tier=tier, contacts=0, companies=0, deals=0)


def _private(portal: Portal) -> Access:
    return Access(portal=portal, kind="private_app", scopes=frozenset())


def _oauth(portal: Portal, client_id: str = "app-a") -> Access:
    return Access(portal=portal, kind="oauth", scopes=frozenset(), client_id=client_id, user_id=1)


def _request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [], "sandbox": {"headers": {}}})


def charge(sandbox: Sandbox, access: Access, *, search: bool = False) -> dict[str, str]:
    """Charge one request; the headers it queued (raises RateLimitError like the route would)."""
    request = _request()
    sandbox.hubspot.limiter.charge(request, access, search=search)
    headers: dict[str, str] = request.scope["sandbox"]["headers"]
    return headers


def rejected(
    sandbox: Sandbox, access: Access, *, search: bool = False
) -> tuple[RateLimitError, dict[str, str]]:
    request = _request()
    with pytest.raises(RateLimitError) as caught:
        sandbox.hubspot.limiter.charge(request, access, search=search)
    return caught.value, request.scope["sandbox"]["headers"]


def test_private_starter_window_headers_and_rejections_do_not_count(sandbox: Sandbox) -> None:
    access = _private(_portal(sandbox))
    first = charge(sandbox, access)
    assert first == {
        "X-HubSpot-RateLimit-Interval-Milliseconds": "5000",
        "X-HubSpot-RateLimit-Max": "100",
        "X-HubSpot-RateLimit-Remaining": "99",
        "X-HubSpot-RateLimit-Daily": "250000",
        "X-HubSpot-RateLimit-Daily-Remaining": "249999",
    }
    for _ in range(99):
        last = charge(sandbox, access)
    assert last["X-HubSpot-RateLimit-Remaining"] == "0"
    for _ in range(3):
        err, headers = rejected(sandbox, access)
        assert err.policy == "TEN_SECONDLY_ROLLING"
        assert err.message == "You have reached your ten_secondly_rolling limit."
        assert headers["X-HubSpot-RateLimit-Remaining"] == "0"
    sandbox.clock.advance(4.9)
    rejected(sandbox, access)
    sandbox.clock.advance(0.1)  # the whole first batch leaves the 5 s window
    after = charge(sandbox, access)
    assert after["X-HubSpot-RateLimit-Remaining"] == "99"
    assert after["X-HubSpot-RateLimit-Daily-Remaining"] == str(250_000 - 101)  # 4 rejections not counted


def test_window_rolls_rather_than_resets(sandbox: Sandbox) -> None:
    access = _private(_portal(sandbox))
    for _ in range(60):
        charge(sandbox, access)
    sandbox.clock.advance(2.5)
    for _ in range(40):
        charge(sandbox, access)
    rejected(sandbox, access)
    sandbox.clock.advance(2.5)  # the first 60 roll out, the last 40 stay
    for _ in range(60):
        charge(sandbox, access)
    rejected(sandbox, access)


@pytest.mark.parametrize(
    ("tier", "burst", "daily"),
    [
        ("free", 100, 250_000),
        ("starter", 100, 250_000),
        ("professional", 190, 625_000),
        ("enterprise", 190, 1_000_000),
    ],
)
def test_private_budgets_by_tier(sandbox: Sandbox, tier: str, burst: int, daily: int) -> None:
    access = _private(_portal(sandbox, tier))
    for _ in range(burst):
        headers = charge(sandbox, access)
    assert headers["X-HubSpot-RateLimit-Max"] == str(burst)
    assert headers["X-HubSpot-RateLimit-Daily"] == str(daily)
    assert rejected(sandbox, access)[0].policy == "TEN_SECONDLY_ROLLING"


def test_oauth_apps_get_110_per_app_per_portal_and_no_daily_headers(sandbox: Sandbox) -> None:
    portal, other_portal = _portal(sandbox), _portal(sandbox)
    access = _oauth(portal)
    first = charge(sandbox, access)
    assert first == {
        "X-HubSpot-RateLimit-Interval-Milliseconds": "5000",
        "X-HubSpot-RateLimit-Max": "110",
        "X-HubSpot-RateLimit-Remaining": "109",
    }
    for _ in range(109):
        charge(sandbox, access)
    assert rejected(sandbox, access)[0].policy == "TEN_SECONDLY_ROLLING"
    # separate buckets: another app on the same portal, the same app on another portal, the private app
    assert charge(sandbox, _oauth(portal, "app-b"))["X-HubSpot-RateLimit-Remaining"] == "109"
    assert charge(sandbox, _oauth(other_portal))["X-HubSpot-RateLimit-Remaining"] == "109"
    assert charge(sandbox, _private(portal))["X-HubSpot-RateLimit-Remaining"] == "99"


def test_daily_budget_resets_at_midnight_in_the_portal_time_zone(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ratelimit.PRIVATE_BUDGETS, "starter", Budget(100, 3))
    portal = _portal(sandbox)
    assert portal.time_zone == "US/Eastern"
    access = _private(portal)
    for _ in range(3):
        headers = charge(sandbox, access)
    assert headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    err, headers = rejected(sandbox, access)
    assert (err.policy, err.message) == ("DAILY", "You have reached your daily limit.")
    assert headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    assert rejected(sandbox, access, search=True)[0].policy == "DAILY"
    assert charge(sandbox, _oauth(portal))  # OAuth apps have no daily limit
    sandbox.clock.advance(2 * 3600 + 60)  # 00:01 UTC: a new day in UTC, still the 10th in New York
    assert rejected(sandbox, access)[0].policy == "DAILY"
    sandbox.clock.advance(4 * 3600)  # 00:01 EDT on the 11th
    assert charge(sandbox, access)["X-HubSpot-RateLimit-Daily-Remaining"] == "2"


def test_search_is_five_per_second_per_portal_without_headers(sandbox: Sandbox) -> None:
    portal = _portal(sandbox)
    private, oauth = _private(portal), _oauth(portal)
    for i in range(5):
        assert charge(sandbox, private if i % 2 else oauth, search=True) == {}
    err, headers = rejected(sandbox, oauth, search=True)
    assert err.policy == "SECONDLY" and err.message == "You have reached your secondly limit."
    assert headers == {}
    # search does not use the ten-second bucket
    assert charge(sandbox, private)["X-HubSpot-RateLimit-Remaining"] == "99"
    # another portal has its own search budget; the window rolls after 1 s * scale
    assert charge(sandbox, _private(_portal(sandbox)), search=True) == {}
    sandbox.clock.advance(0.5)
    assert charge(sandbox, private, search=True) == {}


def test_rate_limit_error_body_shape() -> None:
    body = RateLimitError("TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.").body(
        "c-1"
    )
    assert set(body) == {"status", "message", "errorType", "correlationId", "policyName", "requestId"}
    assert body["status"] == "error" and body["errorType"] == "RATE_LIMIT"
    assert body["correlationId"] == "c-1" and body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert len(body["requestId"]) == 36


# ------------------------------------------------------------------------------ end to end through a CRM route

pytest_anyio = pytest.mark.anyio


@pytest_anyio
async def test_e2e_headers_and_429(client: httpx.AsyncClient, crm_route: str, sandbox: Sandbox) -> None:
    portal = await create_portal(client)
    tokens = await install(client, await register_app(client), portal["portal_id"])
    auth: dict[str, Any] = {"Authorization": f"Bearer {tokens['access_token']}"}
    for i in range(110):
        r = await client.get(crm_route, headers=auth)
        assert r.status_code == 200, r.text
        assert r.headers["x-hubspot-ratelimit-remaining"] == str(109 - i)
    assert r.headers["x-hubspot-ratelimit-max"] == "110"
    assert r.headers["x-hubspot-ratelimit-interval-milliseconds"] == "5000"
    assert "x-hubspot-ratelimit-daily" not in r.headers
    r = await client.get(crm_route, headers=auth)
    assert r.status_code == 429
    body = r.json()
    assert body == {
        "status": "error",
        "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": r.headers["x-hubspot-correlation-id"],
        "policyName": "TEN_SECONDLY_ROLLING",
        "requestId": body["requestId"],
    }
    assert r.headers["x-hubspot-ratelimit-remaining"] == "0"
    private = {"Authorization": f"Bearer {portal['private_app_token']}"}
    r = await client.get(crm_route, headers=private)
    assert r.headers["x-hubspot-ratelimit-daily-remaining"] == "249999"
    sandbox.clock.advance(5)
    assert (await client.get(crm_route, headers=auth)).status_code == 200
