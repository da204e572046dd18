"""Company tools against the sandbox."""

from __future__ import annotations

import pytest

from crmbridge_sandbox import Sandbox

from ..harness import Account
from .helpers import create, engine_losing, get, john_smith, linked, search

pytestmark = pytest.mark.anyio


async def test_company_create_links_contacts_by_name_and_email(hubspot: Account) -> None:
    jane = await create(hubspot, "contacts", email="jane@newco.io", firstname="Jane", lastname="Roe")
    data = await hubspot.ok(
        "hubspot_company_create",
        {"name": "NewCo", "domain": "https://www.newco.io/about", "industry": "Computer Software",
         "numberofemployees": 12, "associations": {"contacts": ["John Smith", "JANE@newco.io"]}},
    )  # fmt: skip
    john = await john_smith(hubspot)
    assert data["associations"] == {"contacts": [john, jane]}
    stored = await get(hubspot, "companies", data["id"], "name", "domain", "industry", "numberofemployees")
    assert stored["properties"] == {
        "name": "NewCo", "domain": "newco.io", "industry": "COMPUTER_SOFTWARE", "numberofemployees": "12",
    }  # fmt: skip
    assert await linked(hubspot, "companies", data["id"], "contacts") == {john: {280}, jane: {280}}


async def test_company_create_after_lost_answer_makes_no_duplicate(
    hubspot: Account, sandbox: Sandbox
) -> None:
    engine, lossy = engine_losing(
        sandbox, lambda r: r.method == "POST" and r.url.path.endswith("/crm/v3/objects/companies")
    )
    result = await engine.execute_named(
        "hubspot_company_create", {"name": "Lost Co", "domain": "lost.co"}, hubspot.target
    )
    await engine.aclose()
    assert result.ok, result.error
    assert lossy.lost == 1
    assert [r["id"] for r in await search(hubspot, "companies", ("name", "EQ", "Lost Co"))] == [
        result.data["id"]
    ]


async def test_company_create_takes_a_name_or_a_domain(hubspot: Account) -> None:
    """HubSpot asks a new company for a name or a domain, not both."""
    data = await hubspot.ok("hubspot_company_create", {"domain": "noname.io"})
    assert data["properties"]["domain"] == "noname.io"
    result = await hubspot.call("hubspot_company_create", {"city": "Lyon", "properties": {"domain": " "}})
    assert result.error is not None and result.error.code == "invalid_input"
    assert "'name' or 'domain'" in result.error.message
    assert result.error.details["field"] == "name"


async def test_company_create_with_an_ambiguous_contact_creates_nothing(hubspot: Account) -> None:
    a = await create(hubspot, "contacts", email="alex1@example.com", firstname="Alex", lastname="Doe")
    b = await create(hubspot, "contacts", email="alex2@example.com", firstname="Alex", lastname="Doe")
    result = await hubspot.call(
        "hubspot_company_create", {"name": "Doe Inc", "associations": {"contacts": "Alex Doe"}}
    )
    assert result.error is not None and result.error.code == "ambiguous_reference"
    assert result.error.details["field"] == "associations.contacts[0]"
    assert {c["id"] for c in result.error.details["candidates"]} == {a, b}
    assert "Alex Doe <alex1@example.com>" in {c["label"] for c in result.error.details["candidates"]}
    assert await search(hubspot, "companies", ("name", "EQ", "Doe Inc")) == []


async def test_company_get_matches_the_crm(hubspot: Account) -> None:
    company = (await search(hubspot, "companies", limit=1))[0]
    data = await hubspot.ok(
        "hubspot_company_get", {"company_id": company["id"], "associations": ["contacts"]}
    )
    stored = await get(hubspot, "companies", company["id"], "name", "domain")
    assert data["properties"]["name"] == stored["properties"]["name"]
    assert data["properties"]["domain"] == stored["properties"]["domain"]
    assert set(data["associations"]["contacts"]) == set(
        await linked(hubspot, "companies", company["id"], "contacts")
    )


async def test_company_get_unknown_id_is_not_found(hubspot: Account) -> None:
    result = await hubspot.call("hubspot_company_get", {"company_id": "424242424"})
    assert result.error is not None and result.error.code == "not_found"


async def test_companies_search_by_domain_and_industry_label(hubspot: Account) -> None:
    company = (await search(hubspot, "companies", limit=1, properties=["domain", "industry"]))[0]
    domain, industry = company["properties"]["domain"], company["properties"]["industry"]
    data = await hubspot.ok("hubspot_companies_search", {"query": domain})
    assert company["id"] in [x["id"] for x in data["results"]]
    label = industry.replace("_", " ").title()  # e.g. "Computer Software"
    data = await hubspot.ok(
        "hubspot_companies_search",
        {
            "filterGroups": [{"filters": [{"propertyName": "industry", "operator": "EQ", "value": label}]}],
            "limit": 200,
        },
    )
    expected = await search(hubspot, "companies", ("industry", "EQ", industry))
    assert [x["id"] for x in data["results"]] == [x["id"] for x in expected]


async def test_companies_search_rejects_an_unknown_operator(hubspot: Account) -> None:
    result = await hubspot.call(
        "hubspot_companies_search",
        {"filterGroups": [{"propertyName": "name", "operator": "LIKE", "value": "a"}]},
    )
    assert result.error is not None and result.error.code == "invalid_input"
    assert result.error.details["field"] == "filterGroups[0].filters[0].operator"
    assert "CONTAINS_TOKEN" in result.error.details["allowed"]
