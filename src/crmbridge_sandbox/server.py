"""Serve a sandbox on a real loopback socket from a background thread: for official clients,
other processes, browsers and benchmarks that cannot use the in-process transport."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from .app import Sandbox
from .transport import NetworkFaults

__all__ = ["serve_app_in_thread", "serve_in_thread"]


@contextmanager
def serve_in_thread(
    sandbox: Sandbox, host: str = "127.0.0.1", *, hang_seconds: float = 30.0
) -> Iterator[str]:
    """Serve ``sandbox`` on a free port of ``host`` until the block ends; yields the root URL.

    ``hang_seconds`` is how long an injected timeout fault keeps the connection silent.
    """
    with serve_app_in_thread(NetworkFaults(sandbox, hang_seconds=hang_seconds), host, name="sandbox") as root:
        yield root


@contextmanager
def serve_app_in_thread(app: ASGIApp, host: str = "127.0.0.1", *, name: str = "asgi-app") -> Iterator[str]:
    """Serve any ASGI ``app`` with uvicorn on a free port of ``host`` until the block ends (a fake of
    some other API, say); yields the root URL."""
    # IPPROTO_TCP spelled out: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose protocol
    # says TCP, and an accepted socket inherits the listener's; with proto 0 every response waits
    # ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    # The plain asyncio loop: uvloop (when installed) is for a process of its own, not a thread beside others.
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", access_log=False, timeout_keep_alive=5, loop="asyncio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=name)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {name} server did not start within 10 s")
            time.sleep(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
