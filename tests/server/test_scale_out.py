"""Scale-out: two real ``crmbridge serve`` processes sharing one Postgres database and one Redis, in front of
one sandbox served on loopback, with calls spread over both (issue 10's "two workers" criteria).

* an OAuth account whose token expired: 200 concurrent calls over both workers make one token request;
* a burst past the CRM's rate limit through both workers: no 429 reaches a caller;
* an ``Idempotency-Key`` write on one worker replayed on the other: the first answer, one write in the CRM.

The sandbox runs with rate-limit windows 50x shorter and the workers are told so
(``CRMBRIDGE_RATE_LIMIT_SCALE``), so a burst takes a fraction of a second instead of many.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.server import serve_in_thread
from tests.dbutil import temporary_postgres_database

from .service_processes import cli, free_port, process_env, require_redis, serve_workers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

SCALE = 0.02
SCOPES = ["crm.objects.contacts.read", "crm.objects.contacts.write"]
TOKEN_PATH = "/oauth/v1/token"
#: Past the 30-minute life of a HubSpot access token.
JUMP = 31 * 60


@dataclass
class Cluster:
    sandbox: Sandbox
    control: httpx.Client
    workers: list[str]
    key: str
    contact_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def crm_requests(self, path_prefix: str = "/crm/") -> list[Any]:
        return self.sandbox.ctx.log.query(provider="hubspot", path_prefix=path_prefix)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    redis_url = require_redis()
    home = tmp_path_factory.mktemp("scale-out")
    sandbox = Sandbox(rate_window_scale=SCALE)
    ports = [free_port(), free_port()]
    public = f"http://127.0.0.1:{ports[0]}"  # what a load balancer in front of both would be
    with (
        temporary_postgres_database() as db_url,
        serve_in_thread(sandbox) as root,
        httpx.Client(base_url=root, timeout=10) as control,
    ):
        env = process_env(
            CRMBRIDGE_HOME=str(home),
            CRMBRIDGE_DATABASE_URL=db_url,
            CRMBRIDGE_REDIS_URL=redis_url,
            CRMBRIDGE_SECRET_KEYS=Vault.generate_key(),
            CRMBRIDGE_PUBLIC_URL=public,
            CRMBRIDGE_RATE_LIMIT_SCALE=str(SCALE),
        )
        cli(env, "tenants", "create", "acme")
        key = cli(env, "api-keys", "create", "--tenant", "acme", "--scopes", "admin").strip()
        with serve_workers(env, home, ports) as workers:
            urls = [w.url for w in workers]
            contact_id = _connect(control, root, urls, public, key)
            yield Cluster(sandbox, control, urls, key, contact_id)


def _connect(control: httpx.Client, root: str, workers: list[str], public: str, key: str) -> str:
    """Configure HubSpot OAuth on worker B, connect ``u1`` through the browser hand-off (begin on A,
    callback on B), and return a contact id read through A."""
    a, b = workers
    headers = {"Authorization": f"Bearer {key}"}
    portal = control.post("/_sandbox/hubspot/portals", json={"contacts": 5, "seed": 3}).json()
    app = control.post(
        "/_sandbox/hubspot/apps",
        json={"redirect_uri": f"{public}/oauth/callback", "required_scopes": SCOPES},
    ).json()
    configured = httpx.put(
        f"{b}/integrations/hubspot",
        headers=headers,
        json={
            "provider": "hubspot",
            "clientId": app["client_id"],
            "clientSecret": app["client_secret"],
            "scopes": SCOPES,
            "authorizeUrl": app["authorize_url"],
            "tokenUrl": app["token_url"],
            "baseUrl": f"{root}/hubspot",
        },
    )
    assert configured.status_code == 200, configured.text
    assert configured.json()["redirectUri"] == f"{public}/oauth/callback"
    started = httpx.post(f"{b}/integrations/hubspot/connect", headers=headers, json={"identifier": "u1"})
    assert started.status_code == 200, started.text
    oauth_url = started.json()["oauthUrl"]
    assert oauth_url.startswith(f"{public}/oauth/begin?")
    with httpx.Client(timeout=10) as browser:  # one cookie jar, as one browser has
        begin = browser.get(oauth_url)
        assert begin.status_code == 302, begin.text
        consent_url = begin.headers["location"]
        page = browser.get(consent_url)
        assert page.status_code == 200, page.text
        action = re.search(r'<form method="post" action="([^"]*)"', page.text)
        assert action, page.text
        target = urljoin(consent_url, action.group(1).replace("&amp;", "&"))
        granted = browser.post(target, data={"decision": "grant", "portal_id": str(portal["portal_id"])})
        assert granted.status_code == 302, granted.text
        back = urlsplit(granted.headers["location"])
        assert f"{back.scheme}://{back.netloc}" == public
        done = browser.get(f"{b}{back.path}?{back.query}")  # the load balancer sent it to the other worker
        assert done.status_code == 200 and "connected" in done.text.lower(), done.text
    account = httpx.get(f"{a}/integrations/hubspot/accounts/u1", headers=headers).json()
    assert account["status"] == "ACTIVE", account
    found = httpx.post(
        f"{a}/tools/hubspot_contacts_search/execute",
        headers=headers,
        json={"identifier": "u1", "input": {"limit": 1}},
    )
    assert found.status_code == 200 and found.json()["ok"], found.text
    contact_id: str = found.json()["data"]["results"][0]["id"]
    return contact_id


async def _spread(
    cluster: Cluster, calls: int, tool: str, tool_input: dict[str, Any]
) -> list[httpx.Response]:
    """``calls`` concurrent tool calls, alternating between the workers."""
    limits = httpx.Limits(max_connections=calls, max_keepalive_connections=calls)
    clients = [
        httpx.AsyncClient(base_url=url, headers=cluster.headers, limits=limits, timeout=60)
        for url in cluster.workers
    ]
    try:
        return list(
            await asyncio.gather(
                *(
                    clients[i % len(clients)].post(
                        f"/tools/{tool}/execute", json={"identifier": "u1", "input": tool_input}
                    )
                    for i in range(calls)
                )
            )
        )
    finally:
        for client in clients:
            await client.aclose()


def _failures(responses: list[httpx.Response]) -> list[str]:
    return [r.text[:300] for r in responses if r.status_code != 200 or r.json().get("ok") is not True]


@pytest.mark.anyio
async def test_an_expired_token_is_refreshed_once_for_200_calls_over_two_workers(cluster: Cluster) -> None:
    before, seen = len(cluster.crm_requests(TOKEN_PATH)), len(cluster.crm_requests())
    cluster.control.post("/_sandbox/clock", json={"advance_seconds": JUMP}).raise_for_status()
    responses = await _spread(cluster, 200, "hubspot_contact_get", {"contact_id": cluster.contact_id})
    assert _failures(responses) == []
    assert len(cluster.crm_requests(TOKEN_PATH)) - before == 1
    assert [e for e in cluster.crm_requests()[seen:] if e.status == 401]  # the CRM did refuse the old token
    served = {r.json()["data"]["id"] for r in responses}
    assert served == {cluster.contact_id}


@pytest.mark.anyio
async def test_a_burst_through_both_workers_surfaces_no_429(cluster: Cluster) -> None:
    before = len(cluster.crm_requests())
    responses = await _spread(cluster, 300, "hubspot_contact_get", {"contact_id": cluster.contact_id})
    assert _failures(responses) == []  # no rate_limited result, no error of any kind
    sent = cluster.crm_requests()[before:]
    refused = [e for e in sent if e.status == 429]
    # The workers share one budget in Redis and pace themselves under it: the CRM (almost) never has to
    # refuse, and what it does refuse is retried inside the call, never shown to the caller.
    assert len(refused) <= len(sent) // 50, f"{len(refused)} of {len(sent)} requests got 429"


@pytest.mark.anyio
async def test_an_idempotent_write_replayed_on_the_other_worker_is_not_repeated(cluster: Cluster) -> None:
    a, b = cluster.workers
    key = str(uuid.uuid4())
    body = {"identifier": "u1", "input": {"email": f"ida-{key[:8]}@example.com", "firstname": "Ida"}}
    headers = {**cluster.headers, "Idempotency-Key": key}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        first = await client.post(f"{a}/tools/hubspot_contact_create/execute", json=body)
        assert first.status_code == 200 and first.json()["ok"] is True, first.text
        writes = len(cluster.crm_requests("/crm/v3/objects/contacts/batch/upsert"))
        everything = len(cluster.crm_requests("/"))
        replay = await client.post(f"{b}/tools/hubspot_contact_create/execute", json=body)
        other = await client.post(
            f"{b}/tools/hubspot_contact_create/execute",
            json={**body, "input": {**body["input"], "firstname": "Otto"}},
        )
    assert replay.status_code == 200, replay.text
    assert replay.json() == first.json()
    assert replay.headers.get("idempotent-replayed") == "true"
    assert writes == 1
    assert len(cluster.crm_requests("/")) == everything  # the replay never reached the CRM
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
