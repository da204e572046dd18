"""Property validation errors, in HubSpot's exact body shapes, and the 409 duplicate-contact conflict."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .records_helpers import property_errors

pytestmark = pytest.mark.anyio
C = "/hubspot/crm/v3/objects"


async def _post(
    client: httpx.AsyncClient, portal: dict[str, Any], kind: str, props: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"{C}/{kind}", headers=portal["headers"], json={"properties": props})


async def test_unknown_property_body(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await _post(client, portal, "contacts", {"email": "a@b.co", "x": "1"})
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"status", "message", "correlationId", "category"}
    assert body["status"] == "error" and body["category"] == "VALIDATION_ERROR"
    assert body["correlationId"] == r.headers["x-hubspot-correlation-id"]
    assert body["message"] == (
        'Property values were not valid: [{"isValid":false,"message":"Property \\"x\\" does not exist",'
        '"error":"PROPERTY_DOESNT_EXIST","name":"x","localizedErrorMessage":"Property \\"x\\" does not exist"}]'
    )
    # nothing was created
    r = await client.get(f"{C}/contacts/a@b.co", headers=portal["headers"], params={"idProperty": "email"})
    assert r.status_code == 404


async def test_all_bad_values_are_reported_together(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    r = await _post(
        client,
        portal,
        "companies",
        {
            "industry": "SPACE_PIRACY",
            "numberofemployees": "12.5",
            "annualrevenue": "lots",
            "hs_object_id": "5",
        },
    )
    errors = {e["name"]: e for e in property_errors(r.json())}
    assert errors["industry"]["error"] == "INVALID_OPTION"
    assert "COMPUTER_SOFTWARE" in errors["industry"]["message"]
    assert errors["numberofemployees"]["error"] == "INVALID_INTEGER"
    assert errors["annualrevenue"]["error"] == "INVALID_DECIMAL"
    assert errors["hs_object_id"]["error"] == "READ_ONLY_VALUE"


@pytest.mark.parametrize(
    ("kind", "props", "name", "code"),
    [
        ("contacts", {"lifecyclestage": "friend"}, "lifecyclestage", "INVALID_OPTION"),
        ("contacts", {"email": "not-an-email"}, "email", "INVALID_EMAIL"),
        ("contacts", {"createdate": "2024-01-01"}, "createdate", "READ_ONLY_VALUE"),
        ("contacts", {"hubspot_owner_id": "1"}, "hubspot_owner_id", "INVALID_OWNER_ID"),
        ("contacts", {"hs_email_optout": "maybe"}, "hs_email_optout", "INVALID_OPTION"),
        ("deals", {"dealstage": "closedwon", "closedate": "yesterday"}, "closedate", "INVALID_DATETIME"),
        (
            "tickets",
            {"hs_pipeline_stage": "1", "hs_ticket_category": "BILLING_ISSUE;NOPE"},
            "hs_ticket_category",
            "INVALID_OPTION",
        ),
        ("line_items", {"name": "x", "amount": "3"}, "amount", "READ_ONLY_VALUE"),
        ("quotes", {"hs_status": "SIGNED"}, "hs_status", "INVALID_OPTION"),
        ("notes", {"hs_note_body": "no time"}, "hs_timestamp", "REQUIRED_PROPERTY"),
        (
            "tasks",
            {"hs_timestamp": "1700000000000", "hs_task_status": "DONE"},
            "hs_task_status",
            "INVALID_OPTION",
        ),
        (
            "calls",
            {"hs_timestamp": "2025-01-01T00:00:00Z", "hs_call_duration": "1.5"},
            "hs_call_duration",
            "INVALID_INTEGER",
        ),
        ("cars", {"vin": "X1"}, "make", "REQUIRED_PROPERTY"),
    ],
)
async def test_error_codes(
    client: httpx.AsyncClient, portal: dict[str, Any], kind: str, props: dict[str, Any], name: str, code: str
) -> None:
    r = await _post(client, portal, kind, props)
    assert r.status_code == 400, r.text
    errors = property_errors(r.json())
    assert [(e["name"], e["error"]) for e in errors] == [(name, code)]
    assert errors[0]["isValid"] is False and errors[0]["localizedErrorMessage"] == errors[0]["message"]


async def test_date_property_must_be_midnight(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    body = {
        "properties": {
            "name": "D",
            "type": "date",
            "fieldType": "date",
            "label": "Renewal",
            "groupName": "companyinformation",
        }
    }
    body["properties"]["name"] = "renewal_date"
    assert (
        await client.post("/hubspot/crm/v3/properties/companies", headers=h, json=body["properties"])
    ).status_code == 201
    r = await _post(client, portal, "companies", {"renewal_date": "1700000000123"})
    [err] = property_errors(r.json())
    assert err["error"] == "INVALID_DATE" and "not midnight" in err["message"]
    r = await _post(client, portal, "companies", {"renewal_date": "1704067200000"})
    assert r.status_code == 201 and r.json()["properties"]["renewal_date"] == "2024-01-01"


async def test_values_are_normalised(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await _post(
        client, portal, "notes", {"hs_timestamp": 1704067200000, "hs_note_body": "n"}
    )  # epoch ms number
    assert r.status_code == 201
    assert r.json()["properties"]["hs_timestamp"] == "2024-01-01T00:00:00.000Z"
    r = await _post(client, portal, "contacts", {"email": "b@x.io", "hs_email_optout": True})
    assert r.json()["properties"]["hs_email_optout"] == "true"
    r = await client.post(f"{C}/contacts", headers=portal["headers"], json={"properties": {"email": ["x"]}})
    assert r.status_code == 400 and "must be a string" in r.json()["message"]


async def test_deal_stage_must_belong_to_pipeline(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    renewals = (await client.get("/hubspot/crm/v3/pipelines/deals", headers=h)).json()["results"][1]
    r = await _post(
        client, portal, "deals", {"dealname": "x", "pipeline": renewals["id"], "dealstage": "closedwon"}
    )
    [err] = property_errors(r.json())
    assert err["name"] == "dealstage" and err["error"] == "INVALID_OPTION"
    assert renewals["id"] in err["message"] and renewals["stages"][0]["id"] in err["message"]
    r = await _post(client, portal, "deals", {"dealname": "x", "dealstage": "nope"})
    [err] = property_errors(r.json())
    assert '"default"' in err["message"] and "appointmentscheduled" in err["message"]
    r = await _post(client, portal, "deals", {"dealname": "x", "pipeline": "404", "dealstage": "closedwon"})
    assert property_errors(r.json())[0]["name"] == "pipeline"
    r = await _post(client, portal, "deals", {"dealname": "ok", "dealstage": "qualifiedtobuy"})
    assert r.status_code == 201 and r.json()["properties"]["pipeline"] == "default"
    deal_id = r.json()["id"]
    # moving to another pipeline without a matching stage fails; with one it works
    r = await client.patch(
        f"{C}/deals/{deal_id}", headers=h, json={"properties": {"pipeline": renewals["id"]}}
    )
    assert r.status_code == 400
    stage = renewals["stages"][1]["id"]
    r = await client.patch(
        f"{C}/deals/{deal_id}",
        headers=h,
        json={"properties": {"pipeline": renewals["id"], "dealstage": stage}},
    )
    assert r.status_code == 200 and r.json()["properties"]["dealstage"] == stage
    r = await _post(client, portal, "deals", {"dealname": "no stage"})
    assert property_errors(r.json())[0]["error"] == "REQUIRED_PROPERTY"


async def test_ticket_stage_must_belong_to_pipeline(
    client: httpx.AsyncClient, portal: dict[str, Any]
) -> None:
    r = await _post(client, portal, "tickets", {"subject": "s", "hs_pipeline_stage": "closedwon"})
    [err] = property_errors(r.json())
    assert err["name"] == "hs_pipeline_stage" and '"0"' in err["message"]
    r = await _post(client, portal, "tickets", {"subject": "s", "hs_pipeline_stage": "2"})
    assert r.status_code == 201 and r.json()["properties"]["hs_pipeline"] == "0"


async def test_duplicate_email_conflict(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    first = await _post(client, portal, "contacts", {"email": "dup@example.com"})
    r = await _post(client, portal, "contacts", {"email": "DUP@example.com"})
    assert r.status_code == 409
    body = r.json()
    assert body["message"] == f"Contact already exists. Existing ID: {first.json()['id']}"
    assert body["category"] == "CONFLICT" and body["status"] == "error" and body["correlationId"]
    other = await _post(client, portal, "contacts", {"email": "other@example.com"})
    r = await client.patch(
        f"{C}/contacts/{other.json()['id']}", headers=h, json={"properties": {"email": "dup@example.com"}}
    )
    assert r.status_code == 409 and r.json()["message"].endswith(first.json()["id"])
    # updating a contact to its own email is fine
    r = await client.patch(
        f"{C}/contacts/{first.json()['id']}", headers=h, json={"properties": {"email": "dup@example.com"}}
    )
    assert r.status_code == 200
    # after archiving, the email is free again
    await client.delete(f"{C}/contacts/{first.json()['id']}", headers=h)
    assert (await _post(client, portal, "contacts", {"email": "dup@example.com"})).status_code == 201


async def test_unique_custom_property_conflict(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    assert (await _post(client, portal, "cars", {"vin": "SAMEVIN", "make": "Kia"})).status_code == 201
    r = await _post(client, portal, "cars", {"vin": "SAMEVIN", "make": "Kia"})
    assert r.status_code == 409 and "Existing ID" in r.json()["message"]


async def test_malformed_json(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.post(
        f"{C}/contacts", headers={**portal["headers"], "content-type": "application/json"}, content=b"{nope"
    )
    assert r.status_code == 400 and r.json()["message"].startswith("Invalid input JSON")


async def test_body_that_is_not_utf8_is_a_400(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.post(
        f"{C}/contacts",
        headers={**portal["headers"], "content-type": "application/json"},
        content=b"\xff\xfe{",
    )
    assert r.status_code == 400 and r.json()["message"].startswith("Invalid input JSON")
