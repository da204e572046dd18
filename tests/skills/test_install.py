"""Installing the Connector Pack: compiled per account, idempotent, once under concurrency, on connect."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from crmbridge import ConfigurationError, NotFound
from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.pipedrive.pipelines import add_pipeline
from tests.dbutil import database_url

from .platform import PROVIDERS, Platform, connect_default, new_bridge, platform

#: The seed's seven first (HubSpot), then the extras; Pipedrive has no find_ticket (no ticket search).
SEVEN = ["find_contact", "find_company", "find_ticket", "create_contact", "update_contact", "create_ticket"]
SEVEN += ["create_deal"]
PACKS = {"hubspot": [*SEVEN, "log_note", "create_task"]}
PACKS["pipedrive"] = [n for n in PACKS["hubspot"] if n != "find_ticket"]
READS = {"find_contact", "find_company", "find_ticket"}


def test_the_pack_lists_templates_with_policies(connected: Platform) -> None:
    pack = connected.agents.pack(connected.provider)
    by_name = {s["name"]: s for s in pack["skills"]}
    assert list(by_name) == PACKS[connected.provider]
    for name, skill in by_name.items():
        assert skill["access"] == ("read" if name in READS else "write")
        assert skill["policy"]["gated"] is (name not in READS), name
        assert skill["policy"]["verified_identity"] is (name == "update_contact"), name
        assert skill["input_schema"]["type"] == "object" and skill["description"]
    with pytest.raises(NotFound, match="no integration 'salesforce'"):
        connected.agents.pack("salesforce")


def test_connecting_installs_the_pack_and_reinstalling_creates_nothing(connected: Platform) -> None:
    agents, agent_id = connected.agents, connected.agent_id
    installs = agents.get_agent(agent_id)["installs"]
    assert [i["trigger"] for i in installs] == ["connect"]
    skills_of_pack = PACKS[connected.provider]
    assert [(s["name"], s["created"]) for s in installs[0]["skills"]] == [(n, True) for n in skills_of_pack]

    again = agents.install_pack(agent_id, connected.provider)
    assert [(s["name"], s["created"], s["updated"]) for s in again["skills"]] == [
        (n, False, False) for n in skills_of_pack
    ]
    skills = {s["name"]: s for s in agents.list_skills(agent_id)}
    assert sorted(skills) == sorted(skills_of_pack)
    resolved = skills["create_deal"]["resolved"]
    assert resolved["deal_pipeline"] is not None and resolved["deal_stage"] is not None
    assert resolved["owner_id"] is not None
    if connected.provider == "hubspot":  # the support pipeline and its first open status
        assert resolved["ticket_pipeline"] == "0" and resolved["ticket_stage"] == "1"
        assert resolved["ticket_statuses"]["1"] == "New"


def test_a_changed_crm_configuration_recompiles_on_reinstall(sandbox: Sandbox, tmp_path: Path) -> None:
    made = platform(sandbox, tmp_path, "pipedrive")
    try:
        before = {s["name"]: s for s in made.agents.list_skills(made.agent_id)}["create_deal"]["resolved"]
        # The company's admin makes a new pipeline the default one.
        for row in made.crm.tables["pipelines"].rows.values():
            row["is_selected"] = False
        inbound = add_pipeline(made.crm, "Inbound calls", [("New caller", 10)], time.time(), selected=True)
        again = made.agents.install_pack(made.agent_id, "pipedrive")
        by_name = {s["name"]: s for s in again["skills"]}
        assert by_name["create_deal"]["created"] is False and by_name["create_deal"]["updated"] is True
        after = {s["name"]: s for s in made.agents.list_skills(made.agent_id)}["create_deal"]["resolved"]
        assert after["deal_pipeline"] == inbound["id"] != before["deal_pipeline"]
        assert after["deal_stage"] != before["deal_stage"]
    finally:
        made.close()


def test_installing_needs_a_connected_account(sandbox: Sandbox, tmp_path: Path) -> None:
    made = platform(sandbox, tmp_path, "pipedrive", connect=False)
    try:
        with pytest.raises(ConfigurationError, match="is not connected"):
            made.agents.install_pack(made.agent_id, "pipedrive")
        with pytest.raises(NotFound, match="no agent"):
            made.agents.install_pack("nope", "pipedrive")
        assert made.agents.list_skills(made.agent_id) == []
    finally:
        made.close()


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_concurrent_installs_from_two_workers_create_each_skill_once(
    backend: str, provider: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    """Two runtimes on one database (two workers), five threads each, all installing at once."""
    with database_url(backend, tmp_path) as url:
        made = platform(sandbox, tmp_path, provider, database_url=url, agent=False)
        try:
            other = new_bridge(sandbox, tmp_path, made.transport, url)
            made.extra.append(other)
            agent_id = made.agents.create_agent("Racer", auto_install=False)["id"]
            assert made.agents.list_skills(agent_id) == []
            results: list[dict[str, object]] = []
            errors: list[BaseException] = []
            barrier = threading.Barrier(10)

            def install(bridge: object) -> None:
                try:
                    barrier.wait()
                    results.append(bridge.agents.install_pack(agent_id, provider))  # type: ignore[attr-defined]
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=install, args=(b,)) for b in [made.bridge, other] * 5]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert not errors, errors
            created = [s["name"] for r in results for s in r["skills"] if s["created"]]  # type: ignore[attr-defined]
            assert sorted(created) == sorted(PACKS[provider])
            assert sorted(s["name"] for s in other.agents.list_skills(agent_id)) == sorted(PACKS[provider])
        finally:
            made.close()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_connect_installs_on_agents_that_did_not_opt_out(
    provider: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    made = platform(sandbox, tmp_path, provider, connect=False)
    try:
        agents = made.agents
        quiet = agents.create_agent("Opted out", auto_install=False)["id"]
        assert agents.list_skills(made.agent_id) == []
        connect_default(made)  # no install call: the status listener does it
        assert len(agents.list_skills(made.agent_id)) == len(PACKS[provider])
        assert agents.list_skills(quiet) == []
        later = agents.create_agent("Hired later")
        assert [i["integration"] for i in later["installs"]] == [provider]
        assert len(agents.list_skills(later["id"])) == len(PACKS[provider])
        assert agents.get_agent(later["id"])["installs"][0]["trigger"] == "agent_created"
    finally:
        made.close()


def test_connect_can_name_the_agents(sandbox: Sandbox, tmp_path: Path) -> None:
    made = platform(sandbox, tmp_path, "hubspot", connect=False)
    try:
        agents = made.agents
        chosen = agents.create_agent("Chosen", auto_install=False)["id"]
        agents.install_on_connect("hubspot", "default", [chosen])
        connect_default(made)
        assert agents.list_skills(made.agent_id) == []  # auto-install, but not named this time
        assert len(agents.list_skills(chosen)) == len(PACKS["hubspot"])
    finally:
        made.close()


def test_agents_crud_and_skill_removal(connected: Platform) -> None:
    agents = connected.agents
    assert [a["name"] for a in agents.list_agents()] == ["Front desk"]
    agents.delete_skill(connected.agent_id, "create_deal")
    assert "create_deal" not in [s["name"] for s in agents.list_skills(connected.agent_id)]
    with pytest.raises(NotFound):
        agents.delete_skill(connected.agent_id, "create_deal")
    again = agents.install_pack(connected.agent_id, connected.provider)
    assert [s["name"] for s in again["skills"] if s["created"]] == ["create_deal"]
    assert agents.set_auto_install(connected.agent_id, False)["auto_install"] is False
    agents.delete_agent(connected.agent_id)
    assert agents.list_agents() == []
    with pytest.raises(NotFound):
        agents.get_agent(connected.agent_id)
