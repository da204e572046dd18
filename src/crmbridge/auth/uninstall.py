"""The OAuth callback URL: the consent redirect (``GET ?code&state``) and uninstall notices (``DELETE``).

Some CRMs send their uninstall notice to the app's one callback URL (Pipedrive: a ``DELETE`` carrying our
own client credentials). The app only routes it; the provider's ``read_uninstall`` hook verifies and
reads it (see ``OAuthService.handle_uninstall``). A consent redirect is completed for the user whose
session it arrived in, as the application's own lookups say (login CSRF).
"""

from __future__ import annotations

import html
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs

from ..errors import CrmBridgeError, OAuthSessionMismatch

__all__ = ["CallbackApp", "SessionLookup"]


class Complete(Protocol):
    """Finishes an authorisation for the session's user; what it returns is not shown to the user."""

    def __call__(
        self,
        code: str | None,
        state: str,
        error: str | None,
        *,
        identifier: str | None,
        session_binding: str | None,
    ) -> Awaitable[object]: ...


#: ``uninstall(authorization header, raw body)`` → HTTP status to answer with.
Uninstall = Callable[[str | None, bytes], Awaitable[int]]

Scope = Mapping[str, Any]
#: The application's own session lookup: the request's ASGI scope (headers, cookies, whatever its
#: session middleware added) → the signed-in user's identifier, or the session's binding value; ``None``
#: when there is none. May be a coroutine function.
SessionLookup = Callable[[Scope], "str | Awaitable[str | None] | None"]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: bytes
    content_type: str
    extra_headers: tuple[tuple[bytes, bytes], ...] = ()


def _page(title: str, text: str, status: int) -> _Answer:
    body = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"</head><body><main><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></main></body></html>"
    )
    return _Answer(status, body.encode(), "text/html; charset=utf-8", ((b"cache-control", b"no-store"),))


#: Uninstall notices are a few ids; anything much larger is not one, and is not read into memory.
MAX_NOTICE_BYTES = 64 * 1024


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or ``None`` once it grows past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


class CallbackApp:
    """ASGI app to mount at the redirect URI: finishes consents and takes uninstall notices.

    Plain ASGI, so the library needs no web framework; any server or framework can mount it.
    """

    def __init__(
        self,
        *,
        complete: Complete,
        uninstall: Uninstall,
        session_identifier: SessionLookup | None = None,
        session_binding: SessionLookup | None = None,
    ) -> None:
        """``session_identifier`` and ``session_binding`` say whose session a consent redirect arrived in;
        with ``session_identifier`` set, a redirect in no signed-in session is refused (401)."""
        self._complete = complete
        self._uninstall = uninstall
        self._session_identifier = session_identifier
        self._session_binding = session_binding

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        answer = await self._handle(scope, receive)
        headers = [(b"content-type", answer.content_type.encode()), *answer.extra_headers]
        headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})

    async def _handle(self, scope: Scope, receive: Receive) -> _Answer:
        method = scope.get("method", "GET")
        if method == "DELETE":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            body = await _read_body(receive, MAX_NOTICE_BYTES)
            if body is None:
                return _Answer(413, b'{"ok": false}', "application/json")
            status = await self._uninstall(headers.get("authorization"), body)
            body = json.dumps({"ok": status < 400}).encode()
            return _Answer(status, body, "application/json")
        if method != "GET":
            return _Answer(405, b"", "text/plain", ((b"allow", b"GET, DELETE"),))
        raw = scope.get("query_string", b"").decode("latin-1")
        query = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        state, error = query.get("state"), query.get("error")
        if not state:
            return _page(
                "Connection failed", "The link is missing its state; start the connection again.", 400
            )
        identifier = await _looked_up(self._session_identifier, scope)
        if self._session_identifier is not None and identifier is None:
            return _page("Connection failed", "Sign in, then start connecting again from your account.", 401)
        binding = await _looked_up(self._session_binding, scope)
        try:
            await self._complete(
                query.get("code"), state, error or None, identifier=identifier, session_binding=binding
            )
        except OAuthSessionMismatch as exc:
            return _page("Connection failed", exc.message, 403)
        except CrmBridgeError as exc:
            return _page("Connection failed", exc.message, 400)
        return _page("Connected", "Your account is connected. You can close this window.", 200)


async def _looked_up(lookup: SessionLookup | None, scope: Scope) -> str | None:
    if lookup is None:
        return None
    found = lookup(scope)
    if inspect.isawaitable(found):
        found = await found
    return found if isinstance(found, str) and found else None
