"""One delivery as a durable workflow: attempt, record the outcome, sleep out the backoff, again.

Each attempt is a checkpointed step that reads the delivery and the endpoint afresh (a new URL or a
rotated secret applies to the next attempt), POSTs the stored payload signed with the current time, and
records the outcome in the same step, so the history a tenant sees is the history that happened. A
crash between the POST and the checkpoint repeats the POST: receivers dedupe on the delivery id.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from typing import Any

import httpx

from ..durable import DurableContext
from ..store import Store
from .backoff import Backoff
from .signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign

__all__ = ["WORKFLOW", "Deliverer", "body_of"]

WORKFLOW = "crmbridge.webhooks.deliver"
USER_AGENT = "crmbridge-webhooks/1"
_MAX_ERROR = 300


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent for a payload: compact JSON with sorted keys, the same on every retry."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


class Deliverer:
    """Runs delivery workflows against the store; registered with the durable runner by ``Webhooks``."""

    def __init__(
        self,
        store: Store,
        backoff: Backoff,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.backoff = backoff
        self.timeout = timeout
        self.transport = transport

    async def workflow(self, ctx: DurableContext, tenant_id: str, delivery_id: str) -> str:
        while True:
            outcome: dict[str, Any] = await ctx.step("webhooks.attempt", self.attempt, tenant_id, delivery_id)
            wait = outcome.get("retry_in")
            if wait is None:
                return str(outcome["status"])
            await ctx.sleep(float(wait))

    async def attempt(self, tenant_id: str, delivery_id: str) -> dict[str, Any]:
        """One POST of the delivery, recorded; says whether and when to try again."""
        repo = self.store.webhooks
        delivery = await asyncio.to_thread(repo.get_delivery, tenant_id, delivery_id)
        if delivery is None or delivery.status != "pending":
            return {"status": "missing" if delivery is None else delivery.status, "retry_in": None}
        endpoint = await asyncio.to_thread(repo.get_endpoint, tenant_id)
        if endpoint is None or delivery.event not in endpoint.events:
            reason = "the webhook endpoint was removed" if endpoint is None else "no longer subscribed"
            await asyncio.to_thread(repo.finish, tenant_id, delivery_id, "failed", reason)
            return {"status": "failed", "retry_in": None}
        body = body_of(delivery.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(endpoint.secret, body),
            DELIVERY_HEADER: delivery.id,
            EVENT_HEADER: delivery.event,
        }
        at = repo.now()
        started = time.perf_counter()
        status_code: int | None = None
        error: str | None = None
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout, transport=self.transport, follow_redirects=False
            ) as client:
                response = await client.post(endpoint.url, content=body, headers=headers)
            status_code = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
        duration_ms = round((time.perf_counter() - started) * 1000)
        ok = status_code is not None and 200 <= status_code < 300
        retry_in: float | None = None
        next_at = None
        if ok:
            outcome = "delivered"
        else:
            retry_in = self.backoff.delay(delivery.attempts + 1)
            next_at = at + timedelta(seconds=retry_in)
            in_window = (next_at - delivery.created_at).total_seconds() <= self.backoff.window
            outcome = "retry" if in_window else "failed"
            if not in_window:
                retry_in, next_at = None, None
        await asyncio.to_thread(
            lambda: repo.record_attempt(
                tenant_id,
                delivery_id,
                at=at,
                status_code=status_code,
                error=error,
                duration_ms=duration_ms,
                outcome=outcome,  # type: ignore[arg-type]
                next_attempt_at=next_at,
            )
        )
        return {"status": "pending" if outcome == "retry" else outcome, "retry_in": retry_in}
