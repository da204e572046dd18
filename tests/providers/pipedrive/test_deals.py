"""Deal tools against the Pipedrive sandbox: each one's effect on the CRM, and its main error."""

from __future__ import annotations

import pytest

from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.pipedrive.pipelines import add_pipeline

from ..harness import Account
from ._crm import crm_get, crm_post, error_of, first, stage_named

pytestmark = pytest.mark.anyio


async def test_deal_create_stores_the_values(pipedrive: Account) -> None:
    data = await pipedrive.ok(
        "pipedrive_deal_create",
        {"title": "Globex expansion", "value": 12500, "currency": "EUR", "expected_close_date": "2027-01-31"},
    )
    deal = await crm_get(pipedrive, f"/api/v2/deals/{data['id']}")
    assert (deal["title"], deal["value"], deal["currency"]) == ("Globex expansion", 12500, "EUR")
    assert deal["expected_close_date"] == "2027-01-31"
    assert data["title"] == "Globex expansion" and "visible_to" not in data


async def test_a_currency_in_lower_case_is_read_as_its_code(pipedrive: Account) -> None:
    data = await pipedrive.ok("pipedrive_deal_create", {"title": "Initech", "value": 90, "currency": " eur"})
    deal = await crm_get(pipedrive, f"/api/v2/deals/{data['id']}")
    assert deal["currency"] == "EUR"
    refused = await pipedrive.engine.execute_named(
        "pipedrive_deal_create", {"title": "Initech", "currency": "euro"}, pipedrive.target
    )
    assert refused.error is not None and refused.error.code == "invalid_input"
    assert refused.error.details.get("field") == "currency"


async def test_deal_create_by_stage_person_organization_and_owner_names(pipedrive: Account) -> None:
    person = await first(pipedrive, "/api/v2/persons")
    org = await first(pipedrive, "/api/v2/organizations")
    users = await crm_get(pipedrive, "/api/v1/users")
    stage = await stage_named(pipedrive, "Proposal Made")
    data = await pipedrive.ok(
        "pipedrive_deal_create",
        {
            "title": "Named refs",
            "stage": "proposal made",
            "person": person["name"],
            "organization": org["name"],
            "owner": users[1]["email"],
        },
    )
    deal = await crm_get(pipedrive, f"/api/v2/deals/{data['id']}")
    assert deal["stage_id"] == stage["id"] and deal["pipeline_id"] == stage["pipeline_id"]
    assert (deal["person_id"], deal["org_id"], deal["owner_id"]) == (person["id"], org["id"], users[1]["id"])


async def test_deal_create_finds_the_stage_within_the_named_pipeline(
    pipedrive: Account, sandbox: Sandbox
) -> None:
    company = sandbox.pipedrive.companies[pipedrive.info["company_id"]]
    renewals = add_pipeline(company, "Renewals", [("Qualified", 20), ("Won back", 90)], sandbox.clock.now())
    ambiguous = error_of(await pipedrive.call("pipedrive_deal_create", {"title": "X", "stage": "Qualified"}))
    assert ambiguous["code"] == "ambiguous_reference" and ambiguous["field"] == "stage"
    assert {c["label"] for c in ambiguous["candidates"]} == {
        "Qualified (Sales pipeline)",
        "Qualified (Renewals)",
    }

    data = await pipedrive.ok(
        "pipedrive_deal_create", {"title": "Renewal", "pipeline": "Renewals", "stage": "Qualified"}
    )
    deal = await crm_get(pipedrive, f"/api/v2/deals/{data['id']}")
    stages = await crm_get(pipedrive, "/api/v2/stages", pipeline_id=renewals["id"])
    assert deal["stage_id"] == stages[0]["id"] and deal["pipeline_id"] == renewals["id"]


async def test_deal_create_without_title_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_deal_create", {"value": 10}))
    assert (error["code"], error["field"]) == ("invalid_input", "title")


async def test_deal_create_with_unknown_stage_lists_the_stages(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_deal_create", {"title": "X", "stage": "Closing"}))
    assert (error["code"], error["field"]) == ("invalid_input", "stage")
    assert (await stage_named(pipedrive, "Proposal Made"))["id"] in error["allowed"]
    assert (
        "'Proposal Made (Sales pipeline)'" in error["message"]
        and "'Signed (Partnerships)'" in error["message"]
    )


async def test_deal_create_with_ambiguous_person_lists_candidates(pipedrive: Account) -> None:
    person = await first(pipedrive, "/api/v2/persons")
    twin = await crm_post(pipedrive, "/api/v2/persons", {"name": person["name"]})
    before = await crm_get(pipedrive, "/api/v2/deals", limit=500)
    error = error_of(await pipedrive.call("pipedrive_deal_create", {"title": "X", "person": person["name"]}))
    assert (error["code"], error["field"]) == ("ambiguous_reference", "person")
    assert {c["id"] for c in error["candidates"]} == {person["id"], twin["id"]}
    assert len(await crm_get(pipedrive, "/api/v2/deals", limit=500)) == len(before)  # nothing written


async def test_deal_create_offers_search_hits_that_are_not_the_name_as_candidates(pipedrive: Account) -> None:
    zebulon = await crm_post(pipedrive, "/api/v2/persons", {"name": "Zebulon Quartz"})
    error = error_of(await pipedrive.call("pipedrive_deal_create", {"title": "X", "person": "Zebul"}))
    assert (error["code"], error["field"]) == ("ambiguous_reference", "person")
    assert error["candidates"] == [{"id": zebulon["id"], "label": "Zebulon Quartz"}]
    assert "no person is called 'Zebul'" in error["message"]


async def test_deal_get_returns_the_deal(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/deals")
    data = await pipedrive.ok("pipedrive_deal_get", {"id": seeded["id"]})
    assert (data["id"], data["title"], data["stage_id"]) == (
        seeded["id"],
        seeded["title"],
        seeded["stage_id"],
    )


async def test_deal_get_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_deal_get", {"id": 999999}))
    assert error["code"] == "not_found" and "999999" in error["message"]


async def test_deals_list_filters_by_stage_name_and_pages(pipedrive: Account) -> None:
    stage = await stage_named(pipedrive, "Qualified")
    expected = [d["id"] for d in await crm_get(pipedrive, "/api/v2/deals", stage_id=stage["id"])]
    assert len(expected) >= 2
    page1 = await pipedrive.ok("pipedrive_deals_list", {"stage": "Qualified", "limit": 1})
    page2 = await pipedrive.ok(
        "pipedrive_deals_list", {"stage": "Qualified", "limit": 1, "cursor": page1["next_cursor"]}
    )
    assert [d["id"] for d in page1["results"] + page2["results"]] == expected[:2]
    assert all(d["stage_id"] == stage["id"] for d in page1["results"] + page2["results"])


async def test_deals_list_unknown_pipeline_lists_the_pipelines(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_deals_list", {"pipeline": "Enterprise"}))
    assert (error["code"], error["field"]) == ("invalid_input", "pipeline")
    pipelines = await crm_get(pipedrive, "/api/v2/pipelines")
    assert error["allowed"] == [p["id"] for p in pipelines]
    assert "'Sales pipeline'" in error["message"] and "'Partnerships'" in error["message"]


async def test_deal_update_changes_the_deal(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/deals")
    data = await pipedrive.ok(
        "pipedrive_deal_update",
        {"id": seeded["id"], "title": "Renamed", "stage": "Signed", "status": "won", "value": 777},
    )
    deal = await crm_get(pipedrive, f"/api/v2/deals/{seeded['id']}")
    signed = await stage_named(pipedrive, "Signed")
    assert (deal["title"], deal["status"], deal["value"], deal["stage_id"]) == (
        "Renamed",
        "won",
        777,
        signed["id"],
    )
    assert data["title"] == "Renamed"


async def test_deal_update_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_deal_update", {"id": 999999, "title": "X"}))
    assert error["code"] == "not_found"


async def test_deal_delete_soft_deletes(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/deals")
    assert await pipedrive.ok("pipedrive_deal_delete", {"id": seeded["id"]}) == {
        "id": seeded["id"],
        "deleted": True,
    }
    assert (await crm_get(pipedrive, f"/api/v2/deals/{seeded['id']}"))["is_deleted"] is True


async def test_deal_delete_unknown_id_is_not_found(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_deal_delete", {"id": 999999}))
    assert error["code"] == "not_found"


async def test_deals_search_finds_seeded_deals(pipedrive: Account) -> None:
    seeded = await first(pipedrive, "/api/v2/deals")
    data = await pipedrive.ok("pipedrive_deals_search", {"term": seeded["title"], "exact_match": True})
    assert [d["id"] for d in data["results"]] == [seeded["id"]]
    hit = data["results"][0]
    assert hit["title"] == seeded["title"] and hit["stage"]["id"] == seeded["stage_id"]


async def test_deals_search_without_term_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_deals_search", {"status": "open"}))
    assert (error["code"], error["field"]) == ("invalid_input", "term")
