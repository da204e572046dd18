"""HubSpot's rate limits, charged by ``require_access`` on every authenticated CRM request.

Three budgets (reference §5), all on the sandbox clock:

* a ten-second rolling window per app per portal: 110 for OAuth apps, 100 or 190 for private apps by tier;
* a daily budget per portal for private apps only (OAuth has none), resetting at midnight in the portal's
  time zone;
* search: 5 requests per rolling second per portal, outside the ten-second window and without headers.

A rejected request is not counted. Windows shrink with ``ctx.rate_window_scale``; the daily budget does not.
"""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request

from .errors import HubSpotError

if TYPE_CHECKING:
    from ..context import SandboxContext
    from .auth import Access
    from .store import Portal


@dataclass(frozen=True, slots=True)
class Budget:
    ten_seconds: int
    daily: int | None  # None: no daily limit (OAuth apps)


OAUTH_BUDGET = Budget(110, None)
#: Private apps by portal tier (without the API Limit Increase add-on).
PRIVATE_BUDGETS: dict[str, Budget] = {
    "free": Budget(100, 250_000),
    "starter": Budget(100, 250_000),
    "professional": Budget(190, 625_000),
    "enterprise": Budget(190, 1_000_000),
}
SEARCH_PER_SECOND = 5
TEN_SECONDS = 10.0
ONE_SECOND = 1.0


class RateLimitError(HubSpotError):
    """HubSpot's 429 body, which has ``errorType``/``policyName``/``requestId`` and no ``category``."""

    def __init__(self, policy: str, message: str) -> None:
        super().__init__(429, "RATE_LIMITS", message)
        self.policy = policy

    def body(self, cid: str) -> dict[str, Any]:
        return {
            "status": "error",
            "message": self.message,
            "errorType": "RATE_LIMIT",
            "correlationId": cid,
            "policyName": self.policy,
            "requestId": str(uuid.uuid4()),
        }


def _daily_limit() -> RateLimitError:
    return RateLimitError("DAILY", "You have reached your daily limit.")


def budget_for(access: Access) -> Budget:
    if access.kind == "oauth":
        return OAUTH_BUDGET
    return PRIVATE_BUDGETS.get(access.portal.tier, PRIVATE_BUDGETS["starter"])


def portal_day(portal: Portal, now: float) -> date:
    """The calendar day in the portal's own time zone (daily budgets reset at its midnight)."""
    try:
        zone = ZoneInfo(portal.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.fromtimestamp(now, zone).date()


class _Window:
    """Timestamps of the requests accepted in the last ``length`` seconds."""

    def __init__(self) -> None:
        self.times: deque[float] = deque()

    def used(self, now: float, length: float) -> int:
        while self.times and self.times[0] <= now - length:
            self.times.popleft()
        return len(self.times)


class HubSpotLimiter:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self._burst: dict[tuple[int, str], _Window] = {}
        self._search: dict[int, _Window] = {}
        self._daily: dict[int, tuple[date, int]] = {}

    def _daily_used(self, portal: Portal, now: float) -> int:
        day, used = self._daily.get(portal.id, (None, 0))
        return used if day == portal_day(portal, now) else 0

    def charge(self, request: Request, access: Access, *, search: bool) -> None:
        """Count the request or raise the 429; queue the rate-limit headers for non-search responses."""
        now = self.ctx.clock.now()
        portal = access.portal
        budget = budget_for(access)
        daily_used = self._daily_used(portal, now)
        if search:
            if budget.daily is not None and daily_used >= budget.daily:
                raise _daily_limit()
            self._charge_search(portal.id, now)
        else:
            self._charge_burst(request, access, budget, now, daily_used)
        if budget.daily is not None:
            self._daily[portal.id] = (portal_day(portal, now), daily_used + 1)

    def _charge_search(self, portal_id: int, now: float) -> None:
        # Search responses carry no rate-limit headers, even when rejected; search does count towards a
        # private app's daily budget (every API call does).
        window = self._search.setdefault(portal_id, _Window())
        if window.used(now, ONE_SECOND * self.ctx.rate_window_scale) >= SEARCH_PER_SECOND:
            raise RateLimitError("SECONDLY", "You have reached your secondly limit.")
        window.times.append(now)

    def _charge_burst(
        self, request: Request, access: Access, budget: Budget, now: float, daily_used: int
    ) -> None:
        length = TEN_SECONDS * self.ctx.rate_window_scale
        window = self._burst.setdefault((access.portal.id, access.client_id or "private-app"), _Window())
        used = window.used(now, length)
        headers: dict[str, str] = request.scope.setdefault("sandbox", {}).setdefault("headers", {})
        headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = str(round(length * 1000))
        headers["X-HubSpot-RateLimit-Max"] = str(budget.ten_seconds)
        if budget.daily is not None:
            headers["X-HubSpot-RateLimit-Daily"] = str(budget.daily)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(max(0, budget.daily - daily_used))
            if daily_used >= budget.daily:
                headers["X-HubSpot-RateLimit-Remaining"] = str(max(0, budget.ten_seconds - used))
                raise _daily_limit()
        if used >= budget.ten_seconds:
            headers["X-HubSpot-RateLimit-Remaining"] = "0"
            raise RateLimitError("TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
        window.times.append(now)
        headers["X-HubSpot-RateLimit-Remaining"] = str(budget.ten_seconds - used - 1)
        if budget.daily is not None:
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(budget.daily - daily_used - 1)
