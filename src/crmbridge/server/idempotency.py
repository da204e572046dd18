"""``Idempotency-Key`` on POSTs that write, as Stripe has it: the same key and body within the retention
window give the first answer back without running again, on any worker; the same key with another body
is refused with 422.

Answers of requests that may succeed if tried again (5xx, or a tool result that says ``retryable``) are
not kept: the claim is released, so retrying with the same key really retries. A request that arrives
while the first is still running waits briefly for its answer, then gets 409 (retryable).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from ..core.tenants import Principal
from ..errors import CrmBridgeError
from .problems import from_error, problem, problem_response
from .service import service_of

__all__ = ["IDEMPOTENCY_HEADER", "idempotent"]

IDEMPOTENCY_HEADER = "Idempotency-Key"
_MAX_KEY = 255
_WAIT_FOR_RUNNING = 10.0

Action = Callable[[], Awaitable[tuple[int, Any]]]


def _retry_worthy(status: int, body: Any) -> bool:
    if status >= 500:
        return True
    if isinstance(body, dict) and body.get("ok") is False:
        error = body.get("error") or {}
        return bool(error.get("retryable"))
    return False


async def idempotent(request: Request, principal: Principal, action: Action) -> JSONResponse:
    """Run ``action`` (which returns ``(status, body)``) at most once per ``Idempotency-Key``."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        status, body, rendered = await _answer(action)
        return _json(status, body, rendered=rendered)
    if not key.strip() or len(key) > _MAX_KEY:
        return problem_response(
            problem(
                400,
                "invalid_idempotency_key",
                f"{IDEMPOTENCY_HEADER} must be 1-{_MAX_KEY} characters (a UUID is a good choice).",
            )
        )
    raw = await request.body()
    fingerprint = hashlib.sha256(
        b"\x1f".join((request.method.encode(), request.url.path.encode(), _canonical(raw)))
    ).hexdigest()
    service = service_of(request)
    repo = service.runtime.store.idempotency
    ttl = timedelta(hours=service.settings.idempotency_hours)
    waited = 0.0
    delay = 0.05
    while True:
        kept = await asyncio.to_thread(repo.claim, principal.tenant_id, key, fingerprint, ttl)
        if kept.outcome != "running" or waited >= _WAIT_FOR_RUNNING:
            break
        await asyncio.sleep(delay)
        waited += delay
        delay = min(delay * 2, 1.0)
    if kept.outcome == "mismatch":
        return problem_response(
            problem(
                422,
                "idempotency_key_reused",
                f"This {IDEMPOTENCY_HEADER} was used with another request (a different route or body) "
                "in the last 24 hours; use a new key for a new request.",
            )
        )
    if kept.outcome == "running":
        return problem_response(
            problem(
                409,
                "idempotency_key_in_use",
                f"A request with this {IDEMPOTENCY_HEADER} is still running; retry shortly for its answer.",
                retryable=True,
            ),
            {"Retry-After": "1"},
        )
    if kept.outcome == "replay":
        assert kept.status is not None and kept.body is not None
        return _json(kept.status, json.loads(kept.body), replayed=True)
    try:
        status, body, rendered = await _answer(action)
    except BaseException:
        await asyncio.to_thread(repo.release, principal.tenant_id, key)
        raise
    if _retry_worthy(status, body):
        await asyncio.to_thread(repo.release, principal.tenant_id, key)
    else:
        await asyncio.to_thread(repo.finish, principal.tenant_id, key, status, json.dumps(body))
    return _json(status, body, rendered=rendered)


async def _answer(action: Action) -> tuple[int, Any, bytes]:
    """The action's answer as plain JSON types and as the response's bytes; our errors become their
    problem+json answer (kept like any other)."""
    try:
        status, body = await action()
    except CrmBridgeError as exc:
        body = from_error(exc)
        return exc.http_status, body, _render(body)
    try:  # already plain JSON (a tool's result, most answers): no walk through jsonable_encoder
        return status, body, _render(body)
    except TypeError:  # models, dataclasses, datetimes...: encoded as FastAPI would
        body = jsonable_encoder(body, by_alias=True)
        return status, body, _render(body)


def _render(body: Any) -> bytes:
    """The bytes ``JSONResponse`` sends for ``body`` (same settings)."""
    return json.dumps(body, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def _canonical(raw: bytes) -> bytes:
    """The body with formatting differences removed, so a re-serialised retry still matches."""
    try:
        return json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        return raw


class _RenderedJSON(JSONResponse):
    """A JSON response whose bytes were rendered already (no JSON body is ``bytes``)."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


def _json(status: int, body: Any, *, replayed: bool = False, rendered: bytes | None = None) -> JSONResponse:
    media = (
        "application/problem+json" if isinstance(body, dict) and "type" in body and "status" in body else None
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    content = body if rendered is None else rendered
    return _RenderedJSON(content, status_code=status, headers=headers, media_type=media)
