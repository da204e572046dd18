"""Seeding: counts, determinism, the one John Smith, associations, speed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.hubspot.store import Portal

from .records_helpers import new_portal

pytestmark = pytest.mark.anyio


def _snapshot(portal: Portal) -> dict[str, list[dict[str, str]]]:
    """Every record's properties minus ids (which are portal-global counters)."""
    out: dict[str, list[dict[str, str]]] = {}
    for table in portal.tables.values():
        name = table.type.name
        out[name] = [
            {k: v for k, v in r.properties.items() if k not in ("hs_object_id", "hs_product_id")}
            for r in sorted(table.records.values(), key=lambda r: r.id)
        ]
    return out


def test_same_seed_same_data() -> None:
    sandbox = Sandbox(templates=None)  # the seeder itself, not a copy of its first portal
    a = sandbox.hubspot.create_portal(seed_value=42)
    b = sandbox.hubspot.create_portal(seed_value=42)
    c = sandbox.hubspot.create_portal(seed_value=43)
    assert _snapshot(a) == _snapshot(b)
    assert _snapshot(a) != _snapshot(c)
    assert [(o.id, o.email) for o in a.owners] == [(o.id, o.email) for o in b.owners]


def test_default_counts_and_john_smith() -> None:
    portal = Sandbox().hubspot.create_portal(seed_value=1)
    counts = {t.type.name: len(t.records) for t in portal.tables.values()}
    assert counts["contacts"] == 50 and counts["companies"] == 20 and counts["deals"] == 30
    assert counts["cars"] == 10 and counts["notes"] > 0 and counts["calls"] > 0 and counts["tasks"] > 0
    assert (
        counts["meetings"] > 0
        and counts["tickets"] > 0
        and counts["products"] > 0
        and counts["line_items"] > 0
    )
    assert len(portal.owners) == 5
    johns = [
        r
        for r in portal.tables["0-1"].records.values()
        if (r.properties.get("firstname"), r.properties.get("lastname")) == ("John", "Smith")
    ]
    assert len(johns) == 1 and johns[0].properties["email"].startswith("john.smith@")
    emails = [r.properties["email"] for r in portal.tables["0-1"].records.values()]
    assert len(set(emails)) == len(emails)
    owner_ids = {o.id for o in portal.owners}
    assert all(r.properties["hubspot_owner_id"] in owner_ids for r in portal.tables["0-3"].records.values())


@pytest.mark.parametrize("seed", [1, 2, 3, 99, 1234])
def test_deals_are_valid_for_their_pipeline(seed: int) -> None:
    portal = Sandbox().hubspot.create_portal(seed_value=seed)
    stages = {p.id: {s.id for s in p.stages} for p in portal.pipelines["0-3"]}
    for deal in portal.tables["0-3"].records.values():
        assert deal.properties["dealstage"] in stages[deal.properties["pipeline"]]
    johns = [
        r
        for r in portal.tables["0-1"].records.values()
        if (r.properties.get("firstname"), r.properties.get("lastname")) == ("John", "Smith")
    ]
    assert len(johns) == 1


@pytest.mark.slow
def test_zero_and_many() -> None:
    sandbox = Sandbox()
    empty = sandbox.hubspot.create_portal(seed_value=5, contacts=0, companies=0, deals=0)
    assert len(empty.tables["0-1"].records) == 0 and len(empty.tables["0-3"].records) == 0
    assert len(empty.schemas) == 1  # the custom object exists even without records to link
    big = sandbox.hubspot.create_portal(seed_value=5, contacts=10_000)
    assert len(big.tables["0-1"].records) == 10_000
    emails = {r.properties["email"] for r in big.tables["0-1"].records.values()}
    assert len(emails) == 10_000


async def test_seeded_associations_over_http(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    r = await client.get(
        "/hubspot/crm/v3/objects/contacts",
        headers=h,
        params={"limit": "100", "associations": "companies", "properties": "firstname,lastname,company"},
    )
    contacts = r.json()["results"]
    linked = [c for c in contacts if "associations" in c]
    assert len(linked) > 25
    john = next(
        c
        for c in contacts
        if (c["properties"]["firstname"], c["properties"]["lastname"]) == ("John", "Smith")
    )
    assert {a["type"] for a in john["associations"]["companies"]["results"]} == {
        "contact_to_company",
        "contact_to_company_unlabeled",
    }
    notes = await client.get(
        "/hubspot/crm/v3/objects/notes",
        headers=h,
        params={"limit": "5", "associations": "contacts", "properties": "hs_timestamp,hs_note_body"},
    )
    for note in notes.json()["results"]:
        assert note["properties"]["hs_timestamp"] and note["associations"]["contacts"]["results"]
    items = await client.get(
        "/hubspot/crm/v3/objects/line_items",
        headers=h,
        params={"limit": "3", "associations": "deals", "properties": "amount,price,quantity"},
    )
    for item in items.json()["results"]:
        p = item["properties"]
        assert float(p["amount"]) == float(p["price"]) * float(p["quantity"])
        assert item["associations"]["deals"]["results"]


async def test_control_api_counts(client: httpx.AsyncClient) -> None:
    p = await new_portal(client, contacts=3, companies=0, deals=2)
    r = await client.get("/hubspot/crm/v3/objects/contacts", headers=p["headers"])
    assert len(r.json()["results"]) == 3
    r = await client.get("/hubspot/crm/v3/objects/deals", headers=p["headers"])
    assert len(r.json()["results"]) == 2
