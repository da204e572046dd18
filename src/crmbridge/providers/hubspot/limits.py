"""HubSpot's rate limits (reference hubspot-api: the ten-second window, search at 5/s, the daily limit)."""

from __future__ import annotations

from ...spec import DailyBudget, RateLimits, Window

__all__ = ["HUBSPOT_LIMITS"]

_HS_SEARCH = r"/search$"
_HS = "X-HubSpot-RateLimit-"
HUBSPOT_LIMITS = RateLimits(
    "hubspot", "HubSpot",
    windows=(
        Window("ten_secondly", 100, 10.0, exclude=_HS_SEARCH, limit_header=_HS + "Max",
               remaining_header=_HS + "Remaining", interval_ms_header=_HS + "Interval-Milliseconds"),
        Window("search", 5, 1.0, path=_HS_SEARCH),  # search answers carry no rate-limit headers
    ),
    # Private apps only: OAuth answers carry no Daily headers, and OAuth apps have no daily limit.
    daily=DailyBudget(_HS + "Daily-Remaining", exhausted_markers=('"daily"', "daily limit"),
                      resets="at midnight in the portal's time zone"),
)  # fmt: skip
