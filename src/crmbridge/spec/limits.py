"""Rate limits as data: rolling windows and a daily budget spent by endpoint cost.

A provider declares its :class:`RateLimits`; the engine's limiter enforces them and learns the real numbers
from response headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import httpx

__all__ = ["DAY", "CostRule", "DailyBudget", "RateLimits", "Window"]

DAY = 86_400.0


@dataclass(frozen=True)
class Window:
    """At most ``limit`` requests per rolling ``seconds`` for the requests it applies to; headers may teach both."""

    name: str
    limit: int
    seconds: float
    path: str = ""  # regex searched in the URL path; "" applies to every request
    exclude: str = ""  # regex: matching requests are not counted here (search has its own window)
    limit_header: str = ""
    remaining_header: str = ""
    interval_ms_header: str = ""  # the window length, in milliseconds
    reset_header: str = ""  # seconds until the window frees up: how long to back off after a 429

    def matches(self, path: str) -> bool:
        included = not self.path or re.search(self.path, path)
        return bool(included and not (self.exclude and re.search(self.exclude, path)))


class CostRule(NamedTuple):
    """Requests whose path matches ``path`` (regex, searched) and whose method is in ``methods`` cost ``cost``."""

    cost: int
    path: str
    methods: str = ""  # space-separated; "" means any method


@dataclass(frozen=True)
class DailyBudget:
    """A daily allowance spent by request cost. Its size is only known from a header; unknown is not enforced."""

    remaining_header: str
    costs: tuple[CostRule, ...] = ()  # first match wins
    default_cost: int = 1
    exhausted_markers: tuple[str, ...] = ()  # lower-case text of a 429 body that means the budget is spent
    resets: str = "at midnight UTC"  # for messages; without a Retry-After the next UTC midnight is assumed

    def cost(self, request: httpx.Request) -> int:
        return _cost(self, request.method.upper(), request.url.path)


# Classifying a request runs a few regexes; agents call the same few paths over and over.
@lru_cache(maxsize=4096)
def _cost(budget: DailyBudget, method: str, path: str) -> int:
    fits = (
        r for r in budget.costs if (not r.methods or method in r.methods.split()) and re.search(r.path, path)
    )
    return next(fits, CostRule(budget.default_cost, "")).cost


@lru_cache(maxsize=4096)
def _windows_for(limits: RateLimits, method: str, path: str) -> tuple[Window, ...]:
    return tuple(w for w in limits.windows if w.matches(path))


@dataclass(frozen=True)
class RateLimits:
    """What one provider's limits look like; the defaults hold until response headers say otherwise."""

    provider: str
    label: str  # the CRM's name, for messages
    windows: tuple[Window, ...]
    daily: DailyBudget | None = None

    def windows_for(self, request: httpx.Request) -> tuple[Window, ...]:
        return _windows_for(self, request.method, request.url.path)

    def scaled(self, factor: float) -> RateLimits:
        """Windows ``factor`` times as long: matches a sandbox run with ``rate_window_scale=factor``."""
        return replace(self, windows=tuple(replace(w, seconds=w.seconds * factor) for w in self.windows))
