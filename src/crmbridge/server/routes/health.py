"""``/healthz`` (the process answers) and ``/readyz`` (its database — and Redis, when configured — do)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ..service import service_of

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


_READINESS = {
    "type": "object",
    "required": ["status", "checks"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "unavailable"]},
        "checks": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


@router.get(
    "/readyz",
    responses={
        200: {"description": "Ready", "content": {"application/json": {"schema": _READINESS}}},
        503: {
            "description": "The database or Redis is unreachable",
            "content": {"application/json": {"schema": _READINESS}},
        },
    },
)
async def readyz(request: Request) -> JSONResponse:
    runtime = service_of(request).runtime
    checks: dict[str, str] = {}

    def database() -> None:
        with runtime.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(asyncio.to_thread(database), timeout=5)
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; the kind is enough, no details leak
        checks["database"] = f"unavailable ({type(exc).__name__})"
    ping = getattr(runtime.engine.http.rate_limiter, "ping", None)  # only a shared (Redis) limiter has one
    if ping is not None:
        checks["redis"] = "ok" if await ping() else "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks}, status_code=200 if ready else 503
    )
