"""``POST /v1/deals/{id}/duplicate``: the copy in the client's v1 ``DealStrict`` shape (every field, with
its type), what is copied (fields, custom fields, products, discounts) and what is not (followers),
state afterwards, 404/410/403, cost."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, oauth_headers

pytestmark = pytest.mark.anyio

S, N, B = (str,), (int, float), (bool,)
NULL = (type(None),)
#: DealStrict = BaseDeal & DealStrictAllOf (node_modules/pipedrive v1 models): key → allowed JSON types
DEAL_STRICT: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("title", "currency", "add_time", "status", "visible_to", "formatted_value"), S),
    **dict.fromkeys(("formatted_weighted_value", "weighted_value_currency", "owner_name", "cc_email"), S),
    "origin": S,
    **dict.fromkeys(("stage_id", "value", "pipeline_id", "stage_order_nr", "weighted_value"), N),
    **dict.fromkeys(("id", "creator_user_id", "user_id"), N),
    **dict.fromkeys(
        (
            "products_count",
            "files_count",
            "notes_count",
            "followers_count",
            "email_messages_count",
            "activities_count",
            "done_activities_count",
            "undone_activities_count",
            "participants_count",
        ),
        N,
    ),
    **dict.fromkeys(("active", "deleted", "is_archived", "org_hidden", "person_hidden"), B),
    **dict.fromkeys(
        (
            "update_time",
            "stage_change_time",
            "next_activity_date",
            "next_activity_time",
            "last_activity_date",
            "lost_reason",
            "close_time",
            "won_time",
            "first_won_time",
            "lost_time",
            "expected_close_date",
            "last_incoming_mail_time",
            "last_outgoing_mail_time",
            "label",
            "person_name",
            "org_name",
            "next_activity_subject",
            "next_activity_type",
            "next_activity_duration",
            "next_activity_note",
            "rotten_time",
            "origin_id",
            "channel_id",
            "arr_currency",
            "mrr_currency",
            "acv_currency",
        ),
        S + NULL,
    ),
    **dict.fromkeys(
        ("probability", "next_activity_id", "last_activity_id", "channel", "arr", "mrr", "acv"), N + NULL
    ),
    **dict.fromkeys(("person_id", "org_id"), N + NULL),
}
V1_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
HASH = re.compile(r"^[0-9a-f]{40}$")


@pytest.fixture
async def deal(company_api: CompanyApi) -> dict[str, Any]:
    """A deal with a person, an organization, a custom field value, a label, a product, a discount and a
    follower."""
    api = company_api
    field = await api.post("/api/v2/dealFields", json={"field_name": "Region", "field_type": "varchar"})
    assert field.status_code in (200, 201), field.text
    code = field.json()["data"]["field_code"]
    org = (await api.post("/api/v2/organizations", json={"name": "Kramerica"})).json()["data"]["id"]
    person = (await api.post("/api/v2/persons", json={"name": "Cosmo", "org_id": org})).json()["data"]["id"]
    body = {
        "title": "Oil bladder",
        "person_id": person,
        "org_id": org,
        "probability": 40,
        "expected_close_date": "2030-01-31",
        "custom_fields": {code: "North"},
    }
    r = await api.post("/api/v2/deals", json=body)
    assert r.status_code in (200, 201), r.text
    row = r.json()["data"]
    product = (await api.post("/api/v2/products", json={"name": "Bladder"})).json()["data"]["id"]
    line = {"product_id": product, "item_price": 50, "quantity": 2}
    assert (await api.post(f"/api/v2/deals/{row['id']}/products", json=line)).status_code in (200, 201)
    discount = {"description": "Launch", "amount": 10, "type": "amount"}
    assert (await api.post(f"/api/v2/deals/{row['id']}/discounts", json=discount)).status_code in (200, 201)
    me = (await api.data("/v1/users/me"))["id"]
    assert (await api.post(f"/v1/deals/{row['id']}/followers", json={"user_id": me})).status_code == 200
    fresh: dict[str, Any] = await api.data(f"/api/v2/deals/{row['id']}")
    fresh["_code"], fresh["_product"] = code, product
    return fresh


async def test_duplicate_answers_the_v1_deal_shape(company_api: CompanyApi, deal: dict[str, Any]) -> None:
    r = await company_api.post(f"/v1/deals/{deal['id']}/duplicate")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"success", "data"} and body["success"] is True
    copy = body["data"]
    custom = {k for k in copy if HASH.match(k)}
    assert custom and set(copy) - custom == set(DEAL_STRICT), set(copy) ^ set(DEAL_STRICT)
    for key, types in DEAL_STRICT.items():
        assert isinstance(copy[key], types) and not (types == N and isinstance(copy[key], bool)), key
    assert V1_TIME.match(copy["add_time"]) and V1_TIME.match(copy["update_time"])
    assert copy["visible_to"] == "3" and copy["active"] is True and copy["deleted"] is False
    assert copy["status"] == "open" and copy["stage_order_nr"] >= 1


async def test_duplicate_copies_fields_products_and_discounts(
    company_api: CompanyApi, deal: dict[str, Any]
) -> None:
    api = company_api
    copy = (await api.post(f"/v1/deals/{deal['id']}/duplicate")).json()["data"]
    assert copy["id"] != deal["id"]
    same = ("title", "person_id", "org_id", "stage_id", "pipeline_id", "currency", "status", "probability")
    assert {k: copy[k] for k in same} == {k: deal[k] for k in same}
    assert copy["user_id"] == deal["owner_id"] and copy["value"] == deal["value"] == 90
    assert (
        copy[deal["_code"]] == "North" and copy["person_name"] == "Cosmo" and copy["org_name"] == "Kramerica"
    )
    assert copy["products_count"] == 1 and copy["followers_count"] == 0
    # State afterwards: the copy is a deal of its own, through v2, with its own products and discounts.
    stored = await api.data(f"/api/v2/deals/{copy['id']}")
    assert stored["title"] == deal["title"] and stored["custom_fields"][deal["_code"]] == "North"
    assert stored["expected_close_date"] == "2030-01-31" and stored["value"] == 90
    lines = await api.data(f"/api/v2/deals/{copy['id']}/products")
    originals = await api.data(f"/api/v2/deals/{deal['id']}/products")
    assert [(p["product_id"], p["quantity"], p["deal_id"]) for p in lines] == [
        (deal["_product"], 2, copy["id"])
    ]
    assert lines[0]["id"] != originals[0]["id"]
    discounts = await api.data(f"/api/v2/deals/{copy['id']}/discounts")
    assert [(d["description"], d["amount"], d["deal_id"]) for d in discounts] == [("Launch", 10, copy["id"])]
    assert await api.data(f"/v1/deals/{copy['id']}/followers") == []
    # The original is untouched; changing the copy's products leaves the original's alone.
    assert await api.data(f"/api/v2/deals/{deal['id']}/products") == originals
    await api.delete(f"/api/v2/deals/{copy['id']}/products/{lines[0]['id']}")
    assert len(await api.data(f"/api/v2/deals/{deal['id']}/products")) == 1


async def test_duplicate_refusals(
    client: httpx.AsyncClient, sandbox: Sandbox, company_api: CompanyApi, deal: dict[str, Any]
) -> None:
    api = company_api
    missing = await api.post("/v1/deals/987654/duplicate")
    assert missing.status_code == 404 and missing.json() == NOT_FOUND
    reader = CompanyApi(client, api.company, oauth_headers(sandbox, api.company, ["deals:read"]))
    refused = await reader.post(f"/v1/deals/{deal['id']}/duplicate")
    assert refused.status_code == 403 and refused.json()["error"] == "Scope and URL mismatch"
    writer = CompanyApi(client, api.company, oauth_headers(sandbox, api.company, ["deals:full"]))
    assert (await writer.post(f"/api/v1/deals/{deal['id']}/duplicate")).status_code == 200
    before = int((await api.get("/v1/users/me")).headers["x-daily-ratelimit-token-remaining"])
    r = await api.post(f"/v1/deals/{deal['id']}/duplicate")
    assert before - int(r.headers["x-daily-ratelimit-token-remaining"]) == 10
    count = len(await api.all("/api/v2/deals"))
    await api.delete(f"/api/v2/deals/{deal['id']}")
    gone = await api.post(f"/v1/deals/{deal['id']}/duplicate")
    assert gone.status_code == 410 and gone.json()["success"] is False
    assert len(await api.all("/api/v2/deals")) == count - 1  # no copy of a deleted deal
