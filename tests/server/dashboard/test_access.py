"""Who may see and do what in the dashboard: no page or action without a session, a CSRF token on every
POST, the key's scopes deciding pages and actions, the cookie's flags, and a revoked key signing out."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from crmbridge.server import ServiceSettings
from tests.server.service_env import ServiceEnv, build_env, close_env

from .dash_env import csrf_of, post_form, sign_in

pytestmark = pytest.mark.anyio

PAGES = ["integrations", "accounts", "agents", "logging", "schema", "activity", "webhooks"]
ACTIONS = [
    "/dashboard/integrations",
    "/dashboard/integrations/pipedrive/connect",
    "/dashboard/accounts/pipedrive/u1/disconnect",
    "/dashboard/accounts/pipedrive/u1/reauthorize",
    "/dashboard/schema/discover",
    "/dashboard/agents",
    "/dashboard/agents/a1/pack",
    "/dashboard/agents/a1/auto-install",
    "/dashboard/agents/a1/skills/log_note/delete",
    "/dashboard/logging/pipedrive",
    "/dashboard/logging/pipedrive/retry",
    "/dashboard/schema/builder/preview",
    "/dashboard/schema/describe",
    "/dashboard/schema/bindings/install",
    "/dashboard/signout",
]


async def test_no_page_or_action_without_a_session(env: ServiceEnv) -> None:
    for name in PAGES:
        r = await env.api.get(f"/dashboard/{name}")
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin?reason=signin", name
    for action in ACTIONS:
        r = await env.api.post(action, data={"csrf": "x"})
        assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/signin"), action
    htmx = await env.api.get("/dashboard/accounts", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].startswith("/dashboard/signin")
    env.api.cookies.set("crmbridge_dashboard", "v1.forged", domain="crmbridge.test", path="/dashboard")
    forged = await env.api.get("/dashboard/accounts")
    assert forged.status_code == 303 and "reason=expired" in forged.headers["location"]


async def test_every_post_needs_the_sessions_csrf_token(env: ServiceEnv) -> None:
    # Sign-in itself: the double-submit token must match the form's cookie.
    refused = await env.api.post("/dashboard/signin", data={"csrf": "guess", "api_key": env.key})
    assert refused.status_code == 403 and "crmbridge_dashboard=" not in refused.headers.get("set-cookie", "")
    assert (await sign_in(env, env.key)).status_code == 303
    form = {"provider": "pipedrive", "auth": "api_key", "base_url": "http://sandbox/pipedrive"}
    for token in (None, "", "not-the-token"):
        data = dict(form) if token is None else {**form, "csrf": token}
        r = await env.api.post("/dashboard/integrations", data=data)
        assert r.status_code == 403 and "security token" in r.text
    assert (await env.api.get("/integrations", headers=env.headers())).json()["data"] == []
    r = await env.api.post("/dashboard/signout", data={"csrf": "nope"})
    assert r.status_code == 403
    assert (await env.api.get("/dashboard/accounts")).status_code == 200  # still signed in
    ok = await post_form(env, "/dashboard/integrations", "/dashboard/integrations", form)
    assert ok.status_code == 303 and ok.headers["location"] == "/dashboard/integrations?done=saved"
    assert [
        i["name"] for i in (await env.api.get("/integrations", headers=env.headers())).json()["data"]
    ] == ["pipedrive"]


async def test_scopes_decide_pages_and_actions(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    reader = env.new_key("acme", ["accounts:read"])
    assert (await sign_in(env, reader)).status_code == 303
    accounts = await env.api.get("/dashboard/accounts")
    assert accounts.status_code == 200 and ">u1<" in accounts.text
    nav = accounts.text.split("</nav>")[0]
    assert "/dashboard/accounts" in nav and "/dashboard/activity" in nav
    for hidden in ("/dashboard/integrations", "/dashboard/schema", "/dashboard/webhooks"):
        assert hidden not in nav
    assert "Disconnect" not in accounts.text  # accounts:write is missing
    for name in ("integrations", "schema", "webhooks"):
        r = await env.api.get(f"/dashboard/{name}")
        assert r.status_code == 403 and "lacks the" in r.text, name
    csrf = csrf_of(accounts.text)
    r = await env.api.post("/dashboard/accounts/pipedrive/u1/disconnect", data={"csrf": csrf})
    assert r.status_code == 403 and "accounts:write" in r.text
    still = await env.api.get("/integrations/pipedrive/accounts/u1", headers=env.headers())
    assert still.json()["status"] == "ACTIVE"


async def test_connect_only_with_integrations_connect(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="u1")
    viewer = env.new_key("acme", ["integrations:read"])
    await sign_in(env, viewer)
    page = await env.api.get("/dashboard/integrations")
    assert (
        page.status_code == 200
        and "Connect</button>" not in page.text
        and "Save integration" not in page.text
    )
    r = await env.api.post(
        "/dashboard/integrations/pipedrive/connect", data={"csrf": csrf_of(page.text), "identifier": "u2"}
    )
    assert r.status_code == 403 and "integrations:connect" in r.text


async def test_admin_key_chooses_the_tenant_and_others_cannot(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="acme-user")
    admin = env.new_key("ops", ["admin"])
    plain = env.new_key("ops", ["accounts:read"])
    refused = await sign_in(env, plain, tenant="acme")
    assert refused.status_code == 403 and "Only an admin key" in refused.text
    unknown = await sign_in(env, admin, tenant="nobody")
    assert unknown.status_code == 400 and "No tenant named &#39;nobody&#39;" in unknown.text
    assert (await sign_in(env, admin, tenant="acme")).status_code == 303
    page = await env.api.get("/dashboard/accounts")
    assert "workspace <strong>acme</strong>" in page.text and "acme-user" in page.text


async def test_a_bad_key_is_refused_without_echoing_it(env: ServiceEnv) -> None:
    wrong = env.key[:-4] + "AAAA"
    r = await sign_in(env, wrong)
    assert r.status_code == 401 and "Unknown API key" in r.text and wrong not in r.text
    assert (await sign_in(env, "")).status_code == 400


async def test_revoking_the_key_signs_the_browser_out(env: ServiceEnv) -> None:
    key = env.new_key("acme", ["accounts:read"])
    await sign_in(env, key)
    assert (await env.api.get("/dashboard/accounts")).status_code == 200
    key_id = key.split("_")[1]
    env.tenants.revoke_key(key_id)
    r = await env.api.get("/dashboard/accounts")
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin?reason=revoked"
    assert 'crmbridge_dashboard=""' in r.headers["set-cookie"]
    again = await env.api.get("/dashboard/signin?reason=revoked")
    assert "no longer valid" in again.text


async def test_sign_out_ends_the_session(env: ServiceEnv) -> None:
    await sign_in(env, env.key)
    r = await post_form(env, "/dashboard/accounts", "/dashboard/signout", {})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin?reason=signedout"
    assert (await env.api.get("/dashboard/accounts")).status_code == 303


async def test_session_cookie_flags_and_contents(tmp_path: Path) -> None:
    settings = ServiceSettings(public_url="https://crmbridge.example", refresh_interval=0)
    env = await build_env(tmp_path, settings=settings)
    await env.api.aclose()  # Secure cookies come back only over https
    env.api = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=env.app), base_url="https://crmbridge.example"
    )
    try:
        r = await sign_in(env, env.key)
        cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("crmbridge_dashboard="))
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "secure", "samesite=lax", "path=/dashboard"} <= flags
        value = cookie.split(";")[0].split("=", 1)[1]
        secret = env.key.split("_")[2]
        assert secret not in value and env.key.split("_")[1] not in value and "acme" not in value
        page = await env.api.get("/dashboard/signin")
        assert page.headers["x-frame-options"] == "DENY"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
    finally:
        await close_env(env)


async def test_agent_platform_actions_need_csrf_and_their_scopes(env: ServiceEnv) -> None:
    await env.pipedrive_api_key(identifier="default")
    reader = env.new_key("acme", ["integrations:read"])
    await sign_in(env, reader)
    agents = await env.api.get("/dashboard/agents")
    nav = agents.text.split("</nav>")[0]
    assert "/dashboard/agents" in nav and "/dashboard/logging" in nav
    assert "Create agent" not in agents.text  # skills:write is missing
    logging_page = await env.api.get("/dashboard/logging")
    assert "Save logging" not in logging_page.text  # integrations:write is missing
    csrf = csrf_of(agents.text)
    writes = {
        "/dashboard/agents": ("skills:write", {"name": "x"}),
        "/dashboard/logging/pipedrive": ("integrations:write", {"mode": "summary"}),
        "/dashboard/schema/describe": ("skills:write", {"account": "pipedrive:default", "goal": "x"}),
        "/dashboard/schema/bindings/install": ("skills:write", {"binding": "{}"}),
    }
    for action, (scope, data) in writes.items():
        r = await env.api.post(action, data={"csrf": csrf, **data})
        assert r.status_code == 403 and scope in r.text, action
    assert (await env.api.get("/agents", headers=env.headers())).json()["data"] == []
    await sign_in(env, env.key)
    for action, (_scope, data) in writes.items():
        r = await env.api.post(action, data={"csrf": "stale", **data})
        assert r.status_code == 403 and "security token" in r.text, action
    writeback = await env.api.get("/integrations/pipedrive/writeback", headers=env.headers())
    assert writeback.json()["mode"] == "off"
    no_scope = env.new_key("acme", ["accounts:read"])
    await sign_in(env, no_scope)
    for name in ("agents", "logging", "schema/builder?account=pipedrive:default"):
        r = await env.api.get(f"/dashboard/{name}")
        assert r.status_code == 403 and "integrations:read" in r.text, name
