"""The skills around a support call: find_company, find_ticket and create_ticket, compiled per account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crmbridge.skills.lookups import bare_domain
from crmbridge_sandbox import Sandbox

from .platform import Platform, platform


@pytest.fixture
def hubspot(sandbox: Sandbox, tmp_path: Path) -> Iterator[Platform]:
    made = platform(sandbox, tmp_path, "hubspot")
    yield made
    made.close()


@pytest.fixture
def pipedrive(sandbox: Sandbox, tmp_path: Path) -> Iterator[Platform]:
    made = platform(sandbox, tmp_path, "pipedrive")
    yield made
    made.close()


def _add_company(made: Platform, name: str, domain: str) -> str:
    if made.provider == "hubspot":
        result = made.run("hubspot_company_create", {"name": name, "domain": domain})
    else:
        result = made.run("pipedrive_organization_create", {"name": name, "website": f"https://{domain}"})
    assert result.ok, result.error
    return str(result.data["id"])


@pytest.mark.parametrize(
    ("raw", "bare"),
    [
        ("acme.com", "acme.com"),
        ("https://www.Acme.com/about?x=1", "acme.com"),
        ("http://shop.acme.co.uk:8080/", "shop.acme.co.uk"),
        ("WWW.ACME.COM.", "acme.com"),
        ("sales@acme.com", "acme.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("acme", None),
        ("not a domain", None),
        ("http://10.0.0.1/", None),
        ("-bad-.com", None),
    ],
)
def test_domains_are_compared_bare(raw: str, bare: str | None) -> None:
    assert bare_domain(raw) == bare


def test_a_company_is_found_by_name_or_website(connected: Platform) -> None:
    gmbh = _add_company(connected, "Zentrafix GmbH", "zentrafix.test")
    inc = _add_company(connected, "Zentrafix Inc", "zentrafix-us.test")

    by_domain = connected.execute("find_company", {"domain": "https://www.ZENTRAFIX.test/kontakt"})
    assert by_domain.ok, by_domain.error
    assert by_domain.data["status"] == "found" and by_domain.data["company"]["id"] == gmbh
    exact = connected.execute("find_company", {"name": "zentrafix inc"})
    assert exact.data["status"] == "found" and exact.data["company"]["id"] == inc
    assert exact.data["matched_by"] == "name"

    several = connected.execute("find_company", {"name": "Zentrafix"})
    assert several.data["status"] == "ambiguous" and "ask the caller" in several.data["message"]
    assert sorted(c["id"] for c in several.data["candidates"]) == sorted([gmbh, inc])

    assert connected.execute("find_company", {"name": "Quorvellant"}).data["status"] == "none"
    for bad in ({}, {"domain": "not a domain"}, {"name": " "}, {"name": "x", "fax": "1"}):
        refused = connected.execute("find_company", bad)
        assert not refused.ok and refused.error is not None, bad
        assert refused.error.code == "invalid_input", bad


def test_a_ticket_goes_to_the_compiled_pipeline_and_is_found_newest_first(hubspot: Platform) -> None:
    connected = hubspot
    contact = connected.confirmed("create_contact", {"phone": "+1 415 555 0131", "first_name": "Ann"})
    contact_id = contact.data["contact"]["id"]
    ticket = {
        "contact_id": contact_id,
        "subject": "Router reboots every hour",
        "description": "Since the firmware update",
        "priority": "HIGH",
    }
    asked = connected.execute("create_ticket", ticket)
    assert asked.error is not None and asked.error.code == "confirmation_required"
    assert asked.error.details["summary"] == (
        f"Create a ticket for contact {contact_id}: subject Router reboots every hour, "
        "description Since the firmware update, priority HIGH."
    )
    made = connected.execute("create_ticket", ticket, confirmation=asked.error.details["confirmation"])
    assert made.ok, made.error
    assert made.data["created"] == "ticket"
    stored = connected.run(
        "hubspot_record_get",
        {
            "entity": "tickets",
            "entityId": made.data["id"],
            "properties": ["subject", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority"],
            "associations": ["contacts"],
        },
    )
    assert stored.ok, stored.error
    props = stored.data["properties"]
    assert (props["hs_pipeline"], props["hs_pipeline_stage"], props["hs_ticket_priority"]) == (
        "0",
        "1",
        "HIGH",
    )
    assert contact_id in str(stored.data.get("associations"))

    later = connected.confirmed("create_ticket", {"contact_id": contact_id, "subject": "Router lost Wi-Fi"})
    assert later.ok, later.error
    found = connected.execute("find_ticket", {"query": "ROUTER"})
    assert found.ok and found.data["status"] == "found"
    tickets = found.data["tickets"]
    assert {t["id"] for t in tickets} == {made.data["id"], later.data["id"]}
    assert [t["created_at"] for t in tickets] == sorted((t["created_at"] for t in tickets), reverse=True)
    first = next(t for t in tickets if t["id"] == made.data["id"])
    assert first["status"] == "New" and first["priority"] == "HIGH"
    keyword = connected.execute("find_ticket", {"query": "firmware", "limit": 1})
    assert [t["id"] for t in keyword.data["tickets"]] == [made.data["id"]]
    assert connected.execute("find_ticket", {"query": "printer jam"}).data["status"] == "none"


def test_pipedrive_files_a_support_request_as_a_task(pipedrive: Platform) -> None:
    connected = pipedrive
    contact = connected.confirmed("create_contact", {"phone": "+1 415 555 0132", "first_name": "Bo"})
    person = contact.data["contact"]["id"]
    made = connected.confirmed(
        "create_ticket", {"contact_id": person, "subject": "Invoice is wrong", "priority": "URGENT"}
    )
    assert made.ok, made.error
    activity = connected.run("pipedrive_activity_get", {"id": int(made.data["id"])})
    assert activity.ok, activity.error
    assert activity.data["type"] == "task" and activity.data["subject"] == "Invoice is wrong"
    assert str(activity.data["person_id"]) == person and "URGENT" in activity.data["note"]
    missing = connected.execute("find_ticket", {"query": "invoice"})
    assert missing.error is not None and missing.error.code == "unknown_tool"
