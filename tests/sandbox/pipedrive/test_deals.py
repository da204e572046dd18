"""Deals v2: CRUD, validation, stage placement, soft delete + purge, pagination, filters, tenancy."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, advance

pytestmark = pytest.mark.anyio


async def _stages(company_api: CompanyApi) -> dict[int, list[dict[str, Any]]]:
    pipelines = await company_api.data("/api/v2/pipelines")
    return {
        p["id"]: await company_api.data("/api/v2/stages", params={"pipeline_id": p["id"]}) for p in pipelines
    }


async def test_create_defaults_then_read_back(
    company_api: CompanyApi, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    r = await company_api.post("/api/v2/deals", json={"title": "Big one", "value": 1200.5, "currency": "EUR"})
    assert r.status_code == 200, r.text
    deal = r.json()["data"]
    admin = sandbox.pipedrive.companies[company["company_id"]].admin()
    stages = await _stages(company_api)
    default_pipeline = min(stages)
    assert deal["owner_id"] == admin.id and deal["creator_user_id"] == admin.id
    assert deal["origin"] == "API" and deal["status"] == "open" and deal["is_deleted"] is False
    assert (deal["pipeline_id"], deal["stage_id"]) == (default_pipeline, stages[default_pipeline][0]["id"])
    assert deal["value"] == 1200.5 and deal["currency"] == "EUR" and isinstance(deal["visible_to"], int)
    assert deal["add_time"].endswith("Z") and "T" in deal["add_time"]
    assert set(deal["custom_fields"]) and all(len(k) == 40 for k in deal["custom_fields"])
    assert await company_api.data(f"/api/v2/deals/{deal['id']}") == deal


async def test_pipeline_alone_means_its_first_stage_and_stage_implies_pipeline(
    company_api: CompanyApi,
) -> None:
    stages = await _stages(company_api)
    second = max(stages)
    deal = (await company_api.post("/api/v2/deals", json={"title": "P", "pipeline_id": second})).json()[
        "data"
    ]
    assert deal["stage_id"] == stages[second][0]["id"]
    later = stages[second][2]["id"]
    moved = (
        await company_api.patch(
            f"/api/v2/deals/{deal['id']}", json={"stage_id": stages[min(stages)][1]["id"]}
        )
    ).json()
    assert moved["data"]["pipeline_id"] == min(stages) and moved["data"]["stage_change_time"] is not None
    r = await company_api.post(
        "/api/v2/deals", json={"title": "X", "pipeline_id": min(stages), "stage_id": later}
    )
    assert r.status_code == 400 and "belongs to pipeline" in r.json()["error"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({}, "'title' is required"),
        ({"title": ""}, "must not be empty"),
        ({"title": "x", "value": "100"}, "'value': expected a number"),
        ({"title": "x", "is_archived": 1}, "expected true or false"),
        ({"title": "x", "stage_id": 99999}, "Stage with id 99999 was not found"),
        ({"title": "x", "person_id": 99999}, "Person with id 99999"),
        ({"title": "x", "org_id": 99999}, "Organization with id 99999"),
        ({"title": "x", "owner_id": 1}, "User with id 1"),
        ({"title": "x", "status": "deleted"}, "'status'"),
        ({"title": "x", "visible_to": "3"}, "'visible_to'"),
        ({"title": "x", "bogus": 1}, "Unknown field(s): bogus"),
        ({"title": "x", "id": 5}, "read-only"),
        ({"title": "x", "is_deleted": True}, "cannot create a deleted entity"),
        ({"title": "x", "lost_reason": "price"}, "only be set when status is lost"),
        ({"title": "x", "expected_close_date": "12/01/2025"}, "YYYY-MM-DD"),
        ({"title": "x", "custom_fields": {"0" * 40: 1}}, "Unknown custom field"),
    ],
)
async def test_validation_errors(company_api: CompanyApi, body: dict[str, Any], needle: str) -> None:
    before = len(await company_api.all("/api/v2/deals"))
    r = await company_api.post("/api/v2/deals", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["success"] is False and needle in r.json()["error"]
    assert len(await company_api.all("/api/v2/deals")) == before


async def test_custom_fields_validated_by_type(company_api: CompanyApi) -> None:
    fields = {f["field_name"]: f for f in await company_api.data("/api/v2/dealFields", params={"limit": 500})}
    source, months = fields["Source"], fields["Contract length (months)"]
    bad = await company_api.post(
        "/api/v2/deals", json={"title": "x", "custom_fields": {source["field_code"]: 123456}}
    )
    assert bad.status_code == 400 and "valid option ids" in bad.json()["error"]
    bad = await company_api.post(
        "/api/v2/deals", json={"title": "x", "custom_fields": {months["field_code"]: "12"}}
    )
    assert bad.status_code == 400
    option = source["options"][1]["id"]
    body = {"title": "x", "custom_fields": {source["field_code"]: option, months["field_code"]: 24}}
    deal = (await company_api.post("/api/v2/deals", json=body)).json()["data"]
    got = await company_api.data(f"/api/v2/deals/{deal['id']}")
    assert got["custom_fields"][source["field_code"]] == option
    assert got["custom_fields"][months["field_code"]] == 24
    cleared = await company_api.patch(
        f"/api/v2/deals/{deal['id']}", json={"custom_fields": {source["field_code"]: None}}
    )
    assert cleared.json()["data"]["custom_fields"][source["field_code"]] is None
    assert cleared.json()["data"]["custom_fields"][months["field_code"]] == 24


async def test_patch_status_stamps_times(company_api: CompanyApi) -> None:
    deal = (await company_api.post("/api/v2/deals", json={"title": "S"})).json()["data"]
    won = (await company_api.patch(f"/api/v2/deals/{deal['id']}", json={"status": "won"})).json()["data"]
    assert won["won_time"] and won["close_time"] and won["lost_time"] is None
    lost = await company_api.patch(
        f"/api/v2/deals/{deal['id']}", json={"status": "lost", "lost_reason": "Budget"}
    )
    assert lost.json()["data"]["lost_reason"] == "Budget" and lost.json()["data"]["won_time"] is None
    reopened = (await company_api.patch(f"/api/v2/deals/{deal['id']}", json={"status": "open"})).json()[
        "data"
    ]
    assert reopened["close_time"] is None and reopened["lost_reason"] is None
    assert (
        await company_api.patch(f"/api/v2/deals/{deal['id']}", json={"is_deleted": True})
    ).status_code == 400
    assert (await company_api.patch("/api/v2/deals/999999", json={"title": "nope"})).json() == NOT_FOUND


async def test_soft_delete_then_purge_after_30_days(
    company_api: CompanyApi, client: httpx.AsyncClient
) -> None:
    deal = (await company_api.post("/api/v2/deals", json={"title": "Doomed"})).json()["data"]
    r = await company_api.delete(f"/api/v2/deals/{deal['id']}")
    assert r.json() == {"success": True, "data": {"id": deal["id"]}}
    got = await company_api.data(f"/api/v2/deals/{deal['id']}")
    assert got["is_deleted"] is True and got["title"] == "Doomed"
    assert deal["id"] not in [d["id"] for d in await company_api.all("/api/v2/deals")]
    deleted = await company_api.all("/api/v2/deals", status="deleted")
    assert [d["id"] for d in deleted] == [deal["id"]]
    r = await company_api.patch(f"/api/v2/deals/{deal['id']}", json={"title": "zombie"})
    assert r.status_code == 410 and r.json()["success"] is False
    assert (await company_api.delete(f"/api/v2/deals/{deal['id']}")).status_code == 410
    await advance(client, 29 * 86_400)
    assert (await company_api.get(f"/api/v2/deals/{deal['id']}")).status_code == 200
    await advance(client, 2 * 86_400)
    r = await company_api.get(f"/api/v2/deals/{deal['id']}")
    assert r.status_code == 404 and r.json() == NOT_FOUND
    assert await company_api.all("/api/v2/deals", status="deleted") == []


async def test_cursor_pagination_walks_every_row_once(company_api: CompanyApi) -> None:
    everything = await company_api.all("/api/v2/deals", limit=500)
    r = await company_api.get("/api/v2/deals")
    assert len(r.json()["data"]) == min(100, len(everything))
    paged = await company_api.all("/api/v2/deals", limit=7)
    assert [d["id"] for d in paged] == [d["id"] for d in everything] == sorted(d["id"] for d in everything)
    assert (await company_api.get("/api/v2/deals", params={"limit": 501})).status_code == 400
    assert (await company_api.get("/api/v2/deals", params={"cursor": "garbage!"})).status_code == 400


async def test_filters_and_sorting(company_api: CompanyApi) -> None:
    everything = await company_api.all("/api/v2/deals")
    some = everything[0]
    by_owner = await company_api.all("/api/v2/deals", owner_id=some["owner_id"])
    assert by_owner and all(d["owner_id"] == some["owner_id"] for d in by_owner)
    assert {d["id"] for d in by_owner} == {d["id"] for d in everything if d["owner_id"] == some["owner_id"]}
    by_stage = await company_api.all("/api/v2/deals", stage_id=some["stage_id"])
    assert all(d["stage_id"] == some["stage_id"] for d in by_stage) and some["id"] in [
        d["id"] for d in by_stage
    ]
    ids = [everything[1]["id"], everything[3]["id"]]
    assert [d["id"] for d in await company_api.all("/api/v2/deals", ids=f"{ids[0]},{ids[1]}")] == ids
    won = await company_api.all("/api/v2/deals", status="won")
    assert all(d["status"] == "won" for d in won)
    desc = await company_api.all("/api/v2/deals", sort_by="id", sort_direction="desc")
    assert [d["id"] for d in desc] == sorted((d["id"] for d in everything), reverse=True)
    newest = await company_api.all("/api/v2/deals", sort_by="update_time", sort_direction="desc")
    assert newest[0]["update_time"] == max(d["update_time"] for d in everything)
    cut = sorted(d["update_time"] for d in everything)[len(everything) // 2]
    recent = await company_api.all("/api/v2/deals", updated_since=cut)
    assert recent and all(d["update_time"] >= cut for d in recent)
    assert (await company_api.get("/api/v2/deals", params={"sort_by": "title"})).status_code == 400


async def test_tenancy_and_domain_mismatch(client: httpx.AsyncClient, company: dict[str, Any]) -> None:
    r = await client.post("/_sandbox/pipedrive/companies", json={"seed": 7, "deals": 0})
    other = r.json()
    other["headers"] = {"x-api-token": other["api_token"]}
    other["prefix"] = f"/pipedrive/{other['company_domain']}"
    mine, theirs = CompanyApi(client, company), CompanyApi(client, other)
    deal = (await mine.post("/api/v2/deals", json={"title": "Secret"})).json()["data"]
    assert await theirs.all("/api/v2/deals") == []
    assert (await theirs.get(f"/api/v2/deals/{deal['id']}")).status_code == 404
    assert (await theirs.patch(f"/api/v2/deals/{deal['id']}", json={"title": "x"})).status_code == 404
    crossed = await client.get(f"{company['prefix']}/api/v2/deals", headers=other["headers"])
    assert crossed.status_code == 401
    no_domain = await client.get("/pipedrive/api/v2/deals", headers=company["headers"], params={"limit": 1})
    assert no_domain.status_code == 200


async def test_archived_deals_leave_the_list(company_api: CompanyApi) -> None:
    deal = (await company_api.post("/api/v2/deals", json={"title": "Old"})).json()["data"]
    archived = (await company_api.patch(f"/api/v2/deals/{deal['id']}", json={"is_archived": True})).json()[
        "data"
    ]
    assert archived["is_archived"] is True and archived["archive_time"] is not None
    assert deal["id"] not in [d["id"] for d in await company_api.all("/api/v2/deals")]
    assert [d["id"] for d in await company_api.all("/api/v2/deals/archived")] == [deal["id"]]
    assert (await company_api.data(f"/api/v2/deals/{deal['id']}"))["is_archived"] is True
