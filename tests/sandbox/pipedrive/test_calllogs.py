"""Call logs (v1): the spec's required fields and outcome enum, the linked call activity, 410 after delete."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import CompanyApi

pytestmark = pytest.mark.anyio

#: The spec's required AddCallLogRequest fields, with valid values.
CALL = {
    "outcome": "connected",
    "to_phone_number": "+15550100",
    "start_time": "2024-03-01 10:00:00",
    "end_time": "2024-03-01 10:05:00",
}


async def test_call_log_round_trip_creates_a_done_call_activity(company_api: CompanyApi) -> None:
    person = (await company_api.all("/api/v2/persons"))[0]
    deal = (await company_api.post("/api/v2/deals", json={"title": "Called"})).json()["data"]
    body = {**CALL, "person_id": person["id"], "deal_id": deal["id"], "duration": "300", "note": "<p>ok</p>"}
    r = await company_api.post("/v1/callLogs", json=body)
    assert r.status_code == 200 and r.json()["success"] is True, r.text
    log = r.json()["data"]
    assert isinstance(log["id"], str) and log["has_recording"] is False and isinstance(log["company_id"], int)
    assert {k: log[k] for k in body} == body
    act = await company_api.data(f"/api/v2/activities/{log['activity_id']}")
    assert (act["type"], act["done"], act["deal_id"], act["person_id"]) == (
        "call",
        True,
        deal["id"],
        person["id"],
    )
    assert act["due_date"] == "2024-03-01" and act["due_time"] == "10:00"
    assert (await company_api.data(f"/v1/callLogs/{log['id']}"))["id"] == log["id"]
    listed = await company_api.get("/v1/callLogs", params={"limit": 50})
    assert log["id"] in [x["id"] for x in listed.json()["data"]]
    assert listed.json()["additional_data"]["pagination"]["limit"] == 50
    rec = await company_api.post(f"/v1/callLogs/{log['id']}/recordings", files={"file": ("c.mp3", b"ID3...")})
    assert rec.status_code == 200 and rec.json() == {"success": True}, rec.text
    assert (await company_api.data(f"/v1/callLogs/{log['id']}"))["has_recording"] is True
    deleted = await company_api.delete(f"/v1/callLogs/{log['id']}")
    assert deleted.status_code == 200 and deleted.json() == {"success": True}, deleted.text
    again = await company_api.delete(f"/v1/callLogs/{log['id']}")
    assert again.status_code == 410 and again.json()["success"] is False
    assert (await company_api.get("/v1/callLogs/nope")).status_code == 404


async def test_call_log_converts_a_call_activity(company_api: CompanyApi) -> None:
    person = (await company_api.all("/api/v2/persons"))[0]
    act = (
        await company_api.post(
            "/api/v2/activities", json={"type": "call", "participants": [{"person_id": person["id"]}]}
        )
    ).json()["data"]
    log = (await company_api.post("/v1/callLogs", json={**CALL, "activity_id": act["id"]})).json()["data"]
    assert log["activity_id"] == act["id"] and log["person_id"] == person["id"]
    meeting = (await company_api.post("/api/v2/activities", json={"type": "meeting"})).json()["data"]
    r = await company_api.post("/v1/callLogs", json={**CALL, "activity_id": meeting["id"]})
    assert r.status_code == 400 and "call" in r.json()["error"]


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"outcome": None}, "outcome"),
        ({"to_phone_number": None}, "to_phone_number"),
        ({"outcome": "hung_up"}, "one of connected"),
        ({"start_time": "2024-03-01T10:00:00Z"}, "YYYY-MM-DD HH:MM:SS"),
        ({"end_time": "2024-03-01 09:00:00"}, "before"),
        ({"duration": "five"}, "seconds"),
        ({"colour": "red"}, "Unknown field"),
    ],
)
async def test_call_log_validation(company_api: CompanyApi, change: dict[str, Any], needle: str) -> None:
    body = {k: v for k, v in {**CALL, **change}.items() if v is not None}
    r = await company_api.post("/v1/callLogs", json=body)
    assert r.status_code == 400 and needle in r.json()["error"], r.text
    assert r.json()["success"] is False


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"deal_id": 987654}, "Deal with id 987654"),
        ({"person_id": 987654}, "Person with id 987654"),
        ({"org_id": 987654}, "Organization with id 987654"),
        ({"lead_id": "00000000-0000-4000-8000-000000000000"}, "Lead with id"),
        ({"activity_id": 987654}, "Activity with id 987654"),
    ],
)
async def test_call_log_links_to_missing_records_are_404(
    company_api: CompanyApi, change: dict[str, Any], needle: str
) -> None:
    """The spec documents 404 for a create whose linked record does not exist (a malformed id stays 400)."""
    r = await company_api.post("/v1/callLogs", json={**CALL, **change})
    assert r.status_code == 404 and needle in r.json()["error"], r.text
    assert r.json()["success"] is False and r.json()["data"] is None
    assert (await company_api.post("/v1/callLogs", json={**CALL, "deal_id": "x"})).status_code == 400


async def test_call_log_limit_is_capped_at_50(company_api: CompanyApi) -> None:
    r = await company_api.get("/v1/callLogs", params={"limit": 51})
    assert r.status_code == 400, r.text
