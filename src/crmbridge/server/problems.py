"""Errors as RFC 9457 problem+json: one shape for every failure the API answers with.

The body carries ``type``, ``title``, ``status``, ``detail`` plus our stable ``code`` (the same codes a
tool result uses), ``retryable``, and for validation every invalid field with its path. The status and
the code come from the error class itself (``errors.py``), so there is no table here to drift. No stack
trace and no secret ever reaches a body: messages are scrubbed by the taxonomy, and an unexpected
exception becomes a bare ``internal_error`` naming the request id to quote.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import CrmBridgeError, scrub

__all__ = [
    "MEDIA_TYPE",
    "PROBLEM_TYPE_BASE",
    "TITLES",
    "install_problem_handlers",
    "problem",
    "problem_response",
]

log = logging.getLogger("crmbridge.server")
PROBLEM_TYPE_BASE = "https://crmbridge.dev/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal error",
    502: "Bad gateway",
    503: "Unavailable",
    504: "Timed out",
}


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    retryable: bool = False,
    errors: Sequence[Mapping[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code.replace("_", "-"),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": scrub(detail),
        "code": code,
        "retryable": retryable,
    }
    if errors is not None:
        body["errors"] = list(errors)
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_response(body: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(dict(body), status_code=int(body["status"]), media_type=MEDIA_TYPE, headers=headers)


def from_error(error: CrmBridgeError) -> dict[str, Any]:
    details = {k: v for k, v in error.details.items() if k not in ("status",)}
    return problem(
        error.http_status,
        error.code,
        error.message,
        retryable=error.retryable,
        details=details or None,
    )


def _headers(error: CrmBridgeError) -> dict[str, str] | None:
    headers: dict[str, str] = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(error.retry_after)))
    if error.http_status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="crmbridge"'
    return headers or None


def _location(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return "/".join(parts) if parts else "body"


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    found = []
    for item in exc.errors():
        loc = list(item.get("loc", ()))
        where = loc[0] if loc else "body"
        found.append(
            {
                "in": where,
                "path": _location(loc[1:] if where != "body" else loc),
                "message": scrub(str(item.get("msg", "invalid"))),
                "type": item.get("type"),
            }
        )
    return found


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error, ours or the framework's, as problem+json."""

    @app.exception_handler(CrmBridgeError)
    async def _ours(request: Request, exc: CrmBridgeError) -> JSONResponse:
        if exc.http_status >= 500 and exc.code == "internal_error":
            log.error("internal error: %s", exc.message)
        return problem_response(from_error(exc), _headers(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        fields = ", ".join(sorted({e["path"] for e in errors}))
        return problem_response(
            problem(
                422, "invalid_request", f"The request is not valid ({fields}): see errors.", errors=errors
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            exc.status_code, "http_error"
        )
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No route {request.method} {request.url.path}; /docs lists them."
        return problem_response(problem(exc.status_code, code, detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", None)
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return problem_response(
            problem(
                500,
                "internal_error",
                f"Something went wrong on our side; quote request id {request_id} when reporting it.",
            )
        )
