"""No secret anywhere: a whole scenario through the HTTP API, with every response (body and headers) and
every log record (as captured, and as the JSON access-log formatter writes it) searched for every secret
in use — OAuth client secrets, access and refresh tokens, the CRMs' API tokens, the service's API keys.

The one exception is the response that creates a key: it shows that key, once, by design.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from crmbridge.server.middleware import JsonLogFormatter

from .service_env import PUBLIC, SANDBOX, ServiceEnv

pytestmark = pytest.mark.anyio


@dataclass
class Captured:
    responses: list[tuple[str, httpx.Response]] = field(default_factory=list)

    async def hook(self, response: httpx.Response) -> None:
        await response.aread()
        self.responses.append((f"{response.request.method} {response.request.url}", response))


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The JSON formatter's output for every record, as ``crmbridge serve`` writes it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonLogFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)


def credentials_in_store(env: ServiceEnv) -> set[str]:
    """Every token the vault holds for the tenant's accounts (decrypted by the store)."""
    found: set[str] = set()
    for account in env.runtime.store.accounts.list("acme"):
        found |= {v for v in account.credentials.values() if isinstance(v, str) and len(v) >= 8}
    return found


async def scenario(env: ServiceEnv, secrets: set[str]) -> str:
    """Configure, connect, call and fail in every way the API offers; returns the created key."""
    h = env.headers()
    hubspot = await env.hubspot_oauth()
    pipedrive_app = await env.control(
        "/_sandbox/pipedrive/apps",
        {"redirect_uri": f"{PUBLIC}/oauth/callback", "scopes": ["deals:full", "contacts:read"]},
    )
    secrets |= {hubspot["client_secret"], pipedrive_app["client_secret"]}
    r = await env.api.put(
        "/integrations/pipedrive",
        headers=h,
        json={
            "clientId": pipedrive_app["client_id"],
            "clientSecret": pipedrive_app["client_secret"],
            "scopes": ["deals:full", "contacts:read"],
            "authorizeUrl": pipedrive_app["authorize_url"],
            "tokenUrl": pipedrive_app["token_url"],
            "baseUrl": f"{SANDBOX}/pipedrive",
        },
    )
    assert r.status_code == 200, r.text
    portal = await env.control("/_sandbox/hubspot/portals", {"contacts": 3, "seed": 5})
    company = await env.control("/_sandbox/pipedrive/companies", {"seed": 5, "deals": 3, "persons": 2})
    keyed = await env.control("/_sandbox/pipedrive/companies", {"seed": 6, "deals": 2, "persons": 1})
    secrets |= {company["api_token"], keyed["api_token"]}
    for integration, form in (
        ("hubspot", {"portal_id": str(portal["portal_id"])}),
        ("pipedrive", {"company_id": str(company["company_id"])}),
    ):
        r = await env.api.post(f"/integrations/{integration}/connect", headers=h, json={"identifier": "u1"})
        assert r.status_code == 200, r.text
        page = await env.consent(r.json()["oauthUrl"], form)
        assert page.status_code == 200, page.text
    # API-key mode, with a good key and a wrong one.
    r = await env.api.put(
        "/integrations/pd-key",
        headers=h,
        json={"provider": "pipedrive", "auth": "api_key", "baseUrl": f"{SANDBOX}/pipedrive"},
    )
    assert r.status_code == 200, r.text
    wrong_token = keyed["api_token"][::-1]
    secrets.add(wrong_token)
    for token in (keyed["api_token"], wrong_token):
        await env.api.post(
            "/integrations/pd-key/connect", headers=h, json={"identifier": "u2", "apiKey": token}
        )
    assert (await env.api.get("/integrations/pd-key/accounts/u2", headers=h)).json()["status"] == "ACTIVE"
    secrets |= credentials_in_store(env)
    # Tool calls; then let the OAuth tokens expire so the next calls refresh them.
    calls = [
        ("hubspot_contacts_search", {"identifier": "u1", "integration": "hubspot", "input": {"limit": 2}}),
        ("pipedrive_deals_list", {"identifier": "u1", "integration": "pipedrive", "input": {}}),
        ("pipedrive_deals_list", {"identifier": "u2", "integration": "pd-key", "input": {}}),
        ("pipedrive_deal_get", {"identifier": "u2", "integration": "pd-key", "input": {}}),  # invalid
    ]
    for tool, body in calls:
        assert (await env.api.post(f"/tools/{tool}/execute", headers=h, json=body)).status_code == 200
    await env.control("/_sandbox/clock", {"advance_seconds": 3 * 3600})
    for tool, body in calls[:2]:
        r = await env.api.post(f"/tools/{tool}/execute", headers=h, json=body)
        assert r.json()["ok"] is True, r.text
    refreshed = credentials_in_store(env)
    assert refreshed - secrets, "the clock advance should have refreshed the OAuth tokens"
    secrets |= refreshed
    # Keys over HTTP: create one, use it, revoke it, use it again; and the wrong keys.
    created = await env.api.post("/api-keys", headers=h, json={"scopes": ["integrations:read"], "name": "ci"})
    assert created.status_code == 201, created.text
    new_key = created.json()["key"]
    secrets.add(new_key)
    assert (await env.api.get("/integrations", headers=env.headers(new_key))).status_code == 200
    assert (await env.api.get("/tools", headers=env.headers(new_key))).status_code == 403
    await env.api.delete(f"/api-keys/{created.json()['id']}", headers=h)
    assert (await env.api.get("/integrations", headers=env.headers(new_key))).status_code == 401
    assert (await env.api.get("/integrations", headers=env.headers(env.key + "x"))).status_code == 401
    # Reading everything back.
    for path in ("/integrations", "/integrations/hubspot", "/integrations/pipedrive", "/api-keys"):
        assert (await env.api.get(path, headers=h)).status_code == 200
    for integration, who in (("hubspot", "u1"), ("pipedrive", "u1"), ("pd-key", "u2")):
        assert (
            await env.api.get(f"/integrations/{integration}/accounts/{who}", headers=h)
        ).status_code == 200
    assert (await env.api.delete("/integrations/pd-key/accounts/u2", headers=h)).status_code == 204
    return new_key


def leaks_in(text: str, secrets: set[str]) -> list[str]:
    return [f"{s[:4]}…({len(s)})" for s in secrets if s in text]


async def test_no_secret_in_any_response_or_log_line(
    env: ServiceEnv, caplog: pytest.LogCaptureFixture, json_log: io.StringIO
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):  # every logger, whatever level it was given
        logger = logging.getLogger(name)
        if logger.level > logging.DEBUG:
            caplog.set_level(logging.DEBUG, logger=name)
    captured = Captured()
    env.api.event_hooks["response"].append(captured.hook)
    secrets: set[str] = {env.key}
    new_key = await scenario(env, secrets)
    assert len(secrets) >= 10 and all(len(s) >= 8 for s in secrets), len(secrets)

    found: list[str] = []
    shown_once = 0
    for label, response in captured.responses:
        allowed = {new_key} if label.startswith("POST") and label.endswith("/api-keys") else set()
        shown_once += bool(allowed and new_key in response.text)
        text = response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.multi_items())
        found += [f"{label}: {leak}" for leak in leaks_in(text, secrets - allowed)]
    assert shown_once == 1  # the capture sees bodies: the created key is there, and only there
    assert len(captured.responses) >= 30
    assert len(caplog.records) >= 50
    for record in caplog.records:
        text = record.getMessage() + repr(record.__dict__)
        found += [f"log {record.name}: {leak}" for leak in leaks_in(text, secrets)]
    found += [f"caplog text: {leak}" for leak in leaks_in(caplog.text, secrets)]
    formatted = json_log.getvalue()
    assert '"logger": "crmbridge.server.access"' in formatted and '"request_id"' in formatted
    found += [f"JSON log: {leak}" for leak in leaks_in(formatted, secrets)]
    assert found == [], found
