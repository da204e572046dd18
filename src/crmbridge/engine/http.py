"""The one path every request takes: pooled async httpx, rate limits first, retries with care.

Whether and when to send again is decided by :func:`.retry.decide`; this loop carries it out. A create
whose answer was lost is settled by the ``recover`` callback, which checks the CRM and either returns
what was created or says nothing was, and only then is the create sent again.
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

from ..errors import CrmBridgeError, OutcomeUnknown
from .ratelimit import RateLimiter, RateLimits, build_rate_limiter
from .request import build_request, query_scalar
from .retry import (
    RETRY_STATUSES,
    Answered,
    Failed,
    GiveUp,
    Outcome,
    RetryPolicy,
    Return,
    Settle,
    decide,
    may_have_applied,
)

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
        """Send until :func:`.retry.decide` says to stop: the last answer, a re-checked create, or a raise."""
        client = self.client()
        url = target.base_url.rstrip("/") + path
        if params:
            url += ("&" if "?" in path else "?") + _query_string(params)
        limits = self._limits(provider)
        uncertain = False  # an earlier attempt may have been applied
        attempt = 0
        while True:
            request = build_request(client, method, url, json)
            await self.rate_limiter.acquire(target.account_key, limits, request)
            response, outcome = await self._attempt(client, request, provider, target, limits)
            action = decide(
                outcome,
                attempt,
                method=method,
                idempotent=idempotent,
                uncertain=uncertain,
                can_recheck=recover is not None,
                policy=self.retry,
                crm=provider.display_name,
                rng=self._rng,
            )
            uncertain = uncertain or (idempotent and may_have_applied(outcome))
            if isinstance(action, Settle):
                assert recover is not None
                recovered = await _recheck(recover, action.what)
                if recovered is not None:
                    return recovered
                action = action.otherwise
            if isinstance(action, GiveUp):
                raise action.error from None
            if isinstance(action, Return):
                assert response is not None
                return response
            log.info("%s %s: %s, retrying in %.2fs", method, path, outcome, action.delay)
            await asyncio.sleep(action.delay)
            attempt += 1

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        request: httpx.Request,
        provider: Provider,
        target: CallTarget,
        limits: RateLimits,
    ) -> tuple[httpx.Response | None, Outcome]:
        """Send once and let the limiter learn from it; a retryable answer's body is read for its error."""
        try:
            response = await client.send(request, auth=target.auth)
        except httpx.TransportError as exc:
            # The attempt is over either way: let the limiter count it as answered now (an empty
            # response teaches it nothing else) instead of holding it as in flight.
            await self.rate_limiter.observe(
                target.account_key, limits, request, httpx.Response(0, request=request)
            )
            return None, Failed(exc)
        await self.rate_limiter.observe(target.account_key, limits, request, response)
        status = response.status_code
        error = provider.hooks.parse_error(response, None) if status in RETRY_STATUSES else None
        return response, Answered(status, error)

    def _limits(self, provider: Provider) -> RateLimits:
        if self._rate_limit_scale == 1.0:
            return provider.rate_limits
        scaled = self._scaled.get(provider.name)
        if scaled is None:
            scaled = self._scaled[provider.name] = provider.rate_limits.scaled(self._rate_limit_scale)
        return scaled


async def _recheck(recover: Recover, what: str) -> Recovered | None:
    """Find out whether a lost write happened; a re-check that fails leaves the outcome unknown."""
    try:
        return await recover()
    except OutcomeUnknown:
        raise
    except CrmBridgeError as exc:
        raise OutcomeUnknown(
            f"The write may or may not have been applied: {what}, and the re-check failed "
            f"({exc.message}). Check the CRM before trying again."
        ) from None
