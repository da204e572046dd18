"""The one path every request takes: pooled async httpx, rate limits first, retries with care.

Reads and idempotent writes are retried on 429 / 423 / 5xx / transport errors, with backoff, jitter
and ``Retry-After``. A create whose answer was lost (timeout or reset after sending, or a 5xx that may
have been applied) is never blindly sent again: the ``recover`` callback checks the CRM and either
returns what was created or says nothing was, and only then is the create retried.
"""

from __future__ import annotations

import asyncio
import logging
import random
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from ..errors import CrmBridgeError, NotFound, OutcomeUnknown, ProviderUnavailable, RateLimited
from .ratelimit import RateLimiter, RateLimits, build_rate_limiter
from .request import query_scalar
from .retry import NOT_APPLIED_STATUSES, RETRY_STATUSES, RetryPolicy, ambiguous

if TYPE_CHECKING:
    from ..spec import Provider
    from .context import CallTarget

__all__ = ["HttpCore", "Recovered"]

log = logging.getLogger("crmbridge.engine")


@dataclass(frozen=True, slots=True)
class Recovered:
    """A create that was applied although its answer was lost: the record found by the re-check."""

    record: Any


#: ``recover()`` → ``Recovered`` (it was applied), ``None`` (it was not: safe to resend), or raises
#: ``OutcomeUnknown``.
Recover = Callable[[], Awaitable[Recovered | None]]


def _query_string(params: dict[str, Any]) -> str:
    """Encode the query once, here: httpx merging a params dict into a URL costs more than the rest
    of our per-call work. Lists repeat the key, as httpx would; commas stay readable."""
    pairs = [
        (key, query_scalar(item))
        for key, value in params.items()
        if value is not None
        for item in (value if isinstance(value, list | tuple) else [value])
    ]
    return urlencode(pairs, safe=",:")


class HttpCore:
    """Owns the connection pools (one ``AsyncClient`` per event loop) and the rate limiter."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        rate_limiter: RateLimiter | None = None,
        redis_url: str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        rng: random.Random | None = None,
        rate_limit_scale: float = 1.0,
    ) -> None:
        self._transport = transport
        # A sandbox run with rate-limit windows N times shorter gets client-side windows to match;
        # headers teach limits but not every window length (Pipedrive's reset is whole seconds).
        self._rate_limit_scale = rate_limit_scale
        self._scaled: dict[str, RateLimits] = {}
        self._timeout = timeout
        self.rate_limiter = rate_limiter or build_rate_limiter(redis_url)
        self.retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    def client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = httpx.AsyncClient(
                transport=self._transport,
                timeout=self._timeout,
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
                headers={"user-agent": "crmbridge"},
            )
            self._clients[loop] = client
        return client

    async def aclose(self) -> None:
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()
        await self.rate_limiter.aclose()

    async def send(
        self,
        provider: Provider,
        target: CallTarget,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool,
        recover: Recover | None = None,
    ) -> httpx.Response | Recovered:
        client = self.client()
        url = target.base_url.rstrip("/") + path
        if params:
            url += ("&" if "?" in path else "?") + _query_string(params)
        limits = self._limits(provider)
        policy = self.retry
        last: httpx.Response | None = None
        uncertain = False  # an earlier attempt may have been applied
        for attempt in range(policy.max_attempts):
            request = client.build_request(method, url, json=json)
            await self.rate_limiter.acquire(target.account_key, limits, request)
            try:
                response = await client.send(request, auth=target.auth)
            except httpx.HTTPError as exc:
                if not isinstance(exc, httpx.TransportError):
                    raise
                # The attempt is over either way: let the limiter count it as answered now (an
                # empty response teaches it nothing else) instead of holding it as in flight.
                await self.rate_limiter.observe(
                    target.account_key, limits, request, httpx.Response(0, request=request)
                )
                kind = type(exc).__name__
                if ambiguous(exc) and not idempotent:
                    outcome = await self._settle(recover, f"the connection failed ({kind}) after sending")
                    if outcome is not None:
                        return outcome
                elif ambiguous(exc):
                    uncertain = True
                log.info("%s %s: %s, attempt %d", method, path, kind, attempt + 1)
                if attempt + 1 == policy.max_attempts:
                    raise ProviderUnavailable(
                        f"{provider.display_name} did not answer ({kind}) after {policy.max_attempts} attempts.",
                        retry_after=policy.max_delay,
                    ) from None
                await asyncio.sleep(policy.delay(attempt, rng=self._rng))
                continue
            await self.rate_limiter.observe(target.account_key, limits, request, response)
            status = response.status_code
            if status not in RETRY_STATUSES:
                if uncertain and method == "DELETE" and status in (404, 410):
                    # Gone now, but was it this call? An earlier attempt's answer was lost: it may have
                    # deleted the record, or the id never existed. Say both, claim neither.
                    raise NotFound(
                        "No record with this id exists now. An earlier attempt's answer was lost, so this "
                        "call may have deleted it, or the id was wrong; check the id before trying again.",
                        status=status,
                        maybe_deleted=True,
                    )
                return response
            last = response
            error = provider.hooks.parse_error(response, None)
            if isinstance(error, RateLimited) and error.details.get("policy") == "DAILY":
                return response  # the daily budget: waiting inside a tool call will not help
            if status not in NOT_APPLIED_STATUSES:
                if not idempotent:
                    outcome = await self._settle(recover, f"{provider.display_name} answered {status}")
                    if outcome is not None:
                        return outcome
                else:
                    uncertain = True
            if attempt + 1 == policy.max_attempts:
                break
            wait = policy.delay(attempt, error.details.get("retry_after"), rng=self._rng)
            if wait > policy.max_retry_after:
                break
            log.info("%s %s: %d, retrying in %.2fs", method, path, status, wait)
            await asyncio.sleep(wait)
        assert last is not None
        return last

    def _limits(self, provider: Provider) -> RateLimits:
        if self._rate_limit_scale == 1.0:
            return provider.rate_limits
        scaled = self._scaled.get(provider.name)
        if scaled is None:
            scaled = self._scaled[provider.name] = provider.rate_limits.scaled(self._rate_limit_scale)
        return scaled

    async def _settle(self, recover: Recover | None, what: str) -> Recovered | None:
        """Find out whether a lost create happened; raise ``OutcomeUnknown`` when nobody can tell."""
        if recover is None:
            raise OutcomeUnknown(
                f"The write may or may not have been applied: {what}. It was not retried, to avoid a "
                "duplicate; check the CRM before trying again."
            )
        try:
            return await recover()
        except OutcomeUnknown:
            raise
        except CrmBridgeError as exc:
            raise OutcomeUnknown(
                f"The write may or may not have been applied: {what}, and the re-check failed "
                f"({exc.message}). Check the CRM before trying again."
            ) from None
