"""A sandbox served on a real loopback socket, for clients that need a URL (official SDKs, the CLI, browsers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.server import serve_in_thread


@dataclass
class LiveSandbox:
    """A sandbox on ``root`` (``http://127.0.0.1:<port>``), plus a sync client for its control API."""

    sandbox: Sandbox
    root: str
    control: httpx.Client

    def new_portal(self, **body: Any) -> dict[str, Any]:
        r = self.control.post("/_sandbox/hubspot/portals", json={"seed": 11, **body})
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data

    def new_company(self, **body: Any) -> dict[str, Any]:
        r = self.control.post("/_sandbox/pipedrive/companies", json={"seed": 11, **body})
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data

    def consent(self, authorize_url: str, form: dict[str, str] | None = None) -> dict[str, str]:
        """Load the consent page, grant it, and return the redirect's query (code and state, or error)."""
        page = self.control.get(authorize_url)
        assert page.status_code == 200, page.text
        granted = self.control.post(authorize_url, data={"decision": "grant", **(form or {})})
        assert granted.status_code == 302, f"{granted.status_code} {granted.text}"
        query = parse_qs(urlsplit(granted.headers["location"]).query)
        return {k: v[0] for k, v in query.items()}


@contextmanager
def serve(sandbox: Sandbox, hang_seconds: float = 30.0) -> Iterator[LiveSandbox]:
    """Serve the sandbox on a free loopback port until the block ends, with a control client."""
    with (
        serve_in_thread(sandbox, hang_seconds=hang_seconds) as root,
        httpx.Client(base_url=root, timeout=10, follow_redirects=False) as control,
    ):
        yield LiveSandbox(sandbox=sandbox, root=root, control=control)
