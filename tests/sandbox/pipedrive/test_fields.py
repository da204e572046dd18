"""Pipelines, stages and the fields API (v2)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio


async def test_pipelines_and_stages(company_api: CompanyApi) -> None:
    pipelines = await company_api.data("/api/v2/pipelines")
    assert [p["name"] for p in pipelines] == ["Sales pipeline", "Partnerships"]
    assert set(pipelines[0]) == {
        "id", "name", "order_nr", "is_deleted", "is_deal_probability_enabled", "add_time", "update_time", "is_selected",
    }  # fmt: skip
    assert await company_api.data(f"/api/v2/pipelines/{pipelines[1]['id']}") == pipelines[1]
    stages = await company_api.data("/api/v2/stages", params={"pipeline_id": pipelines[0]["id"]})
    assert [s["name"] for s in stages] == [
        "Qualified", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started",
    ]  # fmt: skip
    assert all(s["pipeline_id"] == pipelines[0]["id"] for s in stages)
    assert {"deal_probability", "is_deal_rot_enabled", "days_to_rotten", "order_nr"} <= set(stages[0])
    assert await company_api.data(f"/api/v2/stages/{stages[2]['id']}") == stages[2]
    every = await company_api.data("/api/v2/stages")
    assert len(every) == 9
    assert (await company_api.get("/api/v2/stages/999")).json() == NOT_FOUND
    assert (await company_api.get("/api/v2/pipelines/999")).status_code == 404


@pytest.mark.parametrize(
    ("segment", "custom"),
    [
        ("dealFields", {"Source": "enum", "Contract length (months)": "int", "Competitor": "varchar"}),
        ("personFields", {"Job title": "varchar", "Preferred language": "enum"}),
        ("organizationFields", {"Tier": "enum", "Region": "varchar"}),
        ("productFields", {"SKU family": "varchar"}),
        ("activityFields", {"Outcome": "enum"}),
    ],
)
async def test_fields_list_and_get(company_api: CompanyApi, segment: str, custom: dict[str, str]) -> None:
    fields = await company_api.all(f"/api/v2/{segment}", limit=5)
    assert {f["field_code"] for f in fields if not f["is_custom_field"]} >= {"id", "add_time", "update_time"}
    mine = {f["field_name"]: f for f in fields if f["is_custom_field"]}
    assert {n: f["field_type"] for n, f in mine.items()} == custom
    for field in mine.values():
        assert re.fullmatch(r"[0-9a-f]{40}", field["field_code"])
        if field["field_type"] == "enum":
            assert field["options"] and all(set(o) == {"id", "label"} for o in field["options"])
        assert await company_api.data(f"/api/v2/{segment}/{field['field_code']}") == field
    assert (await company_api.get(f"/api/v2/{segment}/no_such_field")).status_code == 404


async def test_field_and_pipeline_scopes(
    client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    contacts = CompanyApi(client, company, oauth_headers(sandbox, company, ["contacts:read"]))
    assert (await contacts.get("/api/v2/personFields")).status_code == 200
    denied = await contacts.get("/api/v2/dealFields")
    assert denied.status_code == 403 and denied.json()["error"] == "Scope and URL mismatch"
    assert (await contacts.get("/api/v2/pipelines")).status_code == 403
    admin = CompanyApi(client, company, oauth_headers(sandbox, company, ["admin"]))
    assert (await admin.get("/api/v2/stages")).status_code == 200
