"""Custom-field writes (v2 fields APIs): create/update/delete and the option operations, with their
shapes, the 40-hex codes, what each entity accepts, and the 400s/404s for what the spec refuses."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio

FIELD_KEYS = {"field_name", "field_code", "field_type", "options", "subfields", "is_custom_field",
              "is_optional_response_field"}  # fmt: skip


@pytest.mark.parametrize("segment", ["dealFields", "personFields", "organizationFields", "productFields"])
async def test_create_update_delete(company_api: CompanyApi, segment: str) -> None:
    r = await company_api.post(f"/api/v2/{segment}", json={"field_name": "Budget", "field_type": "monetary"})
    assert r.status_code == 200, r.text
    field = r.json()["data"]
    assert set(field) == FIELD_KEYS | ({"description"} if segment == "dealFields" else set())
    assert re.fullmatch(r"[0-9a-f]{40}", field["field_code"])
    assert (field["field_name"], field["field_type"], field["is_custom_field"]) == (
        "Budget",
        "monetary",
        True,
    )
    assert field["subfields"] == [{"field_code": field["field_code"] + "_currency", "field_name": "Currency",
                                   "field_type": "varchar"}]  # fmt: skip
    one = f"/api/v2/{segment}/{field['field_code']}"
    assert await company_api.data(one) == field
    renamed = (await company_api.patch(one, json={"field_name": "Budget (EUR)"})).json()["data"]
    assert renamed == {**field, "field_name": "Budget (EUR)"}
    r = await company_api.delete(one)
    assert r.status_code == 200 and r.json()["data"]["field_code"] == field["field_code"]
    assert (await company_api.get(one)).json() == NOT_FOUND
    assert field["field_code"] not in [f["field_code"] for f in await company_api.all(f"/api/v2/{segment}")]


async def test_enum_options_and_values(company_api: CompanyApi) -> None:
    body = {"field_name": "Channel", "field_type": "set", "options": [{"label": "Web"}, {"label": "Phone"}],
            "description": "Where the deal came from", "ui_visibility": {"add_visible_flag": False}}  # fmt: skip
    field = (await company_api.post("/api/v2/dealFields", json=body)).json()["data"]
    assert [o["label"] for o in field["options"]] == ["Web", "Phone"]
    assert field["description"] == "Where the deal came from"
    one = f"/api/v2/dealFields/{field['field_code']}"
    shown = await company_api.data(one, params={"include_fields": "ui_visibility"})
    assert shown["ui_visibility"]["add_visible_flag"] is False
    assert shown["ui_visibility"]["details_visible_flag"] is True
    added = (await company_api.post(one + "/options", json=[{"label": "Email"}])).json()["data"]
    assert [o["label"] for o in added] == ["Email"] and isinstance(added[0]["id"], int)
    web, phone = field["options"]
    r = await company_api.patch(one + "/options", json=[{"id": web["id"], "label": "Website"}])
    assert r.json()["data"] == [{"id": web["id"], "label": "Website"}]
    r = await company_api.request("DELETE", one + "/options", json=[{"id": phone["id"]}])
    assert r.json()["data"] == [phone]
    labels = [o["label"] for o in (await company_api.data(one))["options"]]
    assert labels == ["Website", "Email"]
    deal = await company_api.post(
        "/api/v2/deals",
        json={"title": "d", "custom_fields": {field["field_code"]: [web["id"], added[0]["id"]]}},
    )
    assert deal.status_code == 200, deal.text
    assert deal.json()["data"]["custom_fields"][field["field_code"]] == [web["id"], added[0]["id"]]
    stale = await company_api.post(
        "/api/v2/deals", json={"title": "d", "custom_fields": {field["field_code"]: [phone["id"]]}}
    )
    assert stale.status_code == 400


@pytest.mark.parametrize(
    ("segment", "body", "words"),
    [
        ("dealFields", {"field_type": "varchar"}, "field_name are required"),
        ("dealFields", {"field_name": "x"}, "field_type are required"),
        ("dealFields", {"field_name": "", "field_type": "varchar"}, "non-empty string"),
        ("dealFields", {"field_name": "x", "field_type": "int"}, "one of varchar"),
        ("dealFields", {"field_name": "x", "field_type": "enum"}, "non-empty JSON array"),
        (
            "dealFields",
            {"field_name": "x", "field_type": "enum", "options": [{"label": 3}]},
            "non-empty string",
        ),
        ("dealFields", {"field_name": "x", "field_type": "varchar", "options": [{"label": "a"}]}, "only for"),
        ("dealFields", {"field_name": "x", "field_type": "varchar", "ui_visibility": True}, "an object"),
        (
            "personFields",
            {"field_name": "x", "field_type": "varchar", "description": "d"},
            "Unknown field(s): description",
        ),
        (
            "productFields",
            {"field_name": "x", "field_type": "text", "required_fields": {}},
            "Unknown field(s)",
        ),
    ],
)
async def test_invalid_creates(
    company_api: CompanyApi, segment: str, body: dict[str, Any], words: str
) -> None:
    r = await company_api.post(f"/api/v2/{segment}", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["success"] is False and words in r.json()["error"]


async def test_invalid_updates_and_options(company_api: CompanyApi) -> None:
    fields = await company_api.all("/api/v2/dealFields")
    source = next(f for f in fields if f["field_name"] == "Source")
    one = f"/api/v2/dealFields/{source['field_code']}"
    for body, words in [
        ({}, "At least one"),
        ({"field_type": "set"}, "cannot be changed"),
        ({"x": 1}, "Unknown"),
    ]:
        r = await company_api.patch(one, json=body)
        assert r.status_code == 400 and words in r.json()["error"], r.text
    assert (await company_api.patch("/api/v2/dealFields/title", json={"field_name": "T"})).status_code == 400
    assert (await company_api.delete("/api/v2/dealFields/title")).status_code == 400
    assert (await company_api.delete("/api/v2/dealFields/" + "0" * 40)).json() == NOT_FOUND
    r = await company_api.patch(one + "/options", json=[{"id": 999999, "label": "x"}])
    assert r.status_code == 400 and "999999" in r.json()["error"]
    assert (await company_api.post(one + "/options", json={"label": "x"})).status_code == 400
    assert (await company_api.post(one + "/options", json=[{"label": "a"}, {"label": ""}])).status_code == 400
    assert len((await company_api.data(one))["options"]) == len(source["options"])  # atomic
    competitor = next(f for f in fields if f["field_name"] == "Competitor")
    r = await company_api.post(
        f"/api/v2/dealFields/{competitor['field_code']}/options", json=[{"label": "a"}]
    )
    assert r.status_code == 400 and "not a custom enum or set" in r.json()["error"]


async def test_field_writes_need_a_fields_scope(
    client: Any, sandbox: Sandbox, company: dict[str, Any]
) -> None:
    body = {"field_name": "x", "field_type": "varchar"}
    reader = CompanyApi(client, company, oauth_headers(sandbox, company, ["deals:full"]))
    assert (await reader.post("/api/v2/dealFields", json=body)).status_code == 403
    writer = CompanyApi(client, company, oauth_headers(sandbox, company, ["deal-fields:full"]))
    assert (await writer.post("/api/v2/dealFields", json=body)).status_code == 200
    assert (await writer.post("/api/v2/personFields", json=body)).status_code == 403
