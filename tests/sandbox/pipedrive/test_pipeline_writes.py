"""Pipeline and stage writes (v2): spec-valid bodies succeed with the documented shapes, invalid ones are
400s naming the field, and only the ``admin`` scope may write."""

from __future__ import annotations

from typing import Any

import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio

PIPELINE_KEYS = {"id", "name", "order_nr", "is_deleted", "is_deal_probability_enabled", "add_time",
                 "update_time", "is_selected"}  # fmt: skip
STAGE_KEYS = {"id", "order_nr", "name", "is_deleted", "deal_probability", "pipeline_id", "is_deal_rot_enabled",
              "days_to_rotten", "add_time", "update_time"}  # fmt: skip


async def test_pipeline_create_update_delete(company_api: CompanyApi) -> None:
    r = await company_api.post(
        "/api/v2/pipelines", json={"name": "Renewals", "is_deal_probability_enabled": True}
    )
    assert r.status_code == 200, r.text
    pipeline = r.json()["data"]
    assert set(pipeline) == PIPELINE_KEYS
    assert (pipeline["name"], pipeline["is_deleted"], pipeline["order_nr"]) == ("Renewals", False, 3)
    assert await company_api.data(f"/api/v2/pipelines/{pipeline['id']}") == pipeline
    r = await company_api.patch(f"/api/v2/pipelines/{pipeline['id']}", json={"name": "Upsell"})
    assert r.status_code == 200 and r.json()["data"]["name"] == "Upsell"
    stage = await company_api.post("/api/v2/stages", json={"name": "Won back", "pipeline_id": pipeline["id"]})
    stage_id = stage.json()["data"]["id"]
    r = await company_api.delete(f"/api/v2/pipelines/{pipeline['id']}")
    assert r.status_code == 200 and r.json() == {"success": True, "data": {"id": pipeline["id"]}}
    assert (await company_api.data(f"/api/v2/pipelines/{pipeline['id']}"))["is_deleted"] is True
    assert (await company_api.data(f"/api/v2/stages/{stage_id}"))["is_deleted"] is True
    assert pipeline["id"] not in [p["id"] for p in await company_api.data("/api/v2/pipelines")]
    assert (await company_api.delete(f"/api/v2/pipelines/{pipeline['id']}")).status_code == 410
    assert (await company_api.patch("/api/v2/pipelines/999", json={"name": "x"})).json() == NOT_FOUND


async def test_stage_create_update_delete(company_api: CompanyApi) -> None:
    pipelines = await company_api.data("/api/v2/pipelines")
    first, second = pipelines[0]["id"], pipelines[1]["id"]
    body = {"name": "Contract sent", "pipeline_id": first, "deal_probability": 80,
            "is_deal_rot_enabled": True, "days_to_rotten": 14}  # fmt: skip
    r = await company_api.post("/api/v2/stages", json=body)
    assert r.status_code == 200, r.text
    stage = r.json()["data"]
    assert set(stage) == STAGE_KEYS
    assert {k: stage[k] for k in body} == body
    assert stage["order_nr"] == 6  # after the pipeline's five stages
    r = await company_api.patch(
        f"/api/v2/stages/{stage['id']}", json={"pipeline_id": second, "days_to_rotten": None}
    )
    moved = r.json()["data"]
    assert (moved["pipeline_id"], moved["days_to_rotten"]) == (second, None)
    assert moved["order_nr"] == len(await company_api.data("/api/v2/stages", params={"pipeline_id": second}))
    r = await company_api.delete(f"/api/v2/stages/{stage['id']}")
    assert r.json() == {"success": True, "data": {"id": stage["id"]}}
    assert stage["id"] not in [s["id"] for s in await company_api.data("/api/v2/stages")]


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/api/v2/pipelines", {}, "'name' is required"),
        ("/api/v2/pipelines", {"name": ""}, "must not be empty"),
        ("/api/v2/pipelines", {"name": "p", "is_deal_probability_enabled": 1}, "true or false"),
        ("/api/v2/pipelines", {"name": "p", "order_nr": 2}, "read-only"),
        ("/api/v2/pipelines", {"name": "p", "colour": "red"}, "Unknown field(s): colour"),
        ("/api/v2/stages", {"name": "s"}, "pipeline_id are required"),
        ("/api/v2/stages", {"name": "s", "pipeline_id": 999}, "Pipeline with id 999 was not found"),
        ("/api/v2/stages", {"name": "s", "pipeline_id": "1"}, "an integer"),
        ("/api/v2/stages", {"name": "s", "pipeline_id": 1, "deal_probability": 101}, "0 to 100"),
        ("/api/v2/stages", {"name": "s", "pipeline_id": 1, "days_to_rotten": -1}, "non-negative"),
    ],
)
async def test_invalid_writes_are_400s(
    company_api: CompanyApi, path: str, body: dict[str, Any], words: str
) -> None:
    r = await company_api.post(path, json=body)
    assert r.status_code == 400, r.text
    assert r.json()["success"] is False and words in r.json()["error"]


async def test_writes_need_admin_scope(client: Any, sandbox: Sandbox, company: dict[str, Any]) -> None:
    api = CompanyApi(client, company, oauth_headers(sandbox, company, ["deals:full"]))
    assert (await api.get("/api/v2/pipelines")).status_code == 200
    assert (await api.post("/api/v2/pipelines", json={"name": "p"})).status_code == 403
    admin = CompanyApi(client, company, oauth_headers(sandbox, company, ["admin"]))
    assert (await admin.post("/api/v2/pipelines", json={"name": "p"})).status_code == 200
