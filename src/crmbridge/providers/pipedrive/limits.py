"""Pipedrive's rate limits (reference pipedrive-api: the 2-second burst, search, the daily token budget)."""

from __future__ import annotations

from ...spec import CostRule, DailyBudget, RateLimits, Window

__all__ = ["PIPEDRIVE_LIMITS"]

_PD_SEARCH = r"/search(/|$)|itemSearch"
_ONE = r"/(\d+|[0-9a-fA-F-]{36})$"  # one record: a numeric id or a lead's UUID
_PD_COSTS = (  # daily-budget tokens per request (reference §13; the sandbox charges the same)
    CostRule(40, r"/v1/.*(" + _PD_SEARCH + r")|/v1/users/find$|/v1/leads/archived$|/convert/"),
    CostRule(20, r"/api/v2/.*(" + _PD_SEARCH + r")|/api/v2/deals/archived$"),
    CostRule(2, r"/v1/.*" + _ONE + r"|/v1/users/me$", "GET"),
    CostRule(20, r"/v1/", "GET"),
    CostRule(6, r"/v1/.*" + _ONE, "DELETE"),
    CostRule(10, r"/v1/"),  # create, update, delete many
    CostRule(1, r"/api/v2/.*" + _ONE + r"|/api/v2/\w+Fields/[^/]+$", "GET"),
    CostRule(5, r"/api/v2/(pipelines|stages)$", "GET"),
    CostRule(10, r"/api/v2/", "GET"),
    CostRule(5, r"/api/v2/", "POST PUT PATCH"),
    CostRule(3, r"/api/v2/", "DELETE"),
)
_PD = {"limit_header": "x-ratelimit-limit", "remaining_header": "x-ratelimit-remaining",
       "reset_header": "x-ratelimit-reset"}  # fmt: skip
PIPEDRIVE_LIMITS = RateLimits(
    "pipedrive", "Pipedrive",
    windows=(  # per token; the burst default is the lowest plan's (Lite, API token) until headers say more
        Window("burst", 20, 2.0, exclude=_PD_SEARCH, **_PD),
        Window("search", 10, 2.0, path=_PD_SEARCH, **_PD),
    ),
    daily=DailyBudget("x-daily-ratelimit-token-remaining", _PD_COSTS, default_cost=10,
                      exhausted_markers=("daily request budget", "daily limit"),
                      resets="at midnight Pipedrive server time"),
)  # fmt: skip
