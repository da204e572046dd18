"""The OAuth connect flow of the service in headless Chromium, everything on loopback: the API gives an
``oauthUrl``, the browser opens it, lands on the sandbox's consent page, clicks Grant and comes back to
the service's callback page; the account is then ACTIVE and its tools answer over HTTP. The callback URL
opened in another browser (no flow cookie) is refused, and does not spend the flow of the browser that
started it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from crmbridge.core.runtime import Runtime
from crmbridge.core.tenants import SCOPES, Tenants
from crmbridge.server import ServiceSettings, create_app
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.server import serve_in_thread
from tests.browser import chromium

pytestmark = [pytest.mark.network, pytest.mark.slow, pytest.mark.timeout(120)]  # Chromium starts

HUBSPOT_SCOPES = ["crm.objects.contacts.read", "crm.objects.contacts.write"]


@dataclass
class Served:
    url: str
    api: httpx.Client
    sandbox: httpx.Client
    portal_id: int


@contextmanager
def serve_service(tmp_path: Path) -> Iterator[tuple[str, Runtime]]:
    """The service's app under uvicorn in a thread. The socket is bound first, so the app is built with
    its real public URL (the redirect URI the sandbox app must know)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    # The app owns its runtime, so its shutdown closes the HTTP pools on the server's own loop.
    app = create_app(
        None,
        ServiceSettings(public_url=url, refresh_interval=0),
        database_url=f"sqlite:///{tmp_path / 'service.db'}",
        data_dir=tmp_path,
        vault=Vault.from_string(Vault.generate_key()),
        entry_points=False,
    )
    runtime: Runtime = app.state.service.runtime
    config = uvicorn.Config(
        app, log_config=None, log_level="warning", access_log=False, lifespan="on", loop="asyncio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="service")
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
            time.sleep(0.01)
        yield url, runtime
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass
class LoopbackWorld:
    """The service and the sandbox on loopback, a tenant `acme` with an all-scopes key, a seeded HubSpot
    portal and a sandbox HubSpot app whose redirect URI is the service's callback."""

    url: str
    sandbox_root: str
    sandbox: httpx.Client
    key: str
    portal: dict[str, Any]
    app: dict[str, Any]


@contextmanager
def loopback_world(tmp_path: Path) -> Iterator[LoopbackWorld]:
    with (
        serve_in_thread(Sandbox()) as sandbox_root,
        serve_service(tmp_path) as (url, runtime),
        httpx.Client(base_url=sandbox_root, timeout=30) as sandbox,
    ):
        tenants = Tenants(runtime.store)
        tenants.create("acme")
        _, key = tenants.create_key("acme", SCOPES)
        portal = sandbox.post("/_sandbox/hubspot/portals", json={"contacts": 3}).json()
        app = sandbox.post(
            "/_sandbox/hubspot/apps",
            json={"redirect_uri": f"{url}/oauth/callback", "required_scopes": HUBSPOT_SCOPES},
        ).json()
        yield LoopbackWorld(url, sandbox_root, sandbox, key, portal, app)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`loopback_world` with HubSpot configured as OAuth against the sandbox app."""
    with (
        loopback_world(tmp_path) as world,
        httpx.Client(base_url=world.url, headers={"Authorization": f"Bearer {world.key}"}, timeout=30) as api,
    ):
        app = world.app
        configured = api.put(
            "/integrations/hubspot",
            json={
                "clientId": app["client_id"],
                "clientSecret": app["client_secret"],
                "scopes": HUBSPOT_SCOPES,
                "authorizeUrl": app["authorize_url"],
                "tokenUrl": app["token_url"],
                "baseUrl": f"{world.sandbox_root}/hubspot",
            },
        )
        assert configured.status_code == 200, configured.text
        yield Served(world.url, api, world.sandbox, world.portal["portal_id"])


def oauth_url(served: Served, identifier: str) -> str:
    r = served.api.post("/integrations/hubspot/connect", json={"identifier": identifier})
    assert r.status_code == 200, r.text
    url: str = r.json()["oauthUrl"]
    assert url.startswith(f"{served.url}/oauth/begin?h=")
    return url


def grant(page: Any, served: Served, link: str) -> None:
    """Open the link, check it led to the sandbox's consent page, pick the portal and click Grant."""
    page.goto(link)
    assert page.url.startswith(str(served.sandbox.base_url).rstrip("/")), page.url
    assert "crm.objects.contacts.read" in page.content()
    page.select_option("select[name=portal_id]", str(served.portal_id))
    page.get_by_role("button", name="Grant access").click()


def is_callback(served: Served) -> Callable[[str], bool]:
    return lambda url: url.startswith(f"{served.url}/oauth/callback?")


def account_status(served: Served, identifier: str) -> str:
    r = served.api.get(f"/integrations/hubspot/accounts/{identifier}")
    assert r.status_code == 200, r.text
    status: str = r.json()["status"]
    return status


def test_connect_in_chromium_then_call_a_tool_over_http(served: Served) -> None:
    with chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        grant(page, served, oauth_url(served, "browser-user"))
        page.wait_for_url(is_callback(served))
        assert page.locator("h1").inner_text() == "Connected"
        assert "Your account is connected" in page.content()
        # The flow's cookie was for this flow only: the callback cleared it.
        assert not [c for c in context.cookies() if c["name"].startswith("crmbridge_oauth_")]
        context.close()
    assert account_status(served, "browser-user") == "ACTIVE"
    result = served.api.post(
        "/tools/hubspot_contacts_search/execute", json={"identifier": "browser-user", "input": {"limit": 2}}
    )
    assert result.status_code == 200, result.text
    assert result.json()["ok"] is True and len(result.json()["data"]["results"]) == 2


def test_the_callback_in_a_fresh_browser_context_is_refused(served: Served) -> None:
    captured: list[str] = []

    def hold_back(route: Any) -> None:
        """Send the Grant form but keep its redirect: the callback URL is what an attacker would replay.
        (Playwright cannot route the redirect's target itself, so the form's POST is the one caught.)"""
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)
        captured.append(answer.headers["location"])
        route.fulfill(status=200, content_type="text/plain", body="held back by the test")

    def is_grant(url: str) -> bool:
        return url.startswith(f"{served.sandbox.base_url}".rstrip("/") + "/hubspot/oauth/authorize")

    with chromium() as browser:
        starter = browser.new_context()
        page = starter.new_page()
        page.route(is_grant, hold_back)
        grant(page, served, oauth_url(served, "victim"))
        deadline = time.monotonic() + 30
        while not captured and time.monotonic() < deadline:
            page.wait_for_timeout(50)  # lets Playwright run the route handler
        assert len(captured) == 1 and is_callback(served)(captured[0]), captured
        assert "code=" in captured[0]

        stranger = browser.new_context()  # no cookie from /oauth/begin
        refused = stranger.new_page().goto(captured[0])
        assert refused is not None and refused.status == 403
        assert "Connection failed" in refused.text()
        stranger.close()
        assert account_status(served, "victim") == "PENDING"

        # The refusal spent nothing: the browser that started the flow still completes it.
        finished = page.goto(captured[0])
        assert finished is not None and finished.status == 200
        assert page.locator("h1").inner_text() == "Connected"
        starter.close()
    assert account_status(served, "victim") == "ACTIVE"
