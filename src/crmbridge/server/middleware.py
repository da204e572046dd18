"""Plain ASGI middleware (no per-request task hops): request ids, a body-size cap, and one JSON log line
per request with its id, tenant, route, status and duration."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..redaction import SCRUBBED_MARK, scrub

__all__ = ["REQUEST_ID_HEADER", "JsonLogFormatter", "RequestContext"]

REQUEST_ID_HEADER = "x-request-id"
access_log = logging.getLogger("crmbridge.server.access")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_STANDARD_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
#: A record attribute naming the ``extra`` fields its producer vouches carry no secret (not scrubbed).
TRUSTED_FIELDS = "_trusted_fields"


class RequestContext:
    """Gives every request an id (the caller's ``X-Request-Id`` when it is sane), refuses bodies over
    ``max_body`` bytes with 413 before the route reads them, and logs the outcome."""

    def __init__(self, app: ASGIApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        state = scope.setdefault("state", {})
        if _GOOD_ID.match(given):
            request_id = given
        else:
            request_id = state["generated_request_id"] = "req_" + secrets.token_hex(8)
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await self._too_large(send, request_id)
            self._log(scope, 413, started)
            return
        received = 0
        response_started = False
        refused = False

        async def capped_receive() -> Message:
            # Over the cap: answer 413 at once and tell the app the client left. Raising here would not
            # do — the framework turns any error while reading the body into its own 400.
            nonlocal received, refused, status
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    refused = True
                    if not response_started:
                        status = 413
                        await self._too_large(send, request_id)
                    return {"type": "http.disconnect"}
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if refused:
                return  # the 413 is the answer; whatever the app says after the disconnect is dropped
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, capped_receive, send_with_id)
        finally:
            self._log(scope, status, started)

    async def _too_large(self, send: Send, request_id: str) -> None:
        body = json.dumps(
            {
                "type": "https://crmbridge.dev/problems/body-too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": f"The request body is larger than {self.max_body} bytes.",
                "code": "body_too_large",
                "retryable": False,
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", request_id.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _log(self, scope: Scope, status: int, started: float) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        state = scope.get("state", {})
        route = scope.get("route")
        method = scope.get("method")
        request_id = state.get("request_id")
        # Fields that cannot carry a secret skip the formatter's scrubbing: the tenant's name and the route
        # template are ours, a standard method is a fixed word, an id we made is random hex. The path (in
        # the message), a caller's request id and an unusual method are still scrubbed.
        trusted = {"tenant", "route"}
        if method in _STANDARD_METHODS:
            trusted.add("method")
        if request_id is not None and request_id is state.get("generated_request_id"):
            trusted.add("request_id")
        access_log.info(
            "%s %s %s",
            method,
            scope.get("path"),
            status,
            extra={
                "request_id": request_id,
                "tenant": state.get("tenant_id"),
                "route": getattr(route, "path", None),
                "method": method,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                TRUSTED_FIELDS: trusted,
            },
        )


_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and every ``extra`` field, scrubbed (but
    a message ``SecretLogFilter`` masked already, and the fields the record lists as trusted)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": message if getattr(record, SCRUBBED_MARK, False) else scrub(message),
        }
        trusted = getattr(record, TRUSTED_FIELDS, ())
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and value is not None:
                entry[key] = scrub(value) if isinstance(value, str) and key not in trusted else value
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)
