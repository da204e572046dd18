"""The issue's own interface, used exactly as a customer would: a Bridge on a SQLite file, API-key
accounts for both CRMs, and the seed 003 examples run verbatim against a sandbox on a loopback port."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crmbridge import Bridge
from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.server import serve_in_thread


@pytest.fixture(scope="module")
def live() -> Iterator[dict[str, Any]]:
    sandbox = Sandbox()
    with serve_in_thread(sandbox) as root, httpx.Client(base_url=root) as control:
        portal = control.post("/_sandbox/hubspot/portals", json={"seed": 3}).json()
        company = control.post("/_sandbox/pipedrive/companies", json={"seed": 3}).json()
        yield {"root": root, "portal": portal, "company": company, "control": control}


@pytest.fixture
def bridge(live: dict[str, Any], tmp_path: Path) -> Iterator[Bridge]:
    bridge = Bridge(database_url=f"sqlite:///{tmp_path / 'bridge.db'}", data_dir=tmp_path)
    bridge.add_connection("hubspot", provider="hubspot", base_url=live["portal"]["base_url"])
    bridge.connect_api_key(
        connection_name="hubspot", identifier="user_1", api_key=live["portal"]["private_app_token"]
    )
    bridge.add_connection("pipedrive", provider="pipedrive")
    bridge.connect_api_key(
        connection_name="pipedrive",
        identifier="user_1",
        api_key=live["company"]["api_token"],
        api_domain=live["company"]["api_domain"],
    )
    yield bridge
    bridge.close()


def hubspot_get(live: dict[str, Any], path: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {live['portal']['private_app_token']}"}
    r = httpx.get(live["portal"]["base_url"] + path, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_seed_003_examples_run_verbatim(bridge: Bridge, live: dict[str, Any]) -> None:
    actions = bridge  # seed 003 calls it `actions`; only the object differs
    result = actions.execute_tool(
        identifier="user_1",
        tool_name="hubspot_contact_create",
        tool_input={
            "email": "jane@acmecorp.com",
            "firstname": "Jane",
            "lastname": "Smith",
            "jobtitle": "VP of Engineering",
            "company": "Acme Corp",
            "lifecyclestage": "lead",
        },
    )
    assert result.ok, result.error
    stored = hubspot_get(live, f"/crm/v3/objects/contacts/{result.data['id']}?properties=jobtitle,email")
    assert stored["properties"]["jobtitle"] == "VP of Engineering"

    result = actions.execute_tool(
        identifier="user_1",
        tool_name="hubspot_deal_create",
        tool_input={
            "dealname": "Acme Corp — Enterprise 2026",
            "amount": 75000,
            "dealstage": "presentationscheduled",
            "pipeline": "default",
            "closedate": "2026-06-30",
            "hs_priority": "HIGH",
        },
    )
    assert result.ok, result.error
    deal = hubspot_get(live, f"/crm/v3/objects/deals/{result.data['id']}?properties=amount,dealstage")
    assert deal["properties"]["dealstage"] == "presentationscheduled"
    assert float(deal["properties"]["amount"]) == 75000

    result = actions.execute_tool(
        identifier="user_1",
        tool_name="hubspot_deals_search",
        tool_input={
            "filterGroups": json.dumps(
                [
                    {
                        "filters": [
                            {"propertyName": "dealstage", "operator": "EQ", "value": "presentationscheduled"},
                            {"propertyName": "amount", "operator": "GT", "value": "50000"},
                        ]
                    }
                ]
            ),
            "properties": "dealname,amount,dealstage,closedate,hs_priority",
            "limit": 20,
        },
    )
    assert result.ok, result.error
    names = [d["properties"]["dealname"] for d in result.data["results"]]
    assert "Acme Corp — Enterprise 2026" in names
    assert all(float(d["properties"]["amount"]) > 50000 for d in result.data["results"])

    result = actions.execute_tool(
        identifier="user_1",
        tool_name="hubspot_contacts_search",
        tool_input={
            "query": "acme corp",
            "properties": "firstname,lastname,email,jobtitle,lifecyclestage",
            "limit": 10,
        },
    )
    assert result.ok, result.error
    assert any(c["properties"].get("email") == "jane@acmecorp.com" for c in result.data["results"])


def test_pipedrive_through_the_same_bridge(bridge: Bridge, live: dict[str, Any]) -> None:
    result = bridge.execute_tool(
        identifier="user_1", tool_name="pipedrive_deals_list", tool_input={"limit": 3}
    )
    assert result.ok, result.error
    assert 0 < len(result.data["results"]) <= 3


def test_tool_definitions_and_errors(bridge: Bridge) -> None:
    tools = bridge.list_tools(provider="hubspot")
    assert {"hubspot_contacts_search", "hubspot_deal_create"} <= {t["name"] for t in tools}
    for tool in tools:
        assert set(tool) >= {"name", "description", "input_schema", "annotations", "scopes"}
    result = bridge.execute_tool(
        identifier="user_1", tool_name="hubspot_deal_create", tool_input={"amount": 5}
    )
    assert not result.ok and result.error is not None
    assert result.error.code == "invalid_input"
    assert result.error.details["field"] == "dealname"
    nobody = bridge.execute_tool(identifier="user_9", tool_name="hubspot_contacts_search", tool_input={})
    assert nobody.error is not None and nobody.error.code == "configuration_error"


def test_no_secret_in_reprs_or_listings(bridge: Bridge, live: dict[str, Any]) -> None:
    token = live["portal"]["private_app_token"]
    shown = (
        repr(bridge)
        + repr(bridge.list_connected_accounts())
        + repr(bridge.accounts.target("hubspot", "user_1", None))
    )
    assert token not in shown
    assert live["company"]["api_token"] not in shown


def test_a_key_saved_by_another_worker_is_used_within_the_cache_ttl(
    live: dict[str, Any], tmp_path: Path
) -> None:
    """Two Bridges on one database (two workers, or a service and the CLI): a new key reaches both."""
    other = httpx.post(f"{live['root']}/_sandbox/hubspot/portals", json={"seed": 3, "contacts": 1}).json()
    vault = Vault.from_string(Vault.generate_key())
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    worker = Bridge(database_url=url, data_dir=tmp_path, vault=vault, account_cache_ttl=0.2)
    admin = Bridge(database_url=url, data_dir=tmp_path, vault=vault)
    try:
        admin.add_connection("hubspot", provider="hubspot", base_url=live["portal"]["base_url"])
        admin.connect_api_key(
            connection_name="hubspot", identifier="u", api_key=live["portal"]["private_app_token"]
        )
        first = worker.execute_tool(identifier="u", tool_name="hubspot_owners_list", tool_input={})
        assert first.ok, first.error
        admin.connect_api_key(connection_name="hubspot", identifier="u", api_key=other["private_app_token"])
        time.sleep(0.3)
        created = worker.execute_tool(
            identifier="u", tool_name="hubspot_contact_create", tool_input={"email": "moved@example.com"}
        )
        assert created.ok, created.error
        headers = {"Authorization": f"Bearer {other['private_app_token']}"}
        found = httpx.get(
            f"{other['base_url']}/crm/v3/objects/contacts/moved@example.com?idProperty=email", headers=headers
        )
        assert found.status_code == 200, "the write went to the account of the old key"
    finally:
        worker.close()
        admin.close()


def test_a_target_read_while_the_account_changed_is_not_kept(bridge: Bridge) -> None:
    accounts = bridge.accounts
    real = accounts.store.accounts.get

    def racing_read(*args: Any) -> Any:
        record = real(*args)
        accounts.forget("hubspot", "user_1")  # what connect_api_key does when it lands mid-read
        return record

    accounts.forget("hubspot", "user_1")
    accounts.store.accounts.get = racing_read  # type: ignore[method-assign]
    try:
        accounts.target("hubspot", "user_1", None)
    finally:
        accounts.store.accounts.get = real  # type: ignore[method-assign]
    assert accounts.cached_target("hubspot", "user_1", None) is None
    accounts.target("hubspot", "user_1", None)
    assert accounts.cached_target("hubspot", "user_1", None) is not None
