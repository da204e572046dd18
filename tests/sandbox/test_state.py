"""A sandbox with a state file keeps its accounts, apps, tokens and records across a restart, so saved
connections keep working; a file it cannot use is refused with a message naming it, never replaced by
an empty sandbox."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import stat
from pathlib import Path
from typing import Any

import pytest

from crmbridge_sandbox import Sandbox, StateFile, StateFileError
from crmbridge_sandbox.state import MAGIC, autosave

from .hubspot import oauth_flow as hubspot_oauth
from .pipedrive.oauth_flow import OAuthFlow

pytestmark = pytest.mark.anyio

CONTACTS = "/hubspot/crm/v3/objects/contacts"


async def _fill(sandbox: Sandbox) -> dict[str, Any]:
    """Accounts, OAuth apps and tokens of both CRMs, and a record written through each API."""
    async with sandbox.client() as client:
        portal = await hubspot_oauth.create_portal(client)
        hub_app = await hubspot_oauth.register_app(client)
        hub_tokens = await hubspot_oauth.install(client, hub_app, portal["portal_id"])
        r = await client.post(
            CONTACTS,
            json={"properties": {"email": "kept@example.com"}},
            headers={"Authorization": f"Bearer {hub_tokens['access_token']}"},
        )
        assert r.status_code == 201, r.text
        company = (await client.post("/_sandbox/pipedrive/companies", json={"persons": 2})).json()
        flow = OAuthFlow(client)
        pd_app = await flow.register()
        pd_tokens = await flow.install(pd_app, company_id=str(company["company_id"]))
        r = await client.post(
            f"/pipedrive/{company['company_domain']}/api/v2/deals",
            json={"title": "Kept deal"},
            headers=pd_tokens["headers"],
        )
        assert r.status_code == 200, r.text
    return {
        "portal": portal,
        "hub_app": hub_app,
        "hub_tokens": hub_tokens,
        "company": company,
        "pd_app": pd_app,
        "pd_tokens": pd_tokens,
        "deal_id": r.json()["data"]["id"],
    }


async def test_a_restarted_sandbox_keeps_accounts_apps_tokens_and_records(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.state"
    first = Sandbox(state_file=StateFile(path, seed=1))
    assert not first.restored
    made = await _fill(first)
    first.save_state()

    again = Sandbox(state_file=StateFile(path, seed=1))
    assert again.restored
    async with again.client() as client:
        hub = {"Authorization": f"Bearer {made['hub_tokens']['access_token']}"}
        r = await client.get(CONTACTS, params={"limit": 100}, headers=hub)
        assert r.status_code == 200, r.text
        assert "kept@example.com" in {c["properties"]["email"] for c in r.json()["results"]}
        private = {"Authorization": f"Bearer {made['portal']['private_app_token']}"}
        assert (await client.get(CONTACTS, headers=private)).status_code == 200
        r = await hubspot_oauth.refresh(client, made["hub_app"], made["hub_tokens"]["refresh_token"])
        assert r.status_code == 200, r.text

        company = made["company"]
        deals = f"/pipedrive/{company['company_domain']}/api/v2/deals/{made['deal_id']}"
        r = await client.get(deals, headers=made["pd_tokens"]["headers"])
        assert r.status_code == 200 and r.json()["data"]["title"] == "Kept deal"
        r = await client.get(deals, headers={"x-api-token": company["api_token"]})
        assert r.status_code == 200
        r = await OAuthFlow(client).refresh(made["pd_app"], made["pd_tokens"]["refresh_token"])
        assert r.status_code == 200, r.text

        # New accounts do not reuse the restored ones' ids.
        newer = await hubspot_oauth.create_portal(client)
        assert newer["portal_id"] > made["portal"]["portal_id"]
        other = (await client.post("/_sandbox/pipedrive/companies", json={"persons": 1})).json()
        assert other["company_id"] > company["company_id"]


async def test_control_calls_are_saved_at_once(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.state"
    sandbox = Sandbox(state_file=StateFile(path))
    async with sandbox.client() as client:
        portal = await hubspot_oauth.create_portal(client)
        r = await client.post("/_sandbox/clock", json={"advance_seconds": 3600})
        assert r.status_code == 200
    restored = Sandbox(state_file=StateFile(path))
    assert portal["portal_id"] in restored.hubspot.portals
    assert restored.clock.offset == pytest.approx(3600)


async def test_crm_writes_are_saved_by_autosave_and_at_shutdown(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.state"
    sandbox = Sandbox(state_file=StateFile(path, interval=0.01))
    async with sandbox.client() as client:
        portal = await hubspot_oauth.create_portal(client)
        headers = {"Authorization": f"Bearer {portal['private_app_token']}"}
        async with autosave(sandbox):
            r = await client.post(CONTACTS, json={"properties": {"email": "a@example.com"}}, headers=headers)
            assert r.status_code == 201 and sandbox.unsaved_changes
            for _ in range(500):  # the periodic flush, not the final one
                if not sandbox.unsaved_changes:
                    break
                await asyncio.sleep(0.01)
            assert not sandbox.unsaved_changes
            r = await client.post(CONTACTS, json={"properties": {"email": "b@example.com"}}, headers=headers)
        assert not sandbox.unsaved_changes  # saved when the server stops
    table = Sandbox(state_file=StateFile(path)).hubspot.portals[portal["portal_id"]].tables["0-1"]
    emails = {record.properties.get("email") for record in table.records.values()}
    assert {"a@example.com", "b@example.com"} <= emails


async def test_the_file_is_replaced_whole_and_private(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.state"
    sandbox = Sandbox(state_file=StateFile(path))
    sandbox.starter_accounts(seed=1)
    sandbox.save_state()
    sandbox.save_state()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sandbox.state"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(MAGIC)


def _saved(tmp_path: Path, seed: int = 1) -> Path:
    path = tmp_path / "sandbox.state"
    sandbox = Sandbox(state_file=StateFile(path, seed=seed))
    sandbox.starter_accounts(seed=seed)
    sandbox.save_state()
    return path


def _with_header(path: Path, **changes: Any) -> None:
    magic, header, blob = path.read_bytes().split(b"\n", 2)
    path.write_bytes(magic + b"\n" + json.dumps({**json.loads(header), **changes}).encode() + b"\n" + blob)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(b""), "is not a sandbox state file"),
        (lambda p: p.write_text("CREATE TABLE accounts (id int);\n"), "is not a sandbox state file"),
        (lambda p: p.write_bytes(p.read_bytes()[:-5000]), "is damaged"),
        (lambda p: p.write_bytes(MAGIC + b"{not json\n"), "damaged header"),
        (lambda p: _with_header(p, layout="0000"), "another crmbridge version"),
        (lambda p: _with_header(p, version=99), "another crmbridge version"),
        (lambda p: _with_header(p, seed=2), "seeded with --seed 2, not 1"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_by_name(tmp_path: Path, damage: Any, message: str) -> None:
    path = _saved(tmp_path)
    damage(path)
    with pytest.raises(StateFileError, match=message) as caught:
        Sandbox(state_file=StateFile(path, seed=1))
    assert str(path) in str(caught.value)


def test_only_the_sandbox_data_model_is_unpickled(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    magic, header, _ = path.read_bytes().split(b"\n", 2)
    path.write_bytes(magic + b"\n" + header + b"\n" + pickle.dumps({"hubspot": Path("/etc/passwd")}))
    with pytest.raises(StateFileError, match=r"is damaged \(UnpicklingError\)"):
        Sandbox(state_file=StateFile(path))


def test_a_state_file_in_a_missing_directory_fails_on_the_first_save(tmp_path: Path) -> None:
    sandbox = Sandbox(state_file=StateFile(tmp_path / "no" / "such" / "dir" / "sandbox.state"))
    with pytest.raises(StateFileError, match="cannot be written"):
        sandbox.save_state()


def test_without_a_state_file_nothing_is_written(tmp_path: Path) -> None:
    sandbox = Sandbox()
    sandbox.starter_accounts(seed=1)
    sandbox.save_state()
    assert sandbox.state_file is None and not sandbox.restored


def _call_of(module: str, name: str) -> bytes:
    """A pickle (protocol 4) that calls ``module.name()`` with no arguments."""

    def text(value: str) -> bytes:
        return b"\x8c" + bytes([len(value)]) + value.encode()

    return b"\x80\x04" + text(module) + text(name) + b"\x93)R."


def test_a_planted_pickle_cannot_reach_what_the_data_modules_import(tmp_path: Path) -> None:
    planted = _call_of("crmbridge_sandbox.hubspot.tokens", "uuid.os.getcwd")
    assert pickle.loads(planted) == os.getcwd()  # what a plain unpickler would run
    path = _saved(tmp_path)
    magic, header, _ = path.read_bytes().split(b"\n", 2)
    path.write_bytes(magic + b"\n" + header + b"\n" + planted)
    with pytest.raises(StateFileError, match=r"is damaged \(UnpicklingError\)"):
        Sandbox(state_file=StateFile(path))
