"""The Notes API allows 10 requests a second per key; the engine waits rather than meet a 429."""

from __future__ import annotations

from crmbridge.spec import RateLimits, Window

NOTES_LIMITS = RateLimits(
    provider="notes",
    label="Notes CRM",
    windows=(Window("per-second", 10, 1.0),),
)
