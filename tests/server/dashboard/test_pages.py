"""The dashboard's pages over the in-process sandbox: configure and connect through the forms (OAuth
through the consent page and back), the callback's outcome, re-authorisation, disconnect, discovery and
search, activity, bad input as a page (never a 500), and no secret in any page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from crmbridge.server import ServiceSettings
from tests.durable.dbosutil import shared_runner
from tests.server.service_env import PUBLIC, SANDBOX, ServiceEnv, build_env, close_env

from .dash_env import csrf_of, post_form, sign_in

pytestmark = pytest.mark.anyio
SCOPES = ["crm.objects.contacts.read", "crm.objects.contacts.write"]


async def configure_hubspot(env: ServiceEnv) -> dict[str, str]:
    app = await env.control(
        "/_sandbox/hubspot/apps", {"redirect_uri": f"{PUBLIC}/oauth/callback", "required_scopes": SCOPES}
    )
    form = {
        "provider": "hubspot",
        "auth": "oauth",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "scopes": " ".join(SCOPES),
        "authorize_url": app["authorize_url"],
        "token_url": app["token_url"],
        "base_url": f"{SANDBOX}/hubspot",
    }
    r = await post_form(env, "/dashboard/integrations", "/dashboard/integrations", form)
    assert r.status_code == 303, r.text
    return app


async def connect_hubspot(env: ServiceEnv, identifier: str, portal_id: int) -> httpx.Response:
    """Press Connect, follow the hand-off through consent; returns the callback's answer."""
    r = await post_form(
        env, "/dashboard/integrations", "/dashboard/integrations/hubspot/connect", {"identifier": identifier}
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"{PUBLIC}/oauth/begin?h="), r.text
    return await env.consent(r.headers["location"], {"portal_id": str(portal_id)})


async def test_configure_connect_and_come_back_to_accounts(env: ServiceEnv) -> None:
    await sign_in(env, env.key)
    app = await configure_hubspot(env)
    page = await env.api.get("/dashboard/integrations?done=saved")
    assert "Integration saved." in page.text and app["client_id"] in page.text
    assert "stored (write-only)" in page.text and app["client_secret"] not in page.text
    portal = await env.control("/_sandbox/hubspot/portals", {"contacts": 2})
    back = await connect_hubspot(env, "u1", portal["portal_id"])
    assert back.status_code == 303
    target = urlsplit(back.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{PUBLIC}/dashboard/accounts"
    shown = await env.api.get(f"{target.path}?{target.query}")
    assert 'id="outcome"' in shown.text and "ACTIVE" in shown.text
    assert 'status-active">ACTIVE<' in shown.text and "crm.objects.contacts.read" in shown.text
    assert str(portal["portal_id"]) in shown.text


async def test_the_scope_planner_warns_on_the_integrations_page(env: ServiceEnv) -> None:
    await sign_in(env, env.key)
    await configure_hubspot(env)
    page = await env.api.get("/dashboard/integrations")
    assert "Scope planner" in page.text
    plan = env.runtime.tenant("acme").plan_scopes(provider="hubspot", connection_name="hubspot")
    assert plan.warnings, "the sandbox app asks for two scopes of a catalog that needs many"
    assert plan.warnings[0].message.split("'")[0] in page.text.replace("&#39;", "'")


async def test_an_account_that_is_not_active_can_be_reauthorised(env: ServiceEnv) -> None:
    await sign_in(env, env.key)
    await configure_hubspot(env)
    portal = await env.control("/_sandbox/hubspot/portals", {"contacts": 1})
    await connect_hubspot(env, "u1", portal["portal_id"])
    await env.runtime.tenant("acme").adisconnect_account(connection_name="hubspot", identifier="u1")
    page = await env.api.get("/dashboard/accounts")
    assert "status-revoked" in page.text and "Re-authorise" in page.text
    r = await env.api.post("/dashboard/accounts/hubspot/u1/reauthorize", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"].startswith(f"{PUBLIC}/oauth/begin?h=")
    back = await env.consent(r.headers["location"], {"portal_id": str(portal["portal_id"])})
    assert back.headers["location"].startswith(f"{PUBLIC}/dashboard/accounts?status=ACTIVE")


async def test_disconnect_asks_first_then_deletes(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    await sign_in(env, env.key)
    confirm = await env.api.get("/dashboard/accounts/pipedrive/u1/disconnect")
    assert confirm.status_code == 200 and "Disconnect <strong>u1</strong>" in confirm.text
    r = await env.api.post(
        "/dashboard/accounts/pipedrive/u1/disconnect", data={"csrf": csrf_of(confirm.text)}
    )
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/accounts?done=disconnected"
    gone = await env.api.get("/integrations/pipedrive/accounts/u1", headers=env.headers())
    assert gone.status_code == 404
    missing = await env.api.post(
        "/dashboard/accounts/pipedrive/u1/disconnect", data={"csrf": csrf_of(confirm.text)}
    )
    assert missing.status_code == 404 and "No account &#39;u1&#39;" in missing.text


async def test_api_key_connect_through_the_form(env: ServiceEnv) -> None:
    company = await env.control("/_sandbox/pipedrive/companies", {"seed": 3})
    await sign_in(env, env.key)
    form = {"provider": "pipedrive", "auth": "api_key", "base_url": f"{SANDBOX}/pipedrive"}
    assert (
        await post_form(env, "/dashboard/integrations", "/dashboard/integrations", form)
    ).status_code == 303
    wrong = await post_form(
        env, "/dashboard/integrations", "/dashboard/integrations/pipedrive/connect",
        {"identifier": "u9", "api_key": "not-a-token"},
    )  # fmt: skip
    assert wrong.status_code == 400 and 'role="alert"' in wrong.text and "not-a-token" not in wrong.text
    r = await post_form(
        env, "/dashboard/integrations", "/dashboard/integrations/pipedrive/connect",
        {"identifier": "u9", "api_key": company["api_token"]},
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/accounts?done=connected"
    page = await env.api.get(r.headers["location"])
    assert "Account connected." in page.text and ">u9<" in page.text


async def test_bad_input_is_a_page_not_a_500(env: ServiceEnv) -> None:
    await sign_in(env, env.key)
    r = await post_form(env, "/dashboard/integrations", "/dashboard/integrations", {"provider": "salesforce"})
    assert r.status_code == 400 and "Unknown provider" in r.text
    r = await post_form(
        env, "/dashboard/integrations", "/dashboard/integrations", {"provider": "hubspot", "auth": "oauth"}
    )
    assert r.status_code == 400 and "clientId" in r.text
    r = await post_form(
        env, "/dashboard/integrations", "/dashboard/integrations", {"provider": "x", "name": "a b"}
    )
    assert r.status_code == 400
    r = await env.api.get("/dashboard/schema?account=nonsense")
    assert r.status_code == 422 and "Choose an account" in r.text
    r = await env.api.get("/dashboard/schema/object?account=pipedrive:u1")
    assert r.status_code == 400 and "malformed (name)" in r.text
    r = await env.api.get("/dashboard/accounts?status=" + "x" * 100)
    assert r.status_code == 400


async def test_the_callbacks_outcome_is_text(env: ServiceEnv) -> None:
    await sign_in(env, env.key)
    r = await env.api.get(
        "/dashboard/accounts",
        params={"status": "error", "code": "<script>x</script>", "integration": "h", "identifier": "i"},
    )
    assert "failed (&lt;script&gt;x&lt;/script&gt;)" in r.text and "<script>x" not in r.text


async def test_discover_browse_and_search_the_schema(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    await sign_in(env, env.key)
    before = await env.api.get("/dashboard/schema")
    assert "has not been discovered yet" in before.text
    r = await post_form(env, "/dashboard/schema", "/dashboard/schema/discover", {"account": "pipedrive:u1"})
    assert r.status_code == 303
    page = await env.api.get(r.headers["location"])
    assert "Version 1" in page.text and "name=deals" in page.text
    found = await env.api.get("/dashboard/schema", params={"account": "pipedrive:u1", "q": "expected close"})
    assert "expected_close_date" in found.text
    partial = await env.api.get(
        "/dashboard/schema",
        params={"account": "pipedrive:u1", "q": "dael"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    assert partial.text.lstrip().startswith("<ol") and "<html" not in partial.text and "deals" in partial.text
    deal = await env.api.get("/dashboard/schema/object", params={"account": "pipedrive:u1", "name": "deals"})
    assert deal.status_code == 200 and "<code>title</code>" in deal.text and "Pipelines" in deal.text
    nothing = await env.api.get("/dashboard/schema/object", params={"account": "pipedrive:u1", "name": "zzz"})
    assert nothing.status_code == 404


async def test_activity_lists_tool_calls_with_outcome_and_error_code(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    ok = await env.api.post(
        "/tools/pipedrive_deals_search/execute",
        headers=env.headers(),
        json={"identifier": "u1", "input": {"term": "a"}},
    )
    assert ok.status_code == 200
    bad = await env.api.post(
        "/tools/pipedrive_deals_search/execute",
        headers=env.headers(),
        json={"identifier": "nobody", "input": {}},
    )
    assert bad.status_code == 200 and bad.json()["ok"] is False
    await sign_in(env, env.key)
    page = await env.api.get("/dashboard/activity")
    assert page.text.count("<code>pipedrive_deals_search</code>") == 2
    assert f"<code>{bad.json()['error']['code']}</code>" in page.text
    assert "2 calls" in page.text and '<svg role="img"' in page.text


async def test_no_secret_in_any_page(tmp_path: Path) -> None:
    settings = ServiceSettings(
        public_url=PUBLIC,
        refresh_interval=0,
        webhook_transport=httpx.MockTransport(lambda r: httpx.Response(200)),
    )
    env = await build_env(tmp_path, settings=settings, durable=shared_runner())
    try:
        company = await env.pipedrive_api_key(identifier="u1")
        hook = await env.api.put(
            "/webhooks", headers=env.headers(),
            json={"url": "https://hooks.example/crm", "events": ["account.status_changed"]},
        )  # fmt: skip
        assert hook.status_code == 200
        await sign_in(env, env.key)
        app = await configure_hubspot(env)
        secrets = [
            env.key,
            env.key.split("_", 2)[2],  # the secret part (which may itself contain "_")
            app["client_secret"],
            company["api_token"],
            hook.json()["secret"],
        ]
        pages = [
            "integrations",
            "accounts",
            "schema",
            "activity",
            "webhooks",
            "accounts/pipedrive/u1/disconnect",
            "agents",
            "logging",
        ]
        for name in pages:
            r = await env.api.get(f"/dashboard/{name}")
            assert r.status_code == 200, (name, r.text)
            leaked = [s for s in secrets if s in r.text]
            assert not leaked, name
        webhooks = await env.api.get("/dashboard/webhooks")
        assert "https://hooks.example/crm" in webhooks.text and "account.status_changed" in webhooks.text
    finally:
        await close_env(env)
