"""Lead ↔ deal conversion (v2): the job answer, its status, the entity made, what happens to the source
and its notes and activities, and 404/400/403."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from crmbridge_sandbox import Sandbox

from .helpers import NOT_FOUND, CompanyApi, advance, oauth_headers

pytestmark = pytest.mark.anyio

STATUSES = ("not_started", "running", "completed", "failed", "rejected")


def _started(r: httpx.Response) -> str:
    """AddConvert…Response: ``{success, data: {conversion_id (UUID)}, additional_data}``."""
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"success", "data", "additional_data"} and body["success"] is True
    assert set(body["data"]) == {"conversion_id"} and body["additional_data"] is None
    conversion_id: str = body["data"]["conversion_id"]
    assert uuid.UUID(conversion_id).version == 4
    return conversion_id


def _status(r: httpx.Response, conversion_id: str) -> dict[str, Any]:
    """GetConvertResponse1: ``success`` and ``data`` required; data has conversion_id and status."""
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True and "additional_data" in body
    data: dict[str, Any] = body["data"]
    assert data["conversion_id"] == conversion_id and data["status"] in STATUSES
    return data


async def _person(company_api: CompanyApi) -> int:
    person: int = (await company_api.post("/api/v2/persons", json={"name": "Convertible"})).json()["data"][
        "id"
    ]
    return person


async def test_lead_becomes_a_deal(company_api: CompanyApi) -> None:
    person = await _person(company_api)
    org = (await company_api.post("/api/v2/organizations", json={"name": "Conv Org"})).json()["data"]["id"]
    body = {
        "title": "Hot lead",
        "person_id": person,
        "organization_id": org,
        "value": {"amount": 1200, "currency": "EUR"},
        "expected_close_date": "2025-03-01",
        "visible_to": "5",
    }
    lead = (await company_api.post("/v1/leads", json=body)).json()["data"]
    note = (await company_api.post("/v1/notes", json={"content": "Call back", "lead_id": lead["id"]})).json()
    activity = (
        await company_api.post("/api/v2/activities", json={"subject": "Demo", "lead_id": lead["id"]})
    ).json()
    conversion_id = _started(await company_api.post(f"/api/v2/leads/{lead['id']}/convert/deal"))
    status = _status(
        await company_api.get(f"/api/v2/leads/{lead['id']}/convert/status/{conversion_id}"), conversion_id
    )
    assert status["status"] == "completed" and isinstance(status["deal_id"], int) and "lead_id" not in status
    deal = await company_api.data(f"/api/v2/deals/{status['deal_id']}")
    assert (deal["title"], deal["person_id"], deal["org_id"], deal["owner_id"]) == (
        "Hot lead",
        person,
        org,
        lead["owner_id"],
    )
    assert (deal["value"], deal["currency"], deal["expected_close_date"], deal["visible_to"]) == (
        1200,
        "EUR",
        "2025-03-01",
        5,
    )
    assert deal["status"] == "open" and deal["is_deleted"] is False and "source_lead_id" not in deal
    included = await company_api.data(
        f"/api/v2/deals/{deal['id']}", params={"include_fields": "source_lead_id"}
    )
    assert included["source_lead_id"] == lead["id"]
    default = min(await company_api.data("/api/v2/pipelines"), key=lambda p: (p["order_nr"], p["id"]))
    stages = await company_api.data("/api/v2/stages", params={"pipeline_id": default["id"]})
    first = min(stages, key=lambda s: (s["order_nr"], s["id"]))
    assert (deal["pipeline_id"], deal["stage_id"]) == (default["id"], first["id"])  # no body: default's first
    assert (await company_api.get(f"/v1/leads/{lead['id']}")).status_code == 404  # the lead is gone
    moved = await company_api.data(f"/v1/notes/{note['data']['id']}")
    assert (moved["deal_id"], moved["lead_id"]) == (deal["id"], None)
    act = await company_api.data(f"/api/v2/activities/{activity['data']['id']}")
    assert (act["deal_id"], act["lead_id"]) == (deal["id"], None)
    again = await company_api.post(f"/api/v2/leads/{lead['id']}/convert/deal")
    assert again.status_code == 404 and again.json() == NOT_FOUND


async def test_lead_to_deal_stage_and_pipeline(company_api: CompanyApi) -> None:
    person = await _person(company_api)
    pipeline = (await company_api.post("/api/v2/pipelines", json={"name": "Conv"})).json()["data"]
    first = (
        await company_api.post("/api/v2/stages", json={"name": "A", "pipeline_id": pipeline["id"]})
    ).json()
    second = (
        await company_api.post("/api/v2/stages", json={"name": "B", "pipeline_id": pipeline["id"]})
    ).json()

    async def convert(body: dict[str, Any]) -> dict[str, Any]:
        lead = (await company_api.post("/v1/leads", json={"title": "L", "person_id": person})).json()["data"]
        cid = _started(await company_api.post(f"/api/v2/leads/{lead['id']}/convert/deal", json=body))
        got = _status(await company_api.get(f"/api/v2/leads/{lead['id']}/convert/status/{cid}"), cid)
        deal: dict[str, Any] = await company_api.data(f"/api/v2/deals/{got['deal_id']}")
        return deal

    by_pipeline = await convert({"pipeline_id": pipeline["id"]})
    assert (by_pipeline["pipeline_id"], by_pipeline["stage_id"]) == (pipeline["id"], first["data"]["id"])
    by_stage = await convert({"stage_id": second["data"]["id"]})
    assert (by_stage["pipeline_id"], by_stage["stage_id"]) == (pipeline["id"], second["data"]["id"])
    some_other = (await company_api.data("/api/v2/pipelines"))[0]["id"]
    both = await convert({"stage_id": second["data"]["id"], "pipeline_id": some_other})
    assert both["stage_id"] == second["data"]["id"]  # pipeline_id is ignored next to stage_id


async def test_deal_becomes_a_lead(company_api: CompanyApi) -> None:
    person = await _person(company_api)
    body = {"title": "Cooling deal", "person_id": person, "value": 300, "currency": "USD", "visible_to": 7}
    deal = (await company_api.post("/api/v2/deals", json=body)).json()["data"]
    note = (await company_api.post("/v1/notes", json={"content": "Hmm", "deal_id": deal["id"]})).json()[
        "data"
    ]
    conversion_id = _started(await company_api.post(f"/api/v2/deals/{deal['id']}/convert/lead"))
    status = _status(
        await company_api.get(f"/api/v2/deals/{deal['id']}/convert/status/{conversion_id}"), conversion_id
    )
    assert status["status"] == "completed" and "deal_id" not in status
    lead = await company_api.data(f"/v1/leads/{status['lead_id']}")
    assert uuid.UUID(lead["id"]).version == 4
    assert (lead["title"], lead["person_id"], lead["organization_id"], lead["owner_id"]) == (
        "Cooling deal",
        person,
        None,
        deal["owner_id"],
    )
    assert lead["value"] == {"amount": 300, "currency": "USD"} and lead["visible_to"] == "7"
    after = await company_api.data(f"/api/v2/deals/{deal['id']}")
    assert after["is_deleted"] is True  # "marked as deleted"
    assert deal["id"] not in [d["id"] for d in await company_api.all("/api/v2/deals")]
    moved = await company_api.data(f"/v1/notes/{note['id']}")
    assert (moved["deal_id"], moved["lead_id"]) == (None, lead["id"])
    again = await company_api.post(f"/api/v2/deals/{deal['id']}/convert/lead")
    assert again.status_code == 410


async def test_a_deal_without_person_or_org_is_rejected(company_api: CompanyApi) -> None:
    deal = (await company_api.post("/api/v2/deals", json={"title": "Loose"})).json()["data"]
    cid = _started(await company_api.post(f"/api/v2/deals/{deal['id']}/convert/lead"))
    status = _status(await company_api.get(f"/api/v2/deals/{deal['id']}/convert/status/{cid}"), cid)
    assert status == {"conversion_id": cid, "status": "rejected"}
    assert (await company_api.data(f"/api/v2/deals/{deal['id']}"))["is_deleted"] is False


async def test_status_records_expire_and_belong_to_their_source(
    client: httpx.AsyncClient, company_api: CompanyApi
) -> None:
    person = await _person(company_api)
    deal = (await company_api.post("/api/v2/deals", json={"title": "D", "person_id": person})).json()["data"]
    other = (await company_api.post("/api/v2/deals", json={"title": "E"})).json()["data"]
    cid = _started(await company_api.post(f"/api/v2/deals/{deal['id']}/convert/lead"))
    wrong = await company_api.get(f"/api/v2/deals/{other['id']}/convert/status/{cid}")
    assert wrong.status_code == 404 and wrong.json() == NOT_FOUND
    as_lead = await company_api.get(f"/api/v2/leads/{deal['id']}/convert/status/{cid}")
    assert as_lead.status_code == 404
    unknown = await company_api.get(f"/api/v2/deals/{deal['id']}/convert/status/{uuid.uuid4()}")
    assert unknown.status_code == 404
    await advance(client, 3 * 86_400 + 1)
    expired = await company_api.get(f"/api/v2/deals/{deal['id']}/convert/status/{cid}")
    assert expired.status_code == 404


async def test_unknown_sources_are_404(company_api: CompanyApi) -> None:
    r = await company_api.post("/api/v2/deals/987654/convert/lead")
    assert r.status_code == 404 and r.json() == NOT_FOUND
    r = await company_api.post(f"/api/v2/leads/{uuid.uuid4()}/convert/deal")
    assert r.status_code == 404 and r.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"stage_id": "1"}, "'stage_id'"),
        ({"pipeline_id": 1.5}, "'pipeline_id'"),
        ({"stage_id": 987654}, "Stage with id 987654"),
        ({"pipeline_id": 987654}, "Pipeline with id 987654"),
        ({"stage_id": True}, "'stage_id'"),
        ({"owner_id": 1}, "Unknown field"),
    ],
)
async def test_lead_to_deal_refuses_invalid_bodies(
    company_api: CompanyApi, body: dict[str, Any], needle: str
) -> None:
    person = await _person(company_api)
    lead = (await company_api.post("/v1/leads", json={"title": "L", "person_id": person})).json()["data"]
    r = await company_api.post(f"/api/v2/leads/{lead['id']}/convert/deal", json=body)
    assert r.status_code == 400, r.text
    err = r.json()
    assert err["success"] is False and needle in err["error"] and err["errorCode"] == 400, err
    assert (await company_api.get(f"/v1/leads/{lead['id']}")).status_code == 200  # nothing changed


async def test_deal_to_lead_takes_no_body_fields(company_api: CompanyApi) -> None:
    deal = (await company_api.post("/api/v2/deals", json={"title": "D"})).json()["data"]
    r = await company_api.post(f"/api/v2/deals/{deal['id']}/convert/lead", json={"title": "x"})
    assert r.status_code == 400 and "Unknown field" in r.json()["error"], r.text
    r = await company_api.post(f"/api/v2/deals/{deal['id']}/convert/lead", json=[1])
    assert r.status_code == 400


async def test_scopes(client: httpx.AsyncClient, sandbox: Sandbox, company: dict[str, Any]) -> None:
    owner = CompanyApi(client, company)
    person = await _person(owner)
    deal = (await owner.post("/api/v2/deals", json={"title": "D", "person_id": person})).json()["data"]
    lead = (await owner.post("/v1/leads", json={"title": "L", "person_id": person})).json()["data"]
    leads_only = CompanyApi(client, company, oauth_headers(sandbox, company, ["leads:full"]))
    deals_only = CompanyApi(client, company, oauth_headers(sandbox, company, ["deals:full"]))
    readers = CompanyApi(client, company, oauth_headers(sandbox, company, ["deals:read", "leads:read"]))
    for api, path in (
        (leads_only, f"/api/v2/deals/{deal['id']}/convert/lead"),
        (deals_only, f"/api/v2/leads/{lead['id']}/convert/deal"),
        (readers, f"/api/v2/deals/{deal['id']}/convert/lead"),
        (readers, f"/api/v2/leads/{lead['id']}/convert/deal"),
    ):
        r = await api.post(path)
        assert r.status_code == 403 and r.json()["error"] == "Scope and URL mismatch", (path, r.text)
    cid = _started(await deals_only.post(f"/api/v2/deals/{deal['id']}/convert/lead"))
    assert (await readers.get(f"/api/v2/deals/{deal['id']}/convert/status/{cid}")).status_code == 200
    assert (await leads_only.get(f"/api/v2/deals/{deal['id']}/convert/status/{cid}")).status_code == 403
    lid = _started(await leads_only.post(f"/api/v2/leads/{lead['id']}/convert/deal"))
    assert (await readers.get(f"/api/v2/leads/{lead['id']}/convert/status/{lid}")).status_code == 200
    assert (await deals_only.get(f"/api/v2/leads/{lead['id']}/convert/status/{lid}")).status_code == 403


async def test_conversion_costs_40_tokens(company_api: CompanyApi) -> None:
    person = await _person(company_api)
    deal = (await company_api.post("/api/v2/deals", json={"title": "D", "person_id": person})).json()["data"]
    before = await company_api.get(f"/api/v2/deals/{deal['id']}")
    r = await company_api.post(f"/api/v2/deals/{deal['id']}/convert/lead")
    left = "x-daily-ratelimit-token-remaining"
    assert int(before.headers[left]) - int(r.headers[left]) == 40
