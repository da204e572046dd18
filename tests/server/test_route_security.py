"""Authentication, scopes and tenant isolation for every route the app has, read from its route table.

Each test walks :func:`route_table.protected` and collects every route that misbehaves, so one run
names them all, and a route added later is checked without editing this file.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge.core.tenants import SCOPES

from .route_table import PUBLIC_PATHS, Endpoint, endpoints, protected
from .service_env import SANDBOX, WEBHOOK, ServiceEnv

pytestmark = pytest.mark.anyio

# Path values for the calling tenant's own things (used where a route only needs *some* path).
OWN = {
    "integration": "pipedrive",
    "identifier": "alpha-user",
    "tool_name": "pipedrive_deals_list",
    "key_id": "nosuchkeyid",
    "agentId": "agt_nosuchagent",
    "name": "find_contact",
    "object": "deal",
    "conversationId": "cnv_nosuchconversation",
}


async def call(env: ServiceEnv, endpoint: Endpoint, values: dict[str, str], **kwargs: Any) -> httpx.Response:
    body = {"json": {}} if endpoint.method in ("POST", "PUT", "PATCH") else {}
    return await env.api.request(endpoint.method, endpoint.url({**OWN, **values}), **body, **kwargs)


def is_problem(response: httpx.Response, status: int) -> bool:
    return (
        response.status_code == status
        and response.headers.get("content-type", "").startswith("application/problem+json")
        and response.json().get("status") == status
    )


async def test_every_route_that_is_not_public_requires_a_scope(env: ServiceEnv) -> None:
    table = endpoints(env.app)
    assert {e.path for e in table} >= PUBLIC_PATHS - {"/oauth/begin"}  # begin is not in the schema
    missing = [str(e) for e in protected(env.app) if e.scope is None or not e.authenticates]
    assert missing == [], f"routes without require(scope): {missing}"
    unknown = [f"{e}: {e.scope}" for e in protected(env.app) if e.scope not in SCOPES]
    assert unknown == []
    public_with_auth = [str(e) for e in table if e.path in PUBLIC_PATHS and e.authenticates]
    assert public_with_auth == []


async def test_no_malformed_unknown_or_revoked_key_gets_in(env: ServiceEnv) -> None:
    revoked = env.new_key("acme")
    record = next(k for k in env.tenants.list_keys("acme") if revoked.startswith(f"crmb_{k.id}_"))
    env.tenants.revoke_key(record.id)
    well_shaped_unknown = "crmb_" + "a" * 16 + "_" + "B" * 43
    variants: dict[str, dict[str, str]] = {
        "no key": {},
        "empty": {"Authorization": ""},
        "not bearer": {"Authorization": f"Basic {env.key}"},
        "bearer without key": {"Authorization": "Bearer "},
        "malformed": {"Authorization": "Bearer not-a-crmbridge-key"},
        "truncated": {"Authorization": f"Bearer {env.key[:-3]}"},
        "unknown": {"Authorization": f"Bearer {well_shaped_unknown}"},
        "revoked": {"Authorization": f"Bearer {revoked}"},
    }
    wrong = []
    for endpoint in protected(env.app):
        for label, headers in variants.items():
            r = await call(env, endpoint, {}, headers=headers)
            if not is_problem(r, 401) or not r.headers.get("www-authenticate", "").startswith("Bearer"):
                wrong.append(f"{endpoint} [{label}] -> {r.status_code} {r.text[:120]}")
            elif r.json()["code"] != "unauthenticated":
                wrong.append(f"{endpoint} [{label}] code {r.json()['code']}")
    assert wrong == []


async def test_a_key_without_the_route_scope_is_refused_naming_it(env: ServiceEnv) -> None:
    keys = {
        scope: env.new_key("acme", [s for s in SCOPES if s not in (scope, "admin")])
        for scope in {e.scope for e in protected(env.app)}
        if scope is not None
    }
    wrong = []
    for endpoint in protected(env.app):
        assert endpoint.scope is not None
        r = await call(env, endpoint, {}, headers=env.headers(keys[endpoint.scope]))
        if not is_problem(r, 403):
            wrong.append(f"{endpoint} -> {r.status_code} {r.text[:120]}")
            continue
        problem = r.json()
        if problem["code"] != "permission_denied" or endpoint.scope not in problem["detail"]:
            wrong.append(f"{endpoint}: {problem}")
        elif problem.get("details", {}).get("required_scope") != endpoint.scope:
            wrong.append(f"{endpoint}: details {problem.get('details')}")
    assert wrong == []


async def test_a_key_with_the_route_scope_alone_gets_past_the_scope_check(env: ServiceEnv) -> None:
    wrong = []
    for endpoint in protected(env.app):
        assert endpoint.scope is not None
        only = env.new_key("acme", [endpoint.scope])
        r = await call(env, endpoint, {}, headers=env.headers(only))
        if r.status_code in (401, 403) or r.status_code >= 500:
            wrong.append(f"{endpoint} -> {r.status_code} {r.text[:120]}")
    assert wrong == []


async def two_tenants(env: ServiceEnv) -> dict[str, str]:
    """acme (env.key) and beta, each with a `pipedrive` integration and one account; beta also has an
    integration acme has not. Returns beta's ids."""
    beta_key = env.new_key("beta")
    await env.pipedrive_api_key(identifier="alpha-user")
    await env.pipedrive_api_key(key=beta_key, identifier="beta-user")
    r = await env.api.put(
        "/integrations/beta-crm",
        headers=env.headers(beta_key),
        json={"provider": "pipedrive", "auth": "api_key", "baseUrl": f"{SANDBOX}/pipedrive"},
    )
    assert r.status_code == 200, r.text
    beta_key_id = next(k.id for k in env.tenants.list_keys("beta"))
    agent = await env.api.post("/agents", headers=env.headers(beta_key), json={"name": "beta-agent"})
    assert agent.status_code in (200, 201), agent.text
    return {"key": beta_key, "key_id": beta_key_id, "agent_id": agent.json()["id"]}


async def test_another_tenants_ids_are_not_found(env: ServiceEnv) -> None:
    beta = await two_tenants(env)
    acme_no_admin = env.new_key("acme", [s for s in SCOPES if s != "admin"])
    theirs = [
        {"integration": "beta-crm"},  # only beta has it
        {"integration": "pipedrive", "identifier": "beta-user"},  # same integration name, beta's account
        {"agentId": beta["agent_id"]},
    ]
    wrong, checked = [], 0
    for endpoint in protected(env.app):
        if endpoint.method == "PUT" or endpoint.scope == "admin":
            continue  # PUT configures the caller's own integration; admin spans tenants by design
        for values in theirs:
            if not set(values) & set(endpoint.params) or not set(endpoint.params) <= set(OWN) | set(values):
                continue
            if "identifier" in values and "identifier" not in endpoint.params:
                continue
            checked += 1
            r = await call(env, endpoint, values, headers=env.headers(acme_no_admin))
            # An empty body refused by the body's schema never reached a lookup: nothing was disclosed.
            refused_body = is_problem(r, 422) and r.json()["code"] == "invalid_request"
            if not (is_problem(r, 404) or refused_body):
                wrong.append(f"{endpoint} {values} -> {r.status_code} {r.text[:120]}")
    assert wrong == [] and checked >= 6
    # Beta's things are untouched, and a tool call naming beta's account does not reach it.
    listed = await env.api.get("/integrations/pipedrive/accounts", headers=env.headers(beta["key"]))
    assert [a["identifier"] for a in listed.json()["data"]] == ["beta-user"]
    tool = await env.api.post(
        "/tools/pipedrive_deals_list/execute",
        headers=env.headers(acme_no_admin),
        json={"identifier": "beta-user", "input": {}},
    )
    assert tool.status_code == 200 and tool.json()["ok"] is False, tool.text
    assert tool.json()["error"]["code"] in ("not_found", "not_connected", "configuration_error")


async def test_a_non_admin_key_cannot_touch_key_ids_at_all(env: ServiceEnv) -> None:
    beta = await two_tenants(env)
    acme_no_admin = env.new_key("acme", [s for s in SCOPES if s != "admin"])
    r = await env.api.delete(f"/api-keys/{beta['key_id']}", headers=env.headers(acme_no_admin))
    assert is_problem(r, 403)
    unknown = await env.api.delete("/api-keys/nosuchkeyid", headers=env.headers())
    assert is_problem(unknown, 404)
    still = await env.api.get("/integrations", headers=env.headers(beta["key"]))
    assert still.status_code == 200


async def test_lists_never_show_another_tenants_items(env: ServiceEnv) -> None:
    beta = await two_tenants(env)
    assert (await env.api.put("/webhooks", headers=env.headers(), json=WEBHOOK)).status_code == 200
    secrets_of_beta = ("beta-user", "beta-crm", beta["key_id"], beta["agent_id"])
    agent = await env.api.post("/agents", headers=env.headers(), json={"name": "alpha-agent"})
    found = await env.api.post(
        "/integrations/pipedrive/discover", headers=env.headers(), json={"identifier": "alpha-user"}
    )
    assert found.status_code == 200, found.text
    conversation = env.runtime.tenant("acme").agents.start_conversation(agent.json()["id"], channel="chat")
    ours = {"agentId": agent.json()["id"], "conversationId": conversation["id"]}
    query = {"identifier": "alpha-user", "q": "deal"}
    leaks, checked = [], 0
    for endpoint in protected(env.app):
        if endpoint.method != "GET" or endpoint.path == "/tenants":
            continue  # the tenant list is the operator's (admin) view of every tenant, by design
        r = await call(env, endpoint, ours, headers=env.headers(), params=query)
        assert r.status_code == 200, f"{endpoint}: {r.text}"
        checked += 1
        leaks += [f"{endpoint} shows {s}" for s in secrets_of_beta if s in r.text]
    assert leaks == [] and checked >= 5
