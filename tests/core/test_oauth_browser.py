"""Once through a real browser: headless Chromium clicks Grant on the HubSpot sandbox consent page served
on loopback; the redirect to the redirect URI is captured and completes the authorisation."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from crmbridge import Bridge
from crmbridge.core import AccountStatus
from crmbridge.sandbox import Sandbox
from crmbridge.sandbox.server import serve_in_thread
from crmbridge.vault import Vault

pytestmark = pytest.mark.network

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCOPES = ["crm.objects.contacts.read"]


def _playwright() -> Any:
    executable = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        sync_playwright = None  # type: ignore[assignment]
    missing = "playwright is not installed" if sync_playwright is None else None
    if executable is None:
        missing = "chromium is not installed (apt-get install chromium)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test must run under CI: {missing}")
        pytest.skip(missing)
    return sync_playwright, executable


def test_headless_chromium_grants_and_the_account_becomes_active(tmp_path: Path) -> None:
    sync_playwright, executable = _playwright()
    with serve_in_thread(Sandbox()) as root, httpx.Client(base_url=root) as control:
        portal = control.post("/_sandbox/hubspot/portals", json={"contacts": 2}).json()
        redirect = f"{root}/_callback/hubspot"
        app = control.post(
            "/_sandbox/hubspot/apps", json={"redirect_uri": redirect, "required_scopes": SCOPES}
        ).json()
        with Bridge(
            database_url=f"sqlite:///{tmp_path / 'b.db'}",
            data_dir=tmp_path,
            vault=Vault.from_string(Vault.generate_key()),
        ) as bridge:
            bridge.add_connection(
                "hubspot",
                provider="hubspot",
                base_url=f"{root}/hubspot",
                client_id=app["client_id"],
                client_secret=app["client_secret"],
                redirect_uri=redirect,
                scopes=SCOPES,
                authorize_url=app["authorize_url"],
                token_url=app["token_url"],
            )
            link = bridge.get_authorization_link(connection_name="hubspot", identifier="browser-user")
            with sync_playwright() as p:
                chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                try:
                    page = chromium.new_page()
                    page.goto(link)
                    assert "crm.objects.contacts.read" in page.content()
                    page.select_option("select[name=portal_id]", str(portal["portal_id"]))
                    page.get_by_role("button", name="Grant access").click()
                    page.wait_for_url(f"{redirect}?*")
                    landed = page.url
                finally:
                    chromium.close()
            query = {k: v[0] for k, v in parse_qs(urlsplit(landed).query).items()}
            account = bridge.complete_authorization(code=query["code"], state=query["state"])
            assert account.status == AccountStatus.ACTIVE
            assert account.metadata["portal_id"] == portal["portal_id"]
            contacts = bridge.execute_tool(
                identifier="browser-user", tool_name="hubspot_contacts_list", tool_input={}
            )
            assert contacts.ok, contacts.error
