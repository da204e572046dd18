"""The one path every request takes: pooled async httpx, rate limits first, retries with care.

Whether and when to send again is decided by :func:`.retry.decide`; this loop carries it out. A create
whose answer was lost is settled by the ``recover`` callback, which checks the CRM and either returns
what was created or says nothing was, and only then is the create sent again. A call's ``Deadline``
bounds every attempt, pause and rate-limit wait (``docs/decisions/012-g6-deadlines.md``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from ..errors import CrmBridgeError, DeadlineExceeded, OutcomeUnknown
from .deadline import Deadline
from .ratelimit import RateLimiter, RateLimits, Sleep, build_rate_limiter
from .request import build_request, query_scalar
from .retry import (
    RETRY_STATUSES,
    Answered,
    Failed,
    GiveUp,
    Outcome,
    Retry,
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

#: Under a deadline, each attempt's httpx timeout is what is left; this wall-clock bound, slightly later,
#: holds for transports that enforce no timeout (ASGI, mocks) and for servers that trickle bytes.
_BACKSTOP_GRACE = 0.05


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
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """``timeout``: seconds for each attempt (never more than a call's deadline leaves); ``sleep``
        waits between attempts (a test's fake clock can stand in)."""
        self._transport = transport
        # A sandbox run with rate-limit windows N times shorter gets client-side windows to match;
        # headers teach limits but not every window length (Pipedrive's reset is whole seconds).
        self._rate_limit_scale = rate_limit_scale
        self._scaled: dict[str, RateLimits] = {}
        self._timeout = timeout
        self.rate_limiter = rate_limiter or build_rate_limiter(redis_url)
        self.retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def timeout(self) -> float:
        """Seconds each attempt may take at most."""
        return self._timeout

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

    async def close_pool(self) -> None:
        """Close the running loop's connection pool only (another loop's calls keep theirs)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    async def aclose(self) -> None:
        await self.close_pool()
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
        deadline: Deadline | None = None,
    ) -> httpx.Response | Recovered:
        """Send until :func:`.retry.decide` says to stop: the last answer, a re-checked create, or a raise.
        ``deadline``: the call's; no attempt, pause or rate-limit wait outlasts it."""
        client = self.client()
        url = target.base_url.rstrip("/") + path
        if params:
            url += ("&" if "?" in path else "?") + _query_string(params)
        limits = self._limits(provider)
        request_line = f"{method} {path}"
        uncertain = False  # an earlier attempt may have been applied
        attempt = 0
        if deadline is not None and deadline.remaining() <= 0:
            raise deadline.exceeded(f"{request_line} was not sent", request=request_line)
        while True:
            request = build_request(client, method, url, json)
            await self.rate_limiter.acquire(target.account_key, limits, request, deadline=deadline)
            response, outcome = await self._attempt(client, request, provider, target, limits, deadline)
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
                deadline=deadline,
            )
            uncertain = uncertain or (idempotent and may_have_applied(outcome))
            if isinstance(action, Settle):
                assert recover is not None
                what = action.what
                recovered = await _recheck(recover, what)
                if recovered is not None:
                    return recovered
                action = action.otherwise
                if isinstance(action, Retry) and not self._fits(action.delay, deadline):
                    assert deadline is not None
                    absent = f"The write was not applied ({what}, and a re-check found nothing)"
                    raise deadline.exceeded(absent, request=request_line)
            if isinstance(action, GiveUp):
                error = action.error
                if isinstance(error, DeadlineExceeded):
                    error = error.with_details(request=request_line)
                raise error from None
            if isinstance(action, Return):
                assert response is not None
                return response
            log.info("%s: %s, retrying in %.2fs", request_line, outcome, action.delay)
            await self._sleep(action.delay)
            attempt += 1

    def _fits(self, pause: float, deadline: Deadline | None) -> bool:
        """A pause and then an attempt still fit in what the deadline leaves."""
        return deadline is None or pause + self.retry.min_attempt <= deadline.remaining()

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        request: httpx.Request,
        provider: Provider,
        target: CallTarget,
        limits: RateLimits,
        deadline: Deadline | None,
    ) -> tuple[httpx.Response | None, Outcome]:
        """Send once and let the limiter learn from it; a retryable answer's body is read for its error.
        Under a deadline the attempt ends when it does, answered or not."""
        bound = None
        if deadline is not None:
            left = deadline.remaining()
            request.extensions["timeout"] = httpx.Timeout(min(self._timeout, left)).as_dict()
            bound = None if math.isinf(left) else left + _BACKSTOP_GRACE
        try:
            async with asyncio.timeout(bound):
                response = await client.send(request, auth=target.auth)
        except (httpx.TransportError, TimeoutError) as caught:
            exc = (
                caught
                if isinstance(caught, httpx.TransportError)
                else httpx.ReadTimeout("no answer before the call's deadline", request=request)
            )
            # The attempt is over either way: let the limiter count it as answered now (an empty
            # response teaches it nothing else) instead of holding it as in flight.
            await self._observe(target, limits, request, httpx.Response(0, request=request))
            return None, Failed(exc)
        await self._observe(target, limits, request, response)
        status = response.status_code
        error = provider.hooks.parse_error(response, None) if status in RETRY_STATUSES else None
        return response, Answered(status, error)

    async def _observe(
        self, target: CallTarget, limits: RateLimits, request: httpx.Request, response: httpx.Response
    ) -> None:
        """Let the limiter learn from an answer. The request has been sent: whatever happens to the
        limiter (its Redis gone, a bug), the CRM's answer, perhaps a create it applied, is kept."""
        try:
            await self.rate_limiter.observe(target.account_key, limits, request, response)
        except Exception as exc:
            log.warning(
                "the rate limiter could not record an answer (%s); the answer is kept", type(exc).__name__
            )

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
    except DeadlineExceeded as exc:
        seconds = exc.details.get("deadline")
        raise OutcomeUnknown(
            f"The write may or may not have been applied: {what}, and this call's {seconds:g} s deadline "
            "ran out during the re-check. Check the CRM before trying again.",
            deadline=seconds,
        ) from None
    except CrmBridgeError as exc:
        raise OutcomeUnknown(
            f"The write may or may not have been applied: {what}, and the re-check failed "
            f"({exc.message}). Check the CRM before trying again."
        ) from None
