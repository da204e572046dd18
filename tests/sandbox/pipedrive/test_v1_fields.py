"""v1 fields APIs (/v1/dealFields …, /v1/leadFields, /v1/noteFields): the v1 Field object's attributes and
types, offset pages, writes (PUT, bulk delete), one store shared with the v2 fields APIs, and the errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio

BOOL_FLAGS = ("active_flag", "edit_flag", "index_visible_flag", "details_visible_flag", "add_visible_flag",
              "important_flag", "bulk_edit_allowed", "searchable_flag", "filtering_allowed", "sortable_flag",
              "mandatory_flag")  # fmt: skip
FIELD_KEYS = {"id", "key", "name", "order_nr", "field_type", "add_time", "update_time", "last_updated_by_user_id",
              "created_by_user_id", "options", *BOOL_FLAGS}  # fmt: skip
#: GetFieldAllOf's field_type enum (what a v1 field read may carry).
READ_TYPES = {"boolean", "double", "int", "json", "date", "daterange", "time", "timerange", "text", "varchar",
              "varchar_auto", "varchar_options", "address", "enum", "monetary", "phone", "set", "activity", "deal",
              "lead", "org", "people", "pipeline", "product", "project", "stage", "user", "billing_frequency",
              "picture", "price_list", "projects_board", "projects_phase", "status", "visible_to"}  # fmt: skip
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
SEGMENTS = ["dealFields", "personFields", "organizationFields", "productFields", "activityFields"]
WRITABLE = ["dealFields", "personFields", "organizationFields", "productFields"]


def check_field(field: dict[str, Any]) -> None:
    """Every attribute of the v1 Field model (ProductField's too), with its type."""
    extra = set(field) - FIELD_KEYS
    assert set(field) >= FIELD_KEYS
    assert extra <= {"subfields"}, extra
    assert isinstance(field["id"], int) and not isinstance(field["id"], bool)
    assert isinstance(field["key"], str) and field["key"]
    assert isinstance(field["name"], str) and isinstance(field["order_nr"], int)
    assert field["field_type"] in READ_TYPES
    assert TIME.fullmatch(field["add_time"]) and TIME.fullmatch(field["update_time"])
    for who in ("last_updated_by_user_id", "created_by_user_id"):
        assert isinstance(field[who], int)  # the spec's examples name a user for system fields too
    for flag in BOOL_FLAGS:
        if flag in field:
            assert isinstance(field[flag], bool), flag
    options = field["options"]
    assert options is None or all(isinstance(o["id"], int) and isinstance(o["label"], str) for o in options)
    for sub in field.get("subfields", []):
        assert sub["id"] is None and sub["is_subfield"] is True and sub["key"].startswith(field["key"] + "_")


@pytest.mark.parametrize("segment", SEGMENTS)
async def test_list_shapes_and_pagination(company_api: CompanyApi, segment: str) -> None:
    r = await company_api.get(f"/v1/{segment}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True
    fields = body["data"]
    assert body["additional_data"]["pagination"] == {
        "start": 0,
        "limit": 100,
        "more_items_in_collection": False,
    }
    for field in fields:
        check_field(field)
    assert [f["order_nr"] for f in fields] == list(range(1, len(fields) + 1))
    assert len({f["id"] for f in fields}) == len(fields)
    custom = [f for f in fields if f["edit_flag"]]
    assert custom and all(re.fullmatch(r"[0-9a-f]{40}", f["key"]) for f in custom)
    assert "id" in {f["key"] for f in fields if not f["edit_flag"]}
    page = await company_api.get(f"/v1/{segment}", params={"start": 2, "limit": 3})
    assert page.json()["data"] == fields[2:5]
    assert page.json()["additional_data"]["pagination"] == {
        "start": 2, "limit": 3, "more_items_in_collection": True, "next_start": 5}  # fmt: skip
    bad = await company_api.get(f"/v1/{segment}", params={"limit": "x"})
    assert bad.status_code == 400 and bad.json()["success"] is False


@pytest.mark.parametrize("segment", WRITABLE)
async def test_get_one_and_v2_consistency(company_api: CompanyApi, segment: str) -> None:
    v1 = await company_api.data(f"/v1/{segment}")
    v2 = await company_api.all(f"/api/v2/{segment}")
    assert [f["key"] for f in v1] == [f["field_code"] for f in v2]
    assert [f["name"] for f in v1] == [f["field_name"] for f in v2]
    assert [f["options"] for f in v1] == [f["options"] for f in v2]
    for field in v1[:3] + v1[-2:]:
        one = await company_api.get(f"/v1/{segment}/{field['id']}")
        assert one.status_code == 200 and one.json()["data"] == field


async def test_create_in_v1_reads_in_v2_and_back(company_api: CompanyApi) -> None:
    body = {"name": "Channel", "field_type": "set", "options": [{"label": "Web"}, {"label": "Phone"}],
            "add_visible_flag": False}  # fmt: skip
    r = await company_api.post("/v1/dealFields", json=body)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"success", "data"} and r.json()["success"] is True
    field = r.json()["data"]
    check_field(field)
    assert re.fullmatch(r"[0-9a-f]{40}", field["key"])
    assert (field["name"], field["field_type"], field["edit_flag"], field["add_visible_flag"]) == (
        "Channel", "set", True, False)  # fmt: skip
    assert [o["label"] for o in field["options"]] == ["Web", "Phone"]
    me = (await company_api.data("/v1/users/me"))["id"]
    assert field["created_by_user_id"] == field["last_updated_by_user_id"] == me
    v2 = await company_api.data(
        f"/api/v2/dealFields/{field['key']}", params={"include_fields": "ui_visibility"}
    )
    assert (v2["field_name"], v2["field_type"], v2["is_custom_field"]) == ("Channel", "set", True)
    assert v2["options"] == field["options"]
    assert v2["ui_visibility"]["add_visible_flag"] is False
    # v2 edits show in v1 (option ids kept)
    await company_api.post(f"/api/v2/dealFields/{field['key']}/options", json=[{"label": "Email"}])
    await company_api.patch(f"/api/v2/dealFields/{field['key']}", json={"field_name": "Channels"})
    again = await company_api.data(f"/v1/dealFields/{field['id']}")
    assert again["name"] == "Channels"
    assert again["options"][:2] == field["options"] and again["options"][2]["label"] == "Email"
    # a field created in v2 is a v1 field
    made = await company_api.post(
        "/api/v2/personFields", json={"field_name": "Budget", "field_type": "monetary"}
    )
    code = made.json()["data"]["field_code"]
    v1 = next(f for f in await company_api.data("/v1/personFields") if f["key"] == code)
    check_field(v1)
    assert (v1["name"], v1["field_type"]) == ("Budget", "monetary")
    assert v1["subfields"] == [{"id": None, "key": code + "_currency", "name": "Currency", "field_type": "varchar",
                                "is_subfield": True}]  # fmt: skip
    # values written with the new field work on deals
    web = field["options"][0]["id"]
    deal = await company_api.post(
        "/api/v2/deals", json={"title": "d", "custom_fields": {field["key"]: [web]}}
    )
    assert deal.status_code == 200, deal.text


async def test_update_options_replace_and_delete(company_api: CompanyApi) -> None:
    made = await company_api.post("/v1/organizationFields", json={
        "name": "Size", "field_type": "enum", "options": [{"label": "S"}, {"label": "M"}, {"label": "L"}]})  # fmt: skip
    field = made.json()["data"]
    s, m, _l = field["options"]
    body = {"name": "T-shirt size", "options": [{"id": s["id"], "label": "Small"}, {"id": m["id"], "label": "M"},
                                                {"label": "XL"}], "add_visible_flag": "0"}  # fmt: skip
    r = await company_api.put(f"/v1/organizationFields/{field['id']}", json=body)
    assert r.status_code == 200, r.text
    updated = r.json()["data"]
    check_field(updated)
    assert updated["name"] == "T-shirt size" and updated["add_visible_flag"] is False
    assert [o["label"] for o in updated["options"]] == ["Small", "M", "XL"]
    assert updated["options"][0]["id"] == s["id"] and updated["options"][2]["id"] not in {s["id"], m["id"]}
    v2 = await company_api.data(f"/api/v2/organizationFields/{field['key']}")
    assert v2["options"] == updated["options"] and v2["field_name"] == "T-shirt size"
    r = await company_api.delete(f"/v1/organizationFields/{field['id']}")
    assert r.status_code == 200 and r.json() == {"success": True, "data": {"id": field["id"]}}
    assert (await company_api.get(f"/v1/organizationFields/{field['id']}")).json() == NOT_FOUND
    assert (await company_api.get(f"/api/v2/organizationFields/{field['key']}")).json() == NOT_FOUND


async def test_bulk_delete_is_all_or_nothing(company_api: CompanyApi) -> None:
    ids = []
    for name in ("A", "B"):
        r = await company_api.post("/v1/personFields", json={"name": name, "field_type": "varchar"})
        ids.append(r.json()["data"]["id"])
    system_id = (await company_api.data("/v1/personFields"))[0]["id"]
    r = await company_api.delete("/v1/personFields", params={"ids": f"{ids[0]},{system_id}"})
    assert r.status_code == 400 and "cannot be deleted" in r.json()["error"]
    r = await company_api.delete("/v1/personFields", params={"ids": f"{ids[0]},99999999"})
    assert r.json() == NOT_FOUND
    keys = {f["id"] for f in await company_api.data("/v1/personFields")}
    assert set(ids) <= keys
    r = await company_api.delete("/v1/personFields", params={"ids": ",".join(map(str, ids))})
    assert r.status_code == 200 and r.json() == {"success": True, "data": {"id": ids}}
    assert not set(ids) & {f["id"] for f in await company_api.data("/v1/personFields")}
    r = await company_api.delete("/v1/personFields")
    assert r.status_code == 400 and "ids" in r.json()["error"]


async def test_product_fields_201_and_410(company_api: CompanyApi) -> None:
    r = await company_api.post("/v1/productFields", json={"name": "Colour", "field_type": "enum",
                                                          "options": [{"label": "red"}]})  # fmt: skip
    assert r.status_code == 201, r.text
    field = r.json()["data"]
    check_field(field)
    r = await company_api.put(f"/v1/productFields/{field['id']}", json={"options": [
        {"id": field["options"][0]["id"], "label": "crimson"}, {"label": "blue"}]})  # fmt: skip
    assert [o["label"] for o in r.json()["data"]["options"]] == ["crimson", "blue"]
    assert (await company_api.delete(f"/v1/productFields/{field['id']}")).status_code == 200
    for method in ("GET", "DELETE"):
        gone = await company_api.request(method, f"/v1/productFields/{field['id']}")
        assert gone.status_code == 410
        assert gone.json() == {"success": False, "error": "The field is not found", "errorCode": 410,
                               "error_info": "Please check developers.pipedrive.com", "data": None,
                               "additional_data": None}  # fmt: skip
    bad = await company_api.post("/v1/productFields", json={"name": "x", "field_type": "visible_to"})
    assert bad.status_code == 400


async def test_form_encoded_create(company_api: CompanyApi) -> None:
    r = await company_api.post("/v1/dealFields", data={
        "name": "Stage owner", "field_type": "enum", "options": '[{"label":"Me"},{"label":"You"}]',
        "add_visible_flag": "true"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert [o["label"] for o in r.json()["data"]["options"]] == ["Me", "You"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"field_type": "varchar"}, "name are required"),
        ({"name": "x"}, "field_type are required"),
        ({"name": " ", "field_type": "varchar"}, "non-empty string"),
        ({"name": "x", "field_type": "int"}, "one of address"),
        ({"name": "x", "field_type": "enum"}, "options' is required"),
        ({"name": "x", "field_type": "enum", "options": []}, "non-empty array"),
        ({"name": "x", "field_type": "set", "options": "[oops"}, "JSON array"),
        ({"name": "x", "field_type": "set", "options": [{"label": ""}]}, "non-empty string"),
        ({"name": "x", "field_type": "set", "options": [{"id": 1, "label": "a"}]}, "only a label"),
        ({"name": "x", "field_type": "varchar", "options": [{"label": "a"}]}, "only for"),
        ({"name": "x", "field_type": "varchar", "add_visible_flag": "maybe"}, "boolean"),
        ({"name": "x" * 256, "field_type": "varchar"}, "at most 255"),
    ],
)
async def test_invalid_creates(company_api: CompanyApi, body: dict[str, Any], words: str) -> None:
    r = await company_api.post("/v1/dealFields", json=body)
    assert r.status_code == 400, r.text
    err = r.json()
    assert err["success"] is False and words in err["error"]
    assert err["data"] is None and err["additional_data"] is None and err["errorCode"] == 400


async def test_invalid_updates_and_deletes(company_api: CompanyApi) -> None:
    fields = await company_api.data("/v1/dealFields")
    title = next(f for f in fields if f["key"] == "title")
    source = next(f for f in fields if f["name"] == "Source")
    competitor = next(f for f in fields if f["name"] == "Competitor")
    for fid, body, words in [
        (source["id"], {}, "at least one"),
        (source["id"], {"options": [{"id": 987654, "label": "x"}]}, "987654"),
        (source["id"], {"options": []}, "non-empty"),
        (competitor["id"], {"options": [{"label": "x"}]}, "not an enum or set"),
        (title["id"], {"name": "Name"}, "cannot be renamed"),
    ]:
        r = await company_api.put(f"/v1/dealFields/{fid}", json=body)
        assert r.status_code == 400 and words in r.json()["error"], r.text
    assert (await company_api.data(f"/v1/dealFields/{source['id']}")) == source  # nothing written
    r = await company_api.delete(f"/v1/dealFields/{title['id']}")
    assert r.status_code == 400 and "cannot be deleted" in r.json()["error"]
    assert (await company_api.put("/v1/dealFields/99999999", json={"name": "x"})).json() == NOT_FOUND
    assert (await company_api.get("/v1/dealFields/99999999")).json() == NOT_FOUND
    # a system field's add_visible_flag may change
    r = await company_api.put(f"/v1/dealFields/{title['id']}", json={"add_visible_flag": False})
    assert r.status_code == 200 and r.json()["data"]["add_visible_flag"] is False


async def test_scopes(client: Any, sandbox: Sandbox, company: dict[str, Any]) -> None:
    reader = CompanyApi(client, company, oauth_headers(sandbox, company, ["deals:read"]))
    assert (await reader.get("/v1/dealFields")).status_code == 200
    denied = await reader.post("/v1/dealFields", json={"name": "x", "field_type": "varchar"})
    assert denied.status_code == 403
    assert denied.json() == {"success": False, "error": "Scope and URL mismatch", "errorCode": 403,
                             "error_info": "Please check developers.pipedrive.com"}  # fmt: skip
    assert (await reader.get("/v1/personFields")).status_code == 403
    assert (await reader.get("/v1/leadFields")).status_code == 403
    assert (await reader.get("/v1/noteFields")).status_code == 200
    products = CompanyApi(client, company, oauth_headers(sandbox, company, ["products:full"]))
    made = await products.post("/v1/productFields", json={"name": "x", "field_type": "varchar"})
    assert made.status_code == 201
    writer = CompanyApi(client, company, oauth_headers(sandbox, company, ["contact-fields:full"]))
    assert (
        await writer.post("/v1/personFields", json={"name": "x", "field_type": "text"})
    ).status_code == 200
    assert (await writer.get("/v1/activityFields")).status_code == 403


async def test_v1_alias_path_and_costs(company_api: CompanyApi) -> None:
    r = await company_api.get("/api/v1/dealFields", params={"limit": 1})
    assert r.status_code == 200 and len(r.json()["data"]) == 1
    # activity fields are read only in v1: no writes, no single-field route
    assert (await company_api.post("/v1/activityFields", json={"name": "x", "field_type": "text"})).status_code in (
        404, 405)  # fmt: skip


async def test_lead_fields_inherit_deal_custom_fields(company_api: CompanyApi) -> None:
    r = await company_api.get("/v1/leadFields")
    assert r.status_code == 200
    leads = r.json()["data"]
    assert "pagination" in r.json()["additional_data"]
    for field in leads:
        check_field(field)
    deal_custom = [f for f in await company_api.data("/v1/dealFields") if f["edit_flag"]]
    lead_custom = [f for f in leads if f["edit_flag"]]
    assert [(f["id"], f["key"], f["name"]) for f in lead_custom] == [
        (f["id"], f["key"], f["name"]) for f in deal_custom]  # fmt: skip
    assert {"title", "owner_id", "person_id", "organization_id", "value", "label_ids"} <= {
        f["key"] for f in leads
    }
    made = await company_api.post("/v1/dealFields", json={"name": "Lead score", "field_type": "double"})
    keys = [f["key"] for f in await company_api.data("/v1/leadFields")]
    assert made.json()["data"]["key"] in keys


async def test_note_fields(company_api: CompanyApi) -> None:
    r = await company_api.get("/v1/noteFields")
    assert r.status_code == 200
    notes = r.json()["data"]
    for field in notes:
        assert set(field) == {"id", "key", "name", "field_type", "active_flag", "edit_flag", "bulk_edit_allowed",
                              "mandatory_flag", "options"}  # fmt: skip
        assert isinstance(field["id"], int) and field["field_type"] in READ_TYPES
    assert {"content", "deal_id", "person_id", "org_id", "lead_id", "user_id"} <= {f["key"] for f in notes}
    content = next(f for f in notes if f["key"] == "content")
    assert (content["field_type"], content["edit_flag"], content["mandatory_flag"]) == ("text", False, True)
    pinned = next(f for f in notes if f["key"] == "pinned_to_deal_flag")
    assert pinned["field_type"] == "enum" and pinned["options"] == [
        {"id": 1, "label": "Yes"},
        {"id": 0, "label": "No"},
    ]
    assert r.json()["additional_data"]["pagination"]["more_items_in_collection"] is False


async def test_token_costs(company_api: CompanyApi) -> None:
    """The spec's x-token-cost: list 20, get 2, create/update 10, delete 6, bulk delete 10."""
    made = (await company_api.post("/v1/dealFields", json={"name": "c", "field_type": "text"})).json()["data"]
    other = (await company_api.post("/v1/dealFields", json={"name": "d", "field_type": "text"})).json()[
        "data"
    ]
    calls: list[tuple[str, str, dict[str, Any], int]] = [
        ("GET", "/v1/dealFields", {}, 20),
        ("GET", f"/v1/dealFields/{made['id']}", {}, 2),
        ("POST", "/v1/personFields", {"json": {"name": "x", "field_type": "text"}}, 10),
        ("PUT", f"/v1/dealFields/{made['id']}", {"json": {"name": "e"}}, 10),
        ("DELETE", f"/v1/dealFields/{made['id']}", {}, 6),
        ("DELETE", "/v1/dealFields", {"params": {"ids": str(other["id"])}}, 10),
        ("GET", "/v1/leadFields", {}, 20),
        ("GET", "/v1/noteFields", {}, 20),
        ("GET", "/v1/activityFields", {}, 20),
        ("GET", "/api/v2/projectFields", {}, 10),
        ("GET", "/api/v2/projectFields/title", {}, 1),
    ]
    before = int((await company_api.get("/v1/users/me")).headers["x-daily-ratelimit-token-remaining"])
    for method, path, kw, cost in calls:
        r = await company_api.request(method, path, **kw)
        assert r.status_code == 200, (path, r.text)
        left = int(r.headers["x-daily-ratelimit-token-remaining"])
        assert before - left == cost, (method, path)
        before = left
