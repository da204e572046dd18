"""A webhook receiver on loopback: records every request and answers from a script of status codes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crmbridge.webhooks import DELIVERY_HEADER
from crmbridge_sandbox.server import serve_app_in_thread


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """``answers``: status codes for the next requests (then 200); ``seen`` dedupes by delivery id."""

    answers: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self.requests.append(Received(dict(request.headers), body, time.monotonic()))
            status = self.answers.pop(0) if self.answers else 200
            if 200 <= status < 300:
                delivery = request.headers.get(DELIVERY_HEADER, "")
                self.seen[delivery] = self.seen.get(delivery, 0) + 1
        return Response(status_code=status)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.requests)} requests arrived, expected {count}")
            time.sleep(0.01)
        return self.requests


@contextmanager
def running_receiver(answers: list[int] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(answers=list(answers or []))
    app = Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])
    with serve_app_in_thread(app, name="webhook-receiver") as root:
        receiver.url = f"{root}/hook"
        yield receiver
