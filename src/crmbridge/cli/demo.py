"""``crmbridge serve --demo``: the service with the sandbox CRMs beside it, a tenant, a key and both
integrations wired, so ``make run`` is one command away from a tool call.

The sandbox runs in a thread of the same process on a port of its own, not mounted inside the
service's app: it plays another company's servers, so on its own origin the OAuth hand-off is what it is
in production (the consent page on another host, the flow's cookie left behind on the service's),
``/openapi.json`` stays the service's, and ``server/`` keeps not knowing the sandbox exists (only the CLI
may import ``crmbridge_sandbox``). Its state file sits in the data directory beside the database, so a
restart keeps the same portal, company, app, tokens and records.

Every step is idempotent: the tenant and integrations are created or updated, the sandbox app is reused
while its redirect URI still matches, and each run prints a fresh key after revoking the previous ones.
"""

from __future__ import annotations

import json
import shlex
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .common import usage_error

if TYPE_CHECKING:
    from crmbridge_sandbox import Sandbox

    from ..core.runtime import Runtime

__all__ = ["DEMO_IDENTIFIER", "DEMO_TENANT", "DemoSetup", "demo_running", "instructions"]

DEMO_TENANT = "demo"
DEMO_IDENTIFIER = "demo"
#: The label of the key each run prints; older keys with it are revoked.
DEMO_KEY_NAME = "crmbridge serve --demo"
STATE_FILE = "demo-sandbox.state"
SEED = 1
#: What the sandbox HubSpot app asks for: every scope the built-in HubSpot tools need but tickets (a
#: tier-limited scope a starter portal could not grant).
HUBSPOT_SCOPES = (
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.companies.read",
    "crm.objects.companies.write",
    "crm.objects.deals.read",
    "crm.objects.deals.write",
    "crm.objects.owners.read",
)


@dataclass(frozen=True)
class DemoSetup:
    """What the demo wired, for the instructions: where things are and the key (shown once)."""

    public_url: str
    sandbox_url: str
    key: str
    portal_id: int
    company_name: str
    state_path: str
    restored: bool


@contextmanager
def demo_running(runtime: Runtime, public_url: str, sandbox_socket: socket.socket) -> Iterator[DemoSetup]:
    """Serve the sandbox on ``sandbox_socket`` and wire the demo tenant into ``runtime``'s database until
    the block ends; the sandbox saves its state when it stops."""
    from crmbridge_sandbox import Sandbox, StateFile, StateFileError

    host, port = sandbox_socket.getsockname()[:2]
    sandbox_url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    state_path = runtime.data_dir / STATE_FILE
    try:
        sandbox = Sandbox(state_file=StateFile(state_path, seed=SEED))
        portal, company, pipedrive_token = sandbox.starter_accounts(seed=SEED)
        client_id, client_secret = _hubspot_app(sandbox, f"{public_url}/oauth/callback")
        sandbox.save_state()
    except StateFileError as exc:
        raise usage_error(f"{exc} (the demo keeps its sandbox there)") from None
    with _served(sandbox, sandbox_socket):
        key = _wire_tenant(
            runtime,
            public_url=public_url,
            sandbox_url=sandbox_url,
            hubspot_client=(client_id, client_secret),
            pipedrive_token=pipedrive_token,
        )
        yield DemoSetup(
            public_url=public_url,
            sandbox_url=sandbox_url,
            key=key,
            portal_id=portal.id,
            company_name=company.name,
            state_path=str(state_path),
            restored=sandbox.restored,
        )


def _hubspot_app(sandbox: Sandbox, redirect_uri: str) -> tuple[str, str]:
    """The sandbox HubSpot app that redirects to this service: the one a previous run registered when
    the public URL is unchanged, else a new one."""
    for app in sandbox.hubspot.tokens.apps.values():
        if app.redirect_uri == redirect_uri and tuple(app.required_scopes) == HUBSPOT_SCOPES:
            return app.client_id, app.client_secret
    app = sandbox.hubspot.register_app(redirect_uri=redirect_uri, required_scopes=list(HUBSPOT_SCOPES))
    return app.client_id, app.client_secret


def _wire_tenant(
    runtime: Runtime,
    *,
    public_url: str,
    sandbox_url: str,
    hubspot_client: tuple[str, str],
    pipedrive_token: str,
) -> str:
    """Create or update the demo tenant, its integrations and Pipedrive account; returns a fresh key."""
    from ..core.tenants import SCOPES, Tenants

    tenants = Tenants(runtime.store)
    if runtime.store.tenants.get(DEMO_TENANT) is None:
        tenants.create(DEMO_TENANT)
    for record in tenants.list_keys(DEMO_TENANT):
        if record.name == DEMO_KEY_NAME and not record.revoked:
            tenants.revoke_key(record.id, DEMO_TENANT)
    _, key = tenants.create_key(DEMO_TENANT, SCOPES, name=DEMO_KEY_NAME)
    bridge = runtime.tenant(DEMO_TENANT)
    client_id, client_secret = hubspot_client
    bridge.add_connection(
        "hubspot",
        provider="hubspot",
        base_url=f"{sandbox_url}/hubspot",
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=f"{public_url}/oauth/callback",
        scopes=HUBSPOT_SCOPES,
        authorize_url=f"{sandbox_url}/hubspot/oauth/authorize",
        token_url=f"{sandbox_url}/hubspot/oauth/v1/token",
    )
    bridge.add_connection("pipedrive", provider="pipedrive", base_url=f"{sandbox_url}/pipedrive")
    bridge.connect_api_key(connection_name="pipedrive", identifier=DEMO_IDENTIFIER, api_key=pipedrive_token)
    return key


@contextmanager
def _served(sandbox: Sandbox, sock: socket.socket) -> Iterator[None]:
    """uvicorn in a daemon thread on ``sock``, with the lifespan on: the sandbox's autosave runs there."""
    import uvicorn

    from crmbridge_sandbox import NetworkFaults

    # log_config=None: uvicorn leaves the service's JSON logging as it is.
    config = uvicorn.Config(
        NetworkFaults(sandbox),
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="on",
        loop="asyncio",  # a thread beside the service; uvloop is for the service's own loop
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="sandbox")
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise usage_error("the demo sandbox did not start within 10 s")
            time.sleep(0.01)
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _curl(key: str, url: str, body: dict[str, object] | None = None) -> str:
    words = ["curl", "-s", "-H", f"Authorization: Bearer {key}"]
    if body is not None:
        words += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
    return shlex.join([*words, url])


def instructions(setup: DemoSetup) -> str:
    """What ``serve --demo`` prints: where everything is and the curl commands to try, key inlined."""
    url, key = setup.public_url, setup.key
    state = "restored from" if setup.restored else "saved in"
    return f"""crmbridge service (demo) on {url}, sandbox CRMs on {setup.sandbox_url}

Tenant {DEMO_TENANT!r}; a new API key with every scope (shown once; the previous demo key is revoked):
  {key}

List the tools (format: openai, openai-responses, anthropic or mcp):
  {_curl(key, f"{url}/tools?provider=pipedrive&format=openai")}

Run a Pipedrive tool on the connected sandbox company {setup.company_name!r} (identifier {DEMO_IDENTIFIER!r}):
  {_curl(key, f"{url}/tools/pipedrive_deals_list/execute", {"identifier": DEMO_IDENTIFIER, "input": {"limit": 3}})}

Connect HubSpot through OAuth: start the flow, open the oauthUrl it returns in a browser, pick portal
{setup.portal_id} on the sandbox consent page and click "Grant access":
  {_curl(key, f"{url}/integrations/hubspot/connect", {"identifier": DEMO_IDENTIFIER})}
then:
  {_curl(key, f"{url}/integrations/hubspot/accounts/{DEMO_IDENTIFIER}")}
  {_curl(key, f"{url}/tools/hubspot_contacts_search/execute", {"identifier": DEMO_IDENTIFIER, "input": {"limit": 3}})}

Dashboard: {url}/dashboard (sign in with the key above)
API docs: {url}/docs (OpenAPI at {url}/openapi.json)
Sandbox state {state} {setup.state_path}. Press Ctrl+C to stop.
"""
