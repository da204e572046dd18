"""The dashboard in headless Chromium, everything on loopback (the service under uvicorn and the sandbox,
each in a thread): sign in with a key, configure HubSpot (OAuth) and Pipedrive (API key) through the
forms, connect HubSpot through the sandbox's consent page and come back to Accounts with the account
ACTIVE, connect Pipedrive, discover its schema and search it live (htmx), look at Activity, create an
agent and install the pack, author a binding by description and see it among the agent's skills, switch
interaction logging on, end a conversation through the HTTP API and see it logged with its CRM link, sign
out.
Screenshots at desktop and phone widths are saved (``CRMBRIDGE_TEST_ARTIFACTS`` or the test's tmp dir)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import chromium
from tests.server.test_browser_connect import loopback_world

pytestmark = [pytest.mark.network, pytest.mark.slow, pytest.mark.timeout(180)]

HUBSPOT_SCOPES = ["crm.objects.contacts.read", "crm.objects.contacts.write"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CRMBRIDGE_TEST_ARTIFACTS") or tmp_path / "artifacts") / "dashboard"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    with loopback_world(tmp_path) as found:
        company = found.sandbox.post("/_sandbox/pipedrive/companies", json={"seed": 4, "deals": 3}).json()
        yield {
            "url": found.url,
            "sandbox": found.sandbox_root,
            "key": found.key,
            "portal": found.portal,
            "app": found.app,
            "company": company,
        }


# axe-core (MPL-2.0; installed from the npm registry by `make node-deps` into node/, never committed) runs
# in each page. It is served to the page from the service's own origin by a route of the browser context,
# so the dashboard's Content-Security-Policy (script-src 'self') stays as it is in production.
AXE = Path(__file__).parent / "node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/dashboard/static/test-only/axe.min.js"
AXE_RUN = """async () => {
  const found = await axe.run(document, {resultTypes: ['violations']});
  return found.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' + n.failureSummary)}));
}"""

# Beyond axe's rules: the page's language, one h1, a main landmark, no skipped heading level, a label
# for every field and a name for every button and link.
A11Y_CHECK = """() => {
  const out = [];
  if (!document.documentElement.lang) out.push('html has no lang');
  if (document.querySelectorAll('h1').length !== 1) out.push('not exactly one h1');
  if (!document.querySelector('main')) out.push('no main landmark');
  let last = 0;
  for (const h of document.querySelectorAll('h1,h2,h3,h4,h5,h6')) {
    const level = Number(h.tagName[1]);
    if (level > last + 1) out.push('heading level skipped at ' + h.textContent.trim());
    last = level;
  }
  for (const el of document.querySelectorAll('input:not([type=hidden]),select,textarea')) {
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) out.push('unlabelled ' + el.outerHTML);
  }
  for (const el of document.querySelectorAll('button,a[href]')) {
    if (!el.textContent.trim() && !el.getAttribute('aria-label')) out.push('unnamed ' + el.outerHTML);
  }
  return out;
}"""


def serve_axe(context: Any, url: str) -> None:
    """Answer the page's request for axe-core from the vendored file (the service has no such route)."""
    context.route(
        f"{url}{AXE_PATH}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript")
    )


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN)
    return found


def shoot(page: Any, artifacts: Path, name: str) -> None:
    """Check the page's accessibility (the basics above, axe-core at both widths) and take a full-page
    screenshot at desktop and at phone width (where nothing may overflow sideways but the tables' own
    scroll boxes)."""
    assert page.evaluate(A11Y_CHECK) == [], name
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert axe_violations(page) == [], (name, label)
        target = artifacts / f"{name}-{label}.png"
        page.screenshot(path=str(target), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
            "document.documentElement.clientWidth + 1 && !e.closest('.scroll')).map(e => e.tagName + '.' + e.className)"
        )
        assert overflow <= 0, (name, label, overflow, wide[:8])
        assert target.stat().st_size > 1000
    page.set_viewport_size(DESKTOP)


def end_a_conversation(world: dict[str, Any], agent_id: str) -> tuple[str, int]:
    """Over HTTP as an agent platform would: a person with the caller's number in the sandbox's Pipedrive,
    a voice conversation started and ended with the tenant's key, then wait until it is no longer queued.
    Returns the conversation's id and the person's."""
    crm = {"x-api-token": world["company"]["api_token"]}
    api = {"Authorization": f"Bearer {world['key']}"}
    with httpx.Client(timeout=30) as http:
        made = http.post(
            f"{world['sandbox']}/pipedrive/api/v2/persons", headers=crm,
            json={"name": "Ann Caller", "phones": [{"value": "+14155552671", "primary": True}]},
        )  # fmt: skip
        assert made.status_code in (200, 201), made.text
        started = http.post(
            f"{world['url']}/agents/{agent_id}/conversations", headers=api,
            json={"channel": "voice", "caller": {"phone": "+1 415 555 2671"}},
        )  # fmt: skip
        assert started.status_code == 201, started.text
        cid = str(started.json()["id"])
        ended = http.post(
            f"{world['url']}/conversations/{cid}/end", headers=api,
            json={"summary": "Asked about opening hours.", "durationMs": 42000, "outcome": "connected"},
        )  # fmt: skip
        assert ended.status_code == 202 and ended.json()["status"] == "queued", ended.text
        deadline = time.monotonic() + 30
        while True:
            got = http.get(f"{world['url']}/conversations/{cid}", headers=api).json()["interaction"]
            if got["status"] != "queued":
                break
            assert time.monotonic() < deadline, got
            time.sleep(0.05)
    assert got["status"] == "logged", got
    return cid, int(made.json()["data"]["id"])


def test_sign_in_configure_connect_discover_search_sign_out(world: dict[str, Any], artifacts: Path) -> None:
    url, app = world["url"], world["app"]
    if not AXE.exists():
        missing = f"axe-core is not installed ({AXE}): run `make node-deps` (needs npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    with chromium() as browser:
        context = browser.new_context(viewport=DESKTOP)
        serve_axe(context, url)
        page = context.new_page()
        problems: list[str] = []
        page.on(
            "console",
            lambda m: problems.append(m.text) if m.type == "error" and "404" not in m.text else None,
        )
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None
            ),
        )
        page.on("pageerror", lambda e: problems.append(str(e)))

        page.goto(f"{url}/dashboard/")
        assert page.url.startswith(f"{url}/dashboard/signin")
        shoot(page, artifacts, "signin")
        # axe is live: an unlabelled field put in the page is reported (critical), then taken out again.
        page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=probe>')")
        assert [v["id"] for v in axe_violations(page)] == ["label"]
        page.evaluate("document.getElementById('probe').remove()")
        page.get_by_label("API key").fill(world["key"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/dashboard/integrations")
        assert page.get_by_role("heading", level=1).inner_text() == "Integrations"
        session = next(c for c in context.cookies() if c["name"] == "crmbridge_dashboard")
        assert session["httpOnly"] and session["sameSite"] == "Lax" and world["key"] not in session["value"]

        # HubSpot as an OAuth integration against the sandbox's app.
        page.get_by_label("CRM", exact=True).select_option("hubspot")
        page.get_by_label("OAuth client ID").fill(app["client_id"])
        page.get_by_label("OAuth client secret").fill(app["client_secret"])
        page.get_by_label("Scopes").fill(" ".join(HUBSPOT_SCOPES))
        page.get_by_text("Advanced: endpoints").click()
        page.get_by_label("Authorize URL").fill(app["authorize_url"])
        page.get_by_label("Token URL").fill(app["token_url"])
        page.get_by_label("API origin").fill(f"{world['sandbox']}/hubspot")
        page.get_by_role("button", name="Save integration").click()
        page.wait_for_url(re.compile(r".*/dashboard/integrations\?done=saved$"))
        assert page.get_by_role("status").inner_text() == "Integration saved."
        assert app["client_secret"] not in page.content()
        shoot(page, artifacts, "integrations")

        # Connect: off to the sandbox's consent page, Grant, back to Accounts with the outcome.
        page.locator("#identifier-hubspot").fill("browser-user")
        page.get_by_role("button", name="Connect").click()
        page.wait_for_url(lambda u: u.startswith(world["sandbox"]))
        page.select_option("select[name=portal_id]", str(world["portal"]["portal_id"]))
        page.get_by_role("button", name="Grant access").click()
        page.wait_for_url(re.compile(r".*/dashboard/accounts\?.*status=ACTIVE.*"))
        assert "ACTIVE" in page.locator("#outcome").inner_text()
        row = page.get_by_role("row").filter(has_text="browser-user")
        assert row.locator(".badge").inner_text() == "ACTIVE"
        shoot(page, artifacts, "accounts")

        # Pipedrive in API-key mode, connected from its card with the company's token.
        page.get_by_role("link", name="Integrations").click()
        page.get_by_label("CRM", exact=True).select_option("pipedrive")
        page.get_by_label("API key (each account gives its own)").check()
        page.get_by_text("Advanced: endpoints").click()
        page.get_by_label("API origin").fill(f"{world['sandbox']}/pipedrive")
        page.get_by_role("button", name="Save integration").click()
        page.wait_for_url(re.compile(r".*done=saved$"))
        page.locator("#identifier-pipedrive").fill("deals-user")
        page.locator("#apikey-pipedrive").fill(world["company"]["api_token"])
        page.locator("article", has_text="pipedrive").get_by_role("button", name="Connect").click()
        page.wait_for_url(re.compile(r".*/dashboard/accounts\?done=connected$"))
        assert (
            page.get_by_role("row").filter(has_text="deals-user").locator(".badge").inner_text() == "ACTIVE"
        )

        # Schema: discover, then the search box updates the results as one types (htmx).
        page.get_by_role("link", name="Schema").click()
        page.get_by_label("Account").select_option("pipedrive:deals-user")
        page.get_by_role("button", name="Show").click()
        page.get_by_role("button", name="Discover schema").click()
        page.wait_for_selector("#summary")
        assert "Version 1" in page.locator("#summary").inner_text()
        page.get_by_label("Object, field or option").press_sequentially("expected clos", delay=20)
        page.wait_for_selector("#results li", timeout=10_000)
        assert "expected_close_date" in page.locator("#results").inner_text()
        assert "q=expected" in page.url  # hx-push-url kept the search in the address bar
        shoot(page, artifacts, "schema")
        page.get_by_role("link", name="Deal").first.click()
        assert page.get_by_role("heading", name="Fields").is_visible()
        shoot(page, artifacts, "schema-object")
        page.goto(f"{url}/dashboard/schema/builder?account=pipedrive%3Adeals-user&object=persons")
        assert page.get_by_role("heading", level=1).inner_text() == "Build a binding"
        shoot(page, artifacts, "builder")

        page.get_by_role("link", name="Activity").click()
        assert page.get_by_role("img", name="Calls and errors per hour").is_visible()
        shoot(page, artifacts, "activity")

        # Agents: create one, install the Pipedrive pack on the connected account, see its skills.
        page.get_by_role("link", name="Agents", exact=True).click()
        shoot(page, artifacts, "agents")
        page.get_by_label("Name").fill("Front desk")
        page.get_by_label("Install the pack of every integration").uncheck()
        page.get_by_role("button", name="Create agent").click()
        page.wait_for_url(re.compile(r".*/dashboard/agents/[^/?]+\?done=created$"))
        page.get_by_label("Integration").select_option("pipedrive")
        page.get_by_label("Account").fill("deals-user")
        page.get_by_role("button", name="Install pack").click()
        assert "create_contact: created" in page.locator("#installed").inner_text()
        assert page.locator("#skills code", has_text="find_contact").first.is_visible()
        shoot(page, artifacts, "agent")
        agent_id = re.sub(r".*/dashboard/agents/([^/?]+).*", r"\1", page.url)

        # Describe it: a goal on the Schema page → the proposed binding → installed among the skills.
        page.get_by_role("link", name="Schema").click()
        page.get_by_label("Account").select_option("pipedrive:deals-user")
        page.get_by_role("button", name="Show").click()
        page.get_by_label("Or describe it").fill("find a person by email")
        page.get_by_label("Skill name (optional)").fill("person_by_email")
        page.get_by_role("button", name="Propose a binding").click()
        page.wait_for_selector("#proposal")
        assert '"object": "persons"' in page.get_by_label("Binding (JSON").input_value()
        shoot(page, artifacts, "describe")
        page.get_by_label("On agent").select_option(agent_id)
        page.get_by_role("button", name="Install as a skill").click()
        page.wait_for_url(re.compile(rf".*/dashboard/agents/{agent_id}\?done=installed$"))
        assert page.locator("#skills code", has_text="person_by_email").is_visible()
        page.get_by_role("link", name="Delete person_by_email").click()
        assert "Delete the skill" in page.get_by_role("main").inner_text()
        shoot(page, artifacts, "skill-delete")
        page.go_back()

        # Interaction logging: switch Pipedrive's on.
        page.get_by_role("link", name="Logging", exact=True).click()
        section = page.locator("#logging-pipedrive")
        section.locator("#mode-pipedrive-summary").check()
        section.get_by_role("button", name="Save logging for pipedrive").click()
        page.wait_for_url(re.compile(r".*/dashboard/logging\?done=saved%3Apipedrive$"))
        assert "Mode summary" in page.locator("#logging-pipedrive").inner_text()

        # A conversation ended through the API by a caller the CRM knows: logged, with its CRM link.
        conversation, person = end_a_conversation(world, agent_id)
        page.reload()
        row = page.locator("#logging-pipedrive tr", has_text=conversation)
        assert row.locator(".badge").inner_text() == "logged"
        link = row.get_by_role("link", name="Open in the CRM")
        domain = world["company"]["company_domain"]
        assert link.get_attribute("href") == f"https://{domain}.pipedrive.com/person/{person}"
        shoot(page, artifacts, "logging")
        page.get_by_role("link", name="Webhooks", exact=True).click()
        assert page.get_by_role("heading", level=1).inner_text() == "Webhooks"
        shoot(page, artifacts, "webhooks")
        page.get_by_role("link", name="Accounts", exact=True).click()
        page.get_by_role("link", name="Disconnect deals-user").click()
        assert page.get_by_role("heading", level=1).is_visible()
        shoot(page, artifacts, "disconnect")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(re.compile(r".*/dashboard/signin\?reason=signedout$"))
        assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
        assert not [c for c in context.cookies() if c["name"] == "crmbridge_dashboard"]
        page.goto(f"{url}/dashboard/accounts")
        assert "/dashboard/signin" in page.url
        assert not problems, problems
        context.close()
