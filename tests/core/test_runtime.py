"""One Runtime, many tenants: shared parts, isolated data, cheap views, clean shutdown."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from crmbridge import Bridge, Runtime
from crmbridge.engine import RetryPolicy
from crmbridge.errors import ConfigurationError
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox

pytestmark = pytest.mark.anyio

HUBSPOT = "http://sandbox/hubspot"


@pytest.fixture
async def runtime(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Runtime]:
    built = Runtime(
        f"sqlite:///{tmp_path}/runtime.db",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        retry=RetryPolicy(max_attempts=3, base_delay=0.005, max_delay=0.02),
        vault=Vault.from_string(Vault.generate_key()),
        rate_limit_scale=0.01,
        index_lag=0.0,
        entry_points=False,
    )
    yield built
    await built.aclose()


async def connect_tenant(runtime: Runtime, sandbox: Sandbox, tenant: str, seed: int) -> Bridge:
    """A tenant whose user ``u1`` is connected to a portal of its own."""
    portal = sandbox.hubspot.create_portal(seed_value=seed, contacts=5)
    view = runtime.tenant(tenant)
    await view.aadd_connection("hubspot", provider="hubspot", base_url=HUBSPOT)
    await view.aconnect_api_key(connection_name="hubspot", identifier="u1", api_key=portal.private_app_token)
    return view


@pytest.mark.slow  # 100 creates per portal wait out HubSpot's real 10-second window
async def test_two_tenants_interleave_200_calls_without_crossing(runtime: Runtime, sandbox: Sandbox) -> None:
    acme = await connect_tenant(runtime, sandbox, "acme", seed=1)
    globex = await connect_tenant(runtime, sandbox, "globex", seed=2)
    views = {"acme": acme, "globex": globex}

    async def create(tenant: str, n: int) -> tuple[str, str, str]:
        email = f"{tenant}-{n}@example.com"
        result = await views[tenant].aexecute_tool(
            identifier="u1", tool_name="hubspot_contact_create", tool_input={"email": email}
        )
        assert result.ok, result.error
        return tenant, email, result.data["id"]

    order = [("acme", n) for n in range(100)] + [("globex", n) for n in range(100)]
    random.Random(5).shuffle(order)
    created = await asyncio.gather(*(create(tenant, n) for tenant, n in order))

    for tenant, view in views.items():
        found = await view.aexecute_tool(
            identifier="u1",
            tool_name="hubspot_contacts_search",
            tool_input={"query": "example.com", "limit": 200, "properties": ["email"]},
        )
        assert found.ok, found.error
        emails = {r["properties"]["email"] for r in found.data["results"]}
        mine = {email for owner, email, _ in created if owner == tenant}
        theirs = {email for owner, email, _ in created if owner != tenant}
        assert mine <= emails and not (theirs & emails)
    for tenant in views:  # every call landed once, in its own tenant's portal
        assert len({record_id for owner, _, record_id in created if owner == tenant}) == 100

    # One process, one set of parts: the same engine, connection pool and limiter serve both tenants.
    assert acme.engine is globex.engine is runtime.engine
    assert acme.engine.http.rate_limiter is globex.engine.http.rate_limiter
    assert len(runtime.engine.http._clients) == 1


async def test_a_tenant_sees_only_its_own_connections_and_accounts(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    await connect_tenant(runtime, sandbox, "acme", seed=1)
    other = runtime.tenant("globex")
    assert await other.alist_connected_accounts() == []
    result = await other.aexecute_tool(identifier="u1", tool_name="hubspot_owners_list", tool_input={})
    assert not result.ok and result.error is not None
    assert result.error.code == "configuration_error" and "No hubspot connection" in result.error.message
    with pytest.raises(ConfigurationError, match="no connection named 'hubspot'"):
        await other.aget_connected_account(connection_name="hubspot", identifier="u1")


async def test_tenant_views_are_cheap_and_reused(runtime: Runtime) -> None:
    assert runtime.tenant("acme") is runtime.tenant("acme")
    assert runtime.tenant("acme") is not runtime.tenant("globex")
    assert runtime.tenant("acme").tenant_id == "acme"
    with pytest.raises(ConfigurationError, match="tenant_id"):
        runtime.tenant(" ")


async def test_closing_a_view_leaves_the_runtime_running(runtime: Runtime, sandbox: Sandbox) -> None:
    acme = await connect_tenant(runtime, sandbox, "acme", seed=1)
    await acme.aclose()
    result = await runtime.tenant("acme").aexecute_tool(
        identifier="u1", tool_name="hubspot_owners_list", tool_input={}
    )
    assert result.ok, result.error


async def test_a_closed_runtime_refuses_new_views(sandbox: Sandbox, tmp_path: Path) -> None:
    built = Runtime(
        f"sqlite:///{tmp_path}/closed.db",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        entry_points=False,
    )
    await built.aclose()
    await built.aclose()  # idempotent
    with pytest.raises(ConfigurationError, match="closed"):
        built.tenant("acme")


def test_the_sync_facade_shares_the_runtime_loop(sandbox: Sandbox, tmp_path: Path) -> None:
    portal = sandbox.hubspot.create_portal(seed_value=3, contacts=2)
    with Runtime(
        f"sqlite:///{tmp_path}/sync.db",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        vault=Vault.from_string(Vault.generate_key()),
        entry_points=False,
    ) as built:
        for tenant in ("acme", "globex"):
            view = built.tenant(tenant)
            view.add_connection("hubspot", provider="hubspot", base_url=HUBSPOT)
            view.connect_api_key(connection_name="hubspot", identifier="u1", api_key=portal.private_app_token)
            result = view.execute_tool(
                identifier="u1", tool_name="hubspot_contacts_list", tool_input={"limit": 1}
            )
            assert result.ok, result.error
        assert len(built.engine.http._clients) == 1  # both tenants' sync calls ran on the runtime's loop


def test_bridge_on_its_own_owns_a_private_runtime(sandbox: Sandbox, tmp_path: Path) -> None:
    bridge = Bridge(
        f"sqlite:///{tmp_path}/own.db",
        tenant_id="solo",
        data_dir=tmp_path,
        transport=sandbox.transport(),
        vault=Vault.from_string(Vault.generate_key()),
    )
    assert bridge.runtime.tenant("solo") is not bridge  # the shortcut is not cached as a view
    assert bridge.tenant_id == "solo"
    bridge.close()
    with pytest.raises(ConfigurationError, match="closed"):
        bridge.runtime.tenant("solo")


def test_a_runtime_without_providers_is_a_setup_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="at least one provider"):
        Runtime(f"sqlite:///{tmp_path}/none.db", data_dir=tmp_path, builtin=False, entry_points=False)


def test_every_public_bridge_method_that_does_io_has_an_async_twin() -> None:
    sync_only = {"on_account_status", "list_tools", "toolset", "oauth_callback_app", "run_sync", "attach"}
    sync_only |= {"start_refresher", "stop_refresher", "close"}
    public = {n for n in dir(Bridge) if not n.startswith("_") and callable(getattr(Bridge, n))}
    twins = {n for n in public if n.startswith("a") and n[1:] in public}
    missing = sorted(n for n in public - twins - sync_only if f"a{n}" not in public)
    assert missing == []
    assert {"aadd_connection", "aexecute_tool", "arun_tool", "aplan_scopes", "aclose"} <= twins
