"""Contact tools against the sandbox: CRM state checked through the API, main errors per tool."""

from __future__ import annotations

import dataclasses

import pytest

from crmbridge_sandbox import Sandbox

from ..harness import Account
from .helpers import create, engine_losing, first_owner, get, john_smith, search

pytestmark = pytest.mark.anyio

SEED_CONTACT = {
    "email": "jane@acmecorp.com",
    "firstname": "Jane",
    "lastname": "Smith",
    "jobtitle": "VP of Engineering",
    "company": "Acme Corp",
    "lifecyclestage": "lead",
}


async def test_contact_create_seed_example(hubspot: Account) -> None:
    data = await hubspot.ok("hubspot_contact_create", dict(SEED_CONTACT))
    assert data["created"] is True
    stored = await get(hubspot, "contacts", data["id"], *SEED_CONTACT)
    assert stored["properties"] == SEED_CONTACT


async def test_contact_create_updates_the_contact_with_that_email(hubspot: Account) -> None:
    john = await get(hubspot, "contacts", await john_smith(hubspot), "email")
    email = john["properties"]["email"]
    data = await hubspot.ok("hubspot_contact_create", {"email": email.upper(), "jobtitle": "CTO"})
    assert data["id"] == john["id"] and data["created"] is False
    assert len(await search(hubspot, "contacts", ("email", "EQ", email))) == 1
    assert (await get(hubspot, "contacts", john["id"], "jobtitle"))["properties"]["jobtitle"] == "CTO"


async def test_contact_create_retry_after_lost_answer_makes_no_duplicate(
    hubspot: Account, sandbox: Sandbox
) -> None:
    engine, lossy = engine_losing(sandbox, lambda r: r.url.path.endswith("/batch/upsert"))
    result = await engine.execute_named(
        "hubspot_contact_create", {"email": "lost@example.com"}, hubspot.target
    )
    await engine.aclose()
    assert result.ok, result.error
    assert lossy.lost == 1
    assert [r["id"] for r in await search(hubspot, "contacts", ("email", "EQ", "lost@example.com"))] == [
        result.data["id"]
    ]


async def test_contact_create_resolves_owner_and_option_labels(hubspot: Account) -> None:
    owner = await first_owner(hubspot)
    data = await hubspot.ok(
        "hubspot_contact_create",
        {
            "email": "o@example.com",
            "hubspot_owner_id": owner["email"],
            "lifecyclestage": "Sales Qualified Lead",
        },
    )
    stored = await get(hubspot, "contacts", data["id"], "hubspot_owner_id", "lifecyclestage")
    assert stored["properties"]["hubspot_owner_id"] == owner["id"]
    assert stored["properties"]["lifecyclestage"] == "salesqualifiedlead"


async def test_contact_create_requires_email(hubspot: Account) -> None:
    result = await hubspot.call("hubspot_contact_create", {"firstname": "Nomail"})
    assert not result.ok and result.error is not None
    assert result.error.code == "invalid_input" and result.error.details["field"] == "email"


async def test_contact_create_rejects_a_bad_email_and_a_misspelt_property(hubspot: Account) -> None:
    bad = await hubspot.call("hubspot_contact_create", {"email": "not-an-email"})
    assert (
        bad.error is not None and bad.error.code == "invalid_input" and bad.error.details["field"] == "email"
    )
    typo = await hubspot.call("hubspot_contact_create", {"email": "t@example.com", "first_name": "Tia"})
    assert typo.error is not None and typo.error.details["field"] == "first_name"
    assert typo.error.details["allowed"] == ["firstname"]
    assert await search(hubspot, "contacts", ("email", "EQ", "t@example.com")) == []


async def test_contact_get_by_id_and_by_email(hubspot: Account) -> None:
    john_id = await john_smith(hubspot)
    stored = await get(hubspot, "contacts", john_id, "email", "firstname", "lastname")
    by_id = await hubspot.ok("hubspot_contact_get", {"contact_id": john_id, "associations": "companies"})
    assert by_id["properties"]["email"] == stored["properties"]["email"]
    assert by_id["associations"]["companies"]
    by_email = await hubspot.ok("hubspot_contact_get", {"contact_id": stored["properties"]["email"]})
    assert by_email["id"] == john_id and by_email["properties"]["lastname"] == "Smith"


async def test_contact_get_unknown_id_is_not_found(hubspot: Account) -> None:
    result = await hubspot.call("hubspot_contact_get", {"contact_id": "999999999"})
    assert result.error is not None and result.error.code == "not_found"


async def test_contact_update_changes_properties(hubspot: Account) -> None:
    contact = await create(hubspot, "contacts", email="u@example.com", lifecyclestage="lead")
    data = await hubspot.ok(
        "hubspot_contact_update",
        {
            "contact_id": contact,
            "lifecyclestage": "Customer",
            "city": "Lyon",
            "hs_lead_status": "in progress",
        },
    )
    assert data["id"] == contact
    stored = await get(hubspot, "contacts", contact, "lifecyclestage", "city", "hs_lead_status")
    assert stored["properties"] == {
        "lifecyclestage": "customer",
        "city": "Lyon",
        "hs_lead_status": "IN_PROGRESS",
    }


async def test_contact_update_to_a_taken_email_is_a_conflict(hubspot: Account) -> None:
    first = await create(hubspot, "contacts", email="first@example.com")
    second = await create(hubspot, "contacts", email="second@example.com")
    result = await hubspot.call(
        "hubspot_contact_update", {"contact_id": second, "email": "first@example.com"}
    )
    assert result.error is not None and result.error.code == "conflict"
    assert result.error.details["existing_id"] == first
    assert (await get(hubspot, "contacts", second, "email"))["properties"]["email"] == "second@example.com"


async def test_contact_update_needs_a_change_and_a_known_id(hubspot: Account) -> None:
    empty = await hubspot.call("hubspot_contact_update", {"contact_id": "1"})
    assert empty.error is not None and empty.error.code == "invalid_input"
    missing = await hubspot.call("hubspot_contact_update", {"contact_id": "999999999", "city": "Paris"})
    assert missing.error is not None and missing.error.code == "not_found"


async def test_contacts_list_pages_match_the_crm(hubspot: Account) -> None:
    first = await hubspot.ok("hubspot_contacts_list", {"limit": 5, "properties": "email,firstname"})
    second = await hubspot.ok("hubspot_contacts_list", {"limit": 5, "after": first["next_cursor"]})
    r = await hubspot.crm.get("/crm/v3/objects/contacts", params={"limit": 10})
    expected = [x["id"] for x in r.json()["results"]]
    assert [x["id"] for x in first["results"] + second["results"]] == expected
    assert set(first["results"][0]["properties"]) <= {"email", "firstname", "createdate"}
    assert "lifecyclestage" in second["results"][0]["properties"]  # default properties


async def test_contacts_list_archived(hubspot: Account) -> None:
    gone = await create(hubspot, "contacts", email="gone@example.com")
    assert (await hubspot.crm.delete(f"/crm/v3/objects/contacts/{gone}")).status_code == 204
    data = await hubspot.ok("hubspot_contacts_list", {"archived": "true"})
    assert [x["id"] for x in data["results"]] == [gone] and data["results"][0]["archived"] is True


async def test_contacts_list_lowers_a_too_large_page_to_the_maximum_and_says_so(hubspot: Account) -> None:
    result = await hubspot.call("hubspot_contacts_list", {"limit": 500})
    assert result.ok and result.data["count"] == 50  # the seed has 50 contacts; 100 were asked for
    assert result.to_dict()["warnings"] == ["'limit' 500 is above its maximum of 100; 100 was used."]


async def test_contacts_search_seed_example(hubspot: Account) -> None:
    await hubspot.ok("hubspot_contact_create", dict(SEED_CONTACT))
    data = await hubspot.ok(
        "hubspot_contacts_search",
        {"query": "acme corp", "properties": "firstname,lastname,email,jobtitle,lifecyclestage", "limit": 10},
    )
    expected = await search(hubspot, "contacts", query="acme corp", limit=10)
    assert [x["id"] for x in data["results"]] == [x["id"] for x in expected]
    jane = next(x for x in data["results"] if x["properties"]["email"] == "jane@acmecorp.com")
    assert jane["properties"]["jobtitle"] == "VP of Engineering"
    assert "phone" not in jane["properties"]


async def test_contacts_search_filters_sort_and_paging(hubspot: Account) -> None:
    data = await hubspot.ok(
        "hubspot_contacts_search",
        {"filterGroups": [{"propertyName": "lifecyclestage", "operator": "in", "values": ["Lead", "Customer"]}],
         "sorts": "-createdate", "limit": 3},
    )  # fmt: skip
    expected = await search(hubspot, "contacts", ("lifecyclestage", "IN", ["lead", "customer"]),
                            sorts=[{"propertyName": "createdate", "direction": "DESCENDING"}])  # fmt: skip
    assert [x["id"] for x in data["results"]] == [x["id"] for x in expected[:3]]
    assert data["total"] == len(expected) and data["next_cursor"] == "3"


async def test_contacts_search_names_a_misspelt_filter_property(hubspot: Account) -> None:
    result = await hubspot.call(
        "hubspot_contacts_search",
        {
            "filterGroups": '[{"filters": [{"propertyName": "first_name", "operator": "EQ", "value": "John"}]}]'
        },
    )
    assert result.error is not None and result.error.code == "invalid_input"
    assert result.error.details["field"] == "filterGroups[0].filters[0].propertyName"
    assert result.error.details["allowed"] == ["firstname"]


async def test_contact_tools_report_missing_scopes(hubspot: Account, sandbox: Sandbox) -> None:
    sandbox.hubspot.private_app_scopes = ("crm.objects.contacts.read",)
    result = await hubspot.call("hubspot_contact_create", {"email": "scope@example.com"})
    assert result.error is not None and result.error.code == "insufficient_scope"
    assert "crm.objects.contacts.write" in result.error.details["missing_scopes"]
    limited = dataclasses.replace(hubspot.target, granted_scopes=frozenset({"crm.objects.contacts.read"}))
    result = await hubspot.engine.execute_named(
        "hubspot_contact_update", {"contact_id": "1", "city": "X"}, limited
    )
    assert result.error is not None and result.error.details["missing_scopes"] == [
        "crm.objects.contacts.write"
    ]


async def test_contact_update_by_email_with_nested_properties(hubspot: Account) -> None:
    contact = await create(hubspot, "contacts", email="nested@example.com")
    owner = await first_owner(hubspot)
    await hubspot.ok(
        "hubspot_contact_update",
        {
            "contact_id": "nested@example.com",
            "properties": {"jobtitle": "CFO", "hubspot_owner_id": owner["email"]},
        },
    )
    stored = await get(hubspot, "contacts", contact, "jobtitle", "hubspot_owner_id")
    assert stored["properties"] == {"jobtitle": "CFO", "hubspot_owner_id": owner["id"]}
