"""Shared fixtures: a fresh in-process sandbox per test, reached through httpx like a network service, and
one sandbox served on loopback for the whole session, for clients that need a real URL."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .bridges import Connected, connected_bridge
from .live import LiveSandbox, serve


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with sandbox.client() as c:
        yield c


@pytest.fixture
async def portal(client: httpx.AsyncClient) -> dict[str, Any]:
    """A seeded HubSpot portal: the control API's answer plus ready-made auth headers."""
    r = await client.post("/_sandbox/hubspot/portals", json={"seed": 7})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    data["headers"] = {"Authorization": f"Bearer {data['private_app_token']}"}
    data["prefix"] = "/hubspot"
    return data


@pytest.fixture
async def company(client: httpx.AsyncClient) -> dict[str, Any]:
    """A seeded Pipedrive company: the control API's answer plus ready-made auth headers."""
    r = await client.post("/_sandbox/pipedrive/companies", json={"seed": 7})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    data["headers"] = {"x-api-token": data["api_token"]}
    data["prefix"] = f"/pipedrive/{data['company_domain']}"
    return data


@pytest.fixture
def hubspot_bridge(sandbox: Sandbox, tmp_path: Path) -> Iterator[Connected]:
    """A Bridge (SQLite in tmp_path) with ``USER`` connected to a seeded HubSpot portal by private-app token."""
    connected = connected_bridge(sandbox, tmp_path)
    yield connected
    connected.bridge.close()


@pytest.fixture(scope="session")
def live_sandbox() -> Iterator[LiveSandbox]:
    """A sandbox on a loopback port for the whole session. Starting uvicorn per test would be slow; every
    test still makes its own portal or company (``live_sandbox.new_portal()``), so tests never see each other's data.
    """
    with serve(Sandbox()) as running:
        yield running


# Every token and key shape the sandbox issues: HubSpot private-app, access and refresh tokens,
# Pipedrive API tokens and client secrets (40 hex), Pipedrive access and refresh tokens.
_SECRET_SHAPES = re.compile(
    r"pat-na1-[0-9a-f-]{36}|\bCK[\w-]{100,}|\bna1-[0-9a-f-]{36}|\b[0-9a-f]{40}\b|\b\d+:\d+:[0-9a-f]{64}|v1u:[\w-]{40,}"
)


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        if _SECRET_SHAPES.search(text):
            self.leaks.append(f"{record.name}: {text[:300]}")


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log() -> Iterator[None]:
    """Capture every log record of the whole run at DEBUG; none may carry a token or a key."""
    root = logging.getLogger()
    handler = _LogCapture()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield
    root.removeHandler(handler)
    root.setLevel(level)
    assert not handler.leaks, "secrets in logs:\n" + "\n".join(handler.leaks[:10])
