"""Once through a real browser: headless Chromium clicks Grant on the HubSpot sandbox consent page served
on loopback; the redirect to the redirect URI is captured and completes the authorisation."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from crmbridge import Bridge
from crmbridge.core import AccountStatus
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.server import serve_in_thread
from tests.browser import chromium, grant_hubspot

from .oauth_env import add_served_hubspot, query_of

pytestmark = [pytest.mark.network, pytest.mark.slow, pytest.mark.timeout(120)]  # Chromium starts

SCOPES = ["crm.objects.contacts.read"]


def test_headless_chromium_grants_and_the_account_becomes_active(tmp_path: Path) -> None:
    with chromium() as browser, serve_in_thread(Sandbox()) as root, httpx.Client(base_url=root) as control:
        portal = control.post("/_sandbox/hubspot/portals", json={"contacts": 2}).json()
        redirect = f"{root}/_callback/hubspot"
        with Bridge(
            database_url=f"sqlite:///{tmp_path / 'b.db'}",
            data_dir=tmp_path,
            vault=Vault.from_string(Vault.generate_key()),
        ) as bridge:
            add_served_hubspot(bridge, control, root, redirect, SCOPES)
            link = bridge.get_authorization_link(connection_name="hubspot", identifier="browser-user")
            query = query_of(grant_hubspot(browser, link, portal["portal_id"], redirect, SCOPES[0]))
            account = bridge.complete_authorization(code=query["code"], state=query["state"])
            assert account.status == AccountStatus.ACTIVE
            assert account.metadata["portal_id"] == portal["portal_id"]
            contacts = bridge.execute_tool(
                identifier="browser-user", tool_name="hubspot_contacts_list", tool_input={}
            )
            assert contacts.ok, contacts.error
