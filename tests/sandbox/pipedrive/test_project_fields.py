"""v2 project fields (/api/v2/projectFields): the Project model's system fields plus custom project fields,
their writes and option operations, the namespaces every read carries, and the project scopes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio

KEYS = {"field_name", "field_code", "field_type", "options", "subfields", "is_custom_field",
        "is_optional_response_field"}  # fmt: skip
#: Project field reads always carry these (no include_fields parameter; the spec's example shows them).
NAMESPACES = {"ui_visibility", "important_fields", "required_fields"}
TYPES = {"int", "double", "boolean", "varchar", "text", "phone", "varchar_options", "varchar_auto", "date",
         "daterange", "time", "timerange", "enum", "set", "address", "monetary", "deal", "deals", "lead", "org",
         "people", "project", "stage", "user", "activity", "json", "picture", "status", "visible_to", "price_list",
         "billing_frequency", "projects_board", "projects_phase"}  # fmt: skip


async def test_list_system_fields_and_get_one(company_api: CompanyApi) -> None:
    r = await company_api.get("/api/v2/projectFields", params={"limit": 5})
    assert r.status_code == 200, r.text
    assert r.json()["success"] is True and isinstance(r.json()["additional_data"]["next_cursor"], str)
    fields = await company_api.all("/api/v2/projectFields")
    for field in fields:
        assert set(field) == KEYS | NAMESPACES
        assert field["ui_visibility"] == {"add_visible_flag": True, "details_visible_flag": True}
        assert field["important_fields"] == {"enabled": False, "stage_ids": []}
        assert field["required_fields"] == {"enabled": False}
        assert field["field_type"] in TYPES and field["is_custom_field"] is False
        assert isinstance(field["is_optional_response_field"], bool)
    codes = [f["field_code"] for f in fields]
    assert {"id", "title", "board_id", "phase_id", "owner_id", "start_date", "end_date", "deal_ids"} <= set(
        codes
    )
    one = await company_api.data("/api/v2/projectFields/board_id")
    assert one == next(f for f in fields if f["field_code"] == "board_id")
    assert one["field_type"] == "projects_board"
    assert (await company_api.get("/api/v2/projectFields/nope")).json() == NOT_FOUND


async def test_custom_project_field_lifecycle(company_api: CompanyApi) -> None:
    body = {"field_name": "Risk", "field_type": "enum", "options": [{"label": "Low"}, {"label": "High"}],
            "ui_visibility": {"add_visible_flag": True}, "required_fields": {"enabled": True}}  # fmt: skip
    r = await company_api.post("/api/v2/projectFields", json=body)
    assert r.status_code == 200, r.text
    field = r.json()["data"]
    assert set(field) == KEYS and re.fullmatch(r"[0-9a-f]{40}", field["field_code"])
    assert field["is_custom_field"] is True and [o["label"] for o in field["options"]] == ["Low", "High"]
    one = f"/api/v2/projectFields/{field['field_code']}"
    shown = await company_api.data(one)
    assert shown == await company_api.data(one, params={"include_fields": "ui_visibility"}) | {
        "important_fields": shown["important_fields"], "required_fields": shown["required_fields"]}  # fmt: skip
    assert shown["ui_visibility"] == {"add_visible_flag": True, "details_visible_flag": True}
    assert shown["important_fields"] == {"enabled": False, "stage_ids": []}
    assert shown["required_fields"] == {"enabled": True}
    renamed = await company_api.patch(one, json={"field_name": "Risk level"})
    assert renamed.json()["data"]["field_name"] == "Risk level"
    added = (await company_api.post(one + "/options", json=[{"label": "Medium"}])).json()["data"]
    assert [o["label"] for o in added] == ["Medium"]
    assert len((await company_api.data(one))["options"]) == 3
    r = await company_api.delete(one)
    assert r.status_code == 200 and r.json()["data"]["field_code"] == field["field_code"]
    assert (await company_api.get(one)).json() == NOT_FOUND


async def test_invalid_project_field_writes(company_api: CompanyApi) -> None:
    for body, words in [
        ({"field_name": "x", "field_type": "int"}, "one of varchar"),
        ({"field_name": "x", "field_type": "varchar", "description": "d"}, "Unknown field(s)"),
        ({"field_type": "varchar"}, "field_name are required"),
    ]:
        r = await company_api.post("/api/v2/projectFields", json=body)
        assert r.status_code == 400 and words in r.json()["error"], r.text
    assert (await company_api.delete("/api/v2/projectFields/title")).status_code == 400
    assert (
        await company_api.patch("/api/v2/projectFields/title", json={"field_name": "T"})
    ).status_code == 400


async def test_project_field_scopes(client: Any, sandbox: Sandbox, company: dict[str, Any]) -> None:
    body = {"field_name": "x", "field_type": "varchar"}
    reader = CompanyApi(client, company, oauth_headers(sandbox, company, ["projects:read"]))
    assert (await reader.get("/api/v2/projectFields")).status_code == 200
    assert (await reader.post("/api/v2/projectFields", json=body)).status_code == 403
    admin = CompanyApi(client, company, oauth_headers(sandbox, company, ["admin"]))
    assert (await admin.get("/api/v2/projectFields")).status_code == 403  # the spec lists no admin here
    writer = CompanyApi(client, company, oauth_headers(sandbox, company, ["project-fields:full"]))
    assert (await writer.post("/api/v2/projectFields", json=body)).status_code == 200
    assert (await writer.get("/api/v2/projectFields")).status_code == 200
    assert (await writer.post("/api/v2/dealFields", json=body)).status_code == 403
