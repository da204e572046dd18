"""A fake of the Notes CRM's API, small enough to read at a glance, plus a loopback server for it.

``GET /v1/notes?query&limit&cursor`` searches titles and texts, newest first; ``POST /v1/notes`` creates
one (a blank title is a 422 naming the field). Every request needs the ``X-Notes-Key`` header.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

from crmbridge_sandbox.server import serve_app_in_thread

KEY = "notes_sk_" + "0123456789abcdef" * 2

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class NotesApi:
    """Plain ASGI, holding its notes in memory; ``seen`` records ``(method, path, key)`` of each request."""

    def __init__(self, key: str = KEY) -> None:
        self.key = key
        self.notes: list[dict[str, Any]] = []
        self.seen: list[tuple[str, str, str | None]] = []

    async def __call__(self, scope: Mapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        method, path = scope["method"], scope["path"]
        self.seen.append((method, path, headers.get("x-notes-key")))
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, answer = self._answer(method, path, scope["query_string"].decode(), body, headers)
        payload = json.dumps(answer).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _answer(
        self, method: str, path: str, query: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, dict[str, Any]]:
        if headers.get("x-notes-key") != self.key:
            return 401, {"error": {"message": "Unknown API key."}}
        if path != "/v1/notes":
            return 404, {"error": {"message": "No such endpoint."}}
        if method == "GET":
            return 200, self._search({k: v[0] for k, v in parse_qs(query).items()})
        if method == "POST":
            return self._create(json.loads(body or b"{}"))
        return 405, {"error": {"message": "Method not allowed."}}

    def _search(self, params: Mapping[str, str]) -> dict[str, Any]:
        words = params.get("query", "").lower()
        found = [n for n in reversed(self.notes) if words in f"{n['title']} {n['body']}".lower()]
        start, limit = int(params.get("cursor", 0)), int(params.get("limit", 10))
        page = found[start : start + limit]
        more = start + limit < len(found)
        return {"data": page, "next_cursor": str(start + limit) if more else None}

    def _create(self, fields: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        title = str(fields.get("title") or "").strip()
        if not title:
            return 422, {"error": {"message": "A note needs a title.", "field": "title"}}
        note = {
            "id": len(self.notes) + 1,
            "title": title,
            "body": str(fields.get("body") or ""),
            "created_at": f"2027-01-01T00:00:{len(self.notes):02d}Z",
        }
        self.notes.append(note)
        return 201, {"data": note}


@contextmanager
def serve_on_loopback(app: NotesApi) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free port of 127.0.0.1 until the block ends; yields the root URL."""
    with serve_app_in_thread(app, name="notes-api") as root:
        yield root
