"""Both consent pages in a real browser: headless Chromium (Debian's build) clicks through them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.browser import chromium, grant_hubspot

from ...live import LiveSandbox

pytestmark = [pytest.mark.network, pytest.mark.slow, pytest.mark.timeout(120)]  # Chromium starts


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium driven by Playwright; skips without it, but fails when CI=true."""
    with chromium() as launched:
        yield launched


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_hubspot_grant_in_a_browser_yields_a_code_that_exchanges(
    live_sandbox: LiveSandbox, browser: Any
) -> None:
    portal = live_sandbox.new_portal(contacts=3)
    redirect = f"{live_sandbox.root}/_callback/hubspot"
    app = live_sandbox.control.post(
        "/_sandbox/hubspot/apps",
        json={"redirect_uri": redirect, "required_scopes": ["crm.objects.contacts.read"]},
    ).json()
    params = {"client_id": app["client_id"], "redirect_uri": redirect, "scope": "crm.objects.contacts.read"}
    url = f"{app['authorize_url']}?{urlencode({**params, 'state': 'st-1'})}"
    query = _query(grant_hubspot(browser, url, portal["portal_id"], redirect, "crm.objects.contacts.read"))
    assert query["state"] == "st-1" and query["code"]
    token = httpx.post(
        app["token_url"],
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": redirect,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert token.status_code == 200, token.text
    contacts = httpx.get(
        f"{portal['base_url']}/crm/v3/objects/contacts",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
    )
    assert contacts.status_code == 200 and len(contacts.json()["results"]) == 3


def test_pipedrive_allow_and_cancel_in_a_browser(live_sandbox: LiveSandbox, browser: Any) -> None:
    company = live_sandbox.new_company(persons=2)
    redirect = f"{live_sandbox.root}/_callback/pipedrive"
    app = live_sandbox.control.post(
        "/_sandbox/pipedrive/apps", json={"redirect_uri": redirect, "scopes": ["deals:read"]}
    ).json()
    url = f"{app['authorize_url']}?{urlencode({'client_id': app['client_id'], 'redirect_uri': redirect, 'state': 'p-1'})}"

    page = browser.new_page()
    page.goto(url)
    assert "deals:read" in page.content()
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(f"{redirect}?*")
    assert _query(page.url) == {"error": "user_denied", "state": "p-1"}

    page.goto(url)
    page.select_option("select[name=company_id]", str(company["company_id"]))
    page.get_by_role("button", name="Allow and install").click()
    page.wait_for_url(f"{redirect}?*")
    query = _query(page.url)
    page.close()
    token = httpx.post(
        app["token_url"],
        data={"grant_type": "authorization_code", "code": query["code"], "redirect_uri": redirect},
        auth=(app["client_id"], app["client_secret"]),
    )
    assert token.status_code == 200, token.text
    assert token.json()["api_domain"] == company["api_domain"]
