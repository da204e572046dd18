"""When to try a request again, and how long to wait first."""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

__all__ = ["RetryPolicy", "ambiguous", "not_sent"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped; a server's ``Retry-After`` wins when it is longer.

    ``max_retry_after`` bounds how long one call may sleep on the CRM's say-so: past it the caller gets
    ``RateLimited`` with ``retry_after`` instead of a hung tool call.
    """

    max_attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 8.0
    max_retry_after: float = 30.0

    def delay(
        self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        backoff = min(self.max_delay, self.base_delay * (2**attempt))
        jittered = (rng or random).uniform(backoff / 2, backoff)
        return max(jittered, retry_after or 0.0)


#: Statuses worth another try: the CRM did not (or may not have) done the work and may later.
RETRY_STATUSES = frozenset({423, 429, 500, 502, 503, 504})
#: Of those, the ones that prove the request was not applied.
NOT_APPLIED_STATUSES = frozenset({423, 429, 503})


def not_sent(exc: httpx.HTTPError) -> bool:
    """The request never reached the CRM, so even a create can be retried."""
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def ambiguous(exc: httpx.HTTPError) -> bool:
    """The request may have been applied but its answer was lost."""
    return isinstance(exc, httpx.TransportError) and not not_sent(exc)
