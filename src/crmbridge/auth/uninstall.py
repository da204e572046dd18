"""The OAuth callback URL: the consent redirect (``GET ?code&state``) and Pipedrive's uninstall ``DELETE``.

A Pipedrive app has exactly one callback URL, and Pipedrive sends its uninstall notice there as
``DELETE`` with a JSON body ``{client_id, company_id, user_id, timestamp}`` and *our own* client
credentials as HTTP Basic auth (reference pipedrive-api §1). Verifying those credentials is what stops
anybody who knows the URL from disconnecting users.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import html
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from ..errors import CrmBridgeError, InvalidInput

__all__ = ["CallbackApp", "UninstallNotice", "basic_credentials", "client_matches"]

#: ``complete(code, state, error)`` finishes an authorisation; what it returns is not shown to the user.
Complete = Callable[[str | None, str, str | None], Awaitable[object]]
#: ``uninstall(authorization header, raw body)`` → HTTP status to answer with.
Uninstall = Callable[[str | None, bytes], Awaitable[int]]


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """``(user, password)`` of an ``Authorization: Basic …`` header, or ``None`` when absent or malformed."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def client_matches(credentials: tuple[str, str] | None, client_id: str, client_secret: str) -> bool:
    """Constant-time comparison of both halves (a timing leak would reveal the secret byte by byte)."""
    if credentials is None:
        return False
    same_id = hmac.compare_digest(credentials[0].encode(), client_id.encode())
    same_secret = hmac.compare_digest(credentials[1].encode(), client_secret.encode())
    return same_id and same_secret


@dataclass(frozen=True, slots=True)
class UninstallNotice:
    client_id: str
    company_id: str
    user_id: str

    @classmethod
    def parse(cls, body: bytes | Mapping[str, Any]) -> UninstallNotice:
        data: Any = body
        if isinstance(body, bytes | bytearray):
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                raise InvalidInput("The uninstall notice is not JSON.") from None
        if not isinstance(data, Mapping):
            raise InvalidInput("The uninstall notice must be a JSON object.")
        values = {k: data.get(k) for k in ("client_id", "company_id", "user_id")}
        missing = [k for k, v in values.items() if v in (None, "")]
        if missing:
            raise InvalidInput(f"The uninstall notice lacks {', '.join(missing)}.", field=missing[0])
        return cls(str(values["client_id"]), str(values["company_id"]), str(values["user_id"]))


Scope = Mapping[str, Any]
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


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


class CallbackApp:
    """ASGI app to mount at the redirect URI: finishes consents and takes uninstall notices.

    Plain ASGI, so the library needs no web framework; any server or framework can mount it.
    """

    def __init__(self, *, complete: Complete, uninstall: Uninstall) -> None:
        self._complete = complete
        self._uninstall = uninstall

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
            status = await self._uninstall(headers.get("authorization"), await _read_body(receive))
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
        try:
            await self._complete(query.get("code"), state, error or None)
        except CrmBridgeError as exc:
            return _page("Connection failed", exc.message, 400)
        return _page("Connected", "Your account is connected. You can close this window.", 200)
