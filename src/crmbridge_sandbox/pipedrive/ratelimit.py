"""Pipedrive rate limits: a rolling 2-second burst window per token and a daily token budget per company.

Every authenticated request passes :meth:`PipedriveLimiter.charge` (from ``require_access``); the
:class:`RateLimitHeaders` middleware then writes the ``x-ratelimit-*`` headers the charge computed onto the
response, whatever its status. Rejected (429) requests count against neither limit.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.datastructures import MutableHeaders, State
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from .auth import BareError
from .errors import PipedriveError

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from ..context import SandboxContext
    from .auth import PdAccess
    from .store import Company

#: Requests per rolling window, by (plan, auth kind).
BURST: dict[tuple[str, str], int] = {
    ("lite", "api_token"): 20,
    ("lite", "oauth"): 80,
    ("growth", "api_token"): 40,
    ("growth", "oauth"): 160,
    ("premium", "api_token"): 100,
    ("premium", "oauth"): 400,
    ("ultimate", "api_token"): 120,
    ("ultimate", "oauth"): 480,
}
#: The search endpoints' own window, on every plan and auth kind.
SEARCH_BURST = 10
WINDOW_SECONDS = 2.0
DAILY_BASE_TOKENS = 30_000
PLAN_MULTIPLIER: dict[str, int] = {"lite": 1, "growth": 2, "premium": 5, "ultimate": 7}
#: The 2019 fair-use count of POST/PUT per API token per day, still reported in ``x-daily-requests-left``.
DAILY_WRITES = 10_000
DAY = 86_400
#: Scope key of the per-request dict the charge fills and the middleware reads.
HEADERS_KEY = "pipedrive.ratelimit_headers"


@dataclass(slots=True)
class _Tally:
    """A count that belongs to one UTC day (day number since the epoch) and restarts on the next."""

    day: int
    used: int = 0


def _seconds(value: float) -> str:
    """Whole seconds, rounded up, never 0 while something is pending."""
    return str(max(1, math.ceil(value - 1e-9)))


class PipedriveLimiter:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self._hits: dict[tuple[str, bool], deque[float]] = {}  # (token, search?) -> request times
        self._daily: dict[int, _Tally] = {}  # company id -> tokens spent today
        self._writes: dict[str, _Tally] = {}  # api token -> POST/PUT today

    @property
    def window(self) -> float:
        return WINDOW_SECONDS * self.ctx.rate_window_scale

    def daily_budget(self, company: Company) -> int:
        return DAILY_BASE_TOKENS * PLAN_MULTIPLIER.get(company.plan, 1) * max(0, company.seats)

    def _tally(self, book: dict[int, _Tally], key: int) -> _Tally:
        today = int(self.ctx.clock.now() // DAY)
        tally = book.get(key)
        if tally is None or tally.day != today:
            tally = book[key] = _Tally(today)
        return tally

    def used_today(self, company: Company) -> int:
        return self._tally(self._daily, company.id).used

    def spend(self, company: Company, tokens: int) -> None:
        """Spend daily budget outside any request (tests use it to bring a company near its limit)."""
        self._tally(self._daily, company.id).used += tokens

    def charge(self, request: Request, access: PdAccess, *, cost: int, search: bool) -> None:
        now = self.ctx.clock.now()
        window = self.window
        hits = self._hits.setdefault((access.token, search), deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        limit = SEARCH_BURST if search else BURST.get((access.company.plan, access.kind), 20)
        daily = self._tally(self._daily, access.company.id)
        budget = self.daily_budget(access.company)
        headers: dict[str, str] = request.scope.get(HEADERS_KEY, {})
        headers["x-daily-ratelimit-token-limit"] = str(budget)
        headers["x-ratelimit-limit"] = str(limit)
        if daily.used + cost > budget:
            midnight = (daily.day + 1) * DAY
            headers["x-daily-ratelimit-token-remaining"] = str(max(0, budget - daily.used))
            headers["retry-after"] = _seconds(midnight - now)
            self._burst_headers(headers, hits, limit, now, window)
            raise BareError(429, "daily request budget exceeded", info=False)
        if len(hits) >= limit:
            headers["x-daily-ratelimit-token-remaining"] = str(budget - daily.used)
            self._burst_headers(headers, hits, limit, now, window)
            headers["retry-after"] = headers["x-ratelimit-reset"]
            raise PipedriveError(429, "Request over limit")
        hits.append(now)
        daily.used += cost
        headers["x-daily-ratelimit-token-remaining"] = str(budget - daily.used)
        self._burst_headers(headers, hits, limit, now, window)
        if access.kind == "api_token":
            writes = self._writes.setdefault(access.token, _Tally(daily.day))
            if writes.day != daily.day:
                writes.day, writes.used = daily.day, 0
            if request.method in ("POST", "PUT"):
                writes.used += 1
            headers["x-daily-requests-left"] = str(max(0, DAILY_WRITES - writes.used))

    @staticmethod
    def _burst_headers(
        headers: dict[str, str], hits: deque[float], limit: int, now: float, window: float
    ) -> None:
        headers["x-ratelimit-remaining"] = str(max(0, limit - len(hits)))
        headers["x-ratelimit-reset"] = _seconds((hits[0] + window - now) if hits else window)


class RateLimitHeaders:
    """ASGI wrapper around the Pipedrive Starlette app that adds the headers a charge left in the scope.

    ``state`` forwards to the wrapped app, so ``PipedriveSandbox.app.state.pipedrive`` keeps working.
    """

    def __init__(self, app: Starlette) -> None:
        self.inner = app

    @property
    def state(self) -> State:
        return self.inner.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        pending: dict[str, str] = {}
        scope[HEADERS_KEY] = pending

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and pending:
                message["headers"] = list(message.get("headers", []))
                headers = MutableHeaders(scope=message)
                for name, value in pending.items():
                    headers[name] = value
            await send(message)

        await self.inner(scope, receive, send_with_headers)
