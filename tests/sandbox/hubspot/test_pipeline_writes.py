"""Pipeline and stage writes: required fields, stage metadata rules, reference checks, audits."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .records_helpers import sdk_load

pytestmark = pytest.mark.anyio
P = "/hubspot/crm/v3/pipelines"

NEW = {
    "label": "Partners",
    "displayOrder": 3,
    "stages": [
        {"label": "Intro", "displayOrder": 0, "metadata": {"probability": "0.1"}},
        {"label": "Signed", "displayOrder": 1, "metadata": {"probability": "1.0", "isClosed": "true"}},
    ],
}


async def test_pipeline_lifecycle_with_audit(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    r = await client.post(f"{P}/deals", headers=h, json=NEW)
    assert r.status_code == 201, r.text
    created = r.json()
    sdk_load("pipelines", created, "Pipeline")
    pid = created["id"]
    assert [s["metadata"]["isClosed"] for s in created["stages"]] == ["false", "true"]
    assert pid in [p["id"] for p in (await client.get(f"{P}/deals", headers=h)).json()["results"]]

    r = await client.patch(f"{P}/deals/{pid}", headers=h, json={"label": "Partner deals"})
    assert r.status_code == 200 and r.json()["label"] == "Partner deals", r.text
    r = await client.post(
        f"{P}/deals/{pid}/stages",
        headers=h,
        json={"label": "Demo", "displayOrder": 1, "metadata": {"probability": 0.5}},
    )
    assert r.status_code == 201 and r.json()["metadata"]["probability"] == "0.5", r.text
    sdk_load("pipelines", r.json(), "PipelineStage")
    sid = r.json()["id"]
    r = await client.patch(
        f"{P}/deals/{pid}/stages/{sid}", headers=h, json={"metadata": {"probability": "0.6"}}
    )
    assert r.status_code == 200 and r.json()["metadata"]["probability"] == "0.6", r.text
    r = await client.put(
        f"{P}/deals/{pid}/stages/{sid}",
        headers=h,
        json={"label": "Demo done", "displayOrder": 2, "metadata": {"probability": "0.7"}},
    )
    assert r.status_code == 200 and r.json()["label"] == "Demo done"

    # a deal in the new stage blocks a checked delete of that stage and of the pipeline
    deal = await client.post(
        "/hubspot/crm/v3/objects/deals", headers=h,
        json={"properties": {"dealname": "x", "pipeline": pid, "dealstage": sid}},
    )  # fmt: skip
    assert deal.status_code == 201, deal.text
    checked = {"validateReferencesBeforeDelete": "true"}
    assert (
        await client.delete(f"{P}/deals/{pid}/stages/{sid}", headers=h, params=checked)
    ).status_code == 400
    assert (await client.delete(f"{P}/deals/{pid}", headers=h, params=checked)).status_code == 400
    assert (await client.delete(f"{P}/deals/{pid}/stages/{sid}", headers=h)).status_code == 204
    assert (await client.get(f"{P}/deals/{pid}/stages/{sid}", headers=h)).status_code == 404

    audit = (await client.get(f"{P}/deals/{pid}/audit", headers=h)).json()
    sdk_load("pipelines", audit, "CollectionResponsePublicAuditInfoNoPaging")
    assert [e["action"] for e in audit["results"]] == ["UPDATE", "CREATE"]
    stage_audit = (await client.get(f"{P}/deals/{pid}/stages/{sid}/audit", headers=h)).json()["results"]
    assert [e["action"] for e in stage_audit] == ["DELETE", "UPDATE", "UPDATE", "CREATE"]

    assert (await client.delete(f"{P}/deals/{pid}", headers=h)).status_code == 204
    assert (await client.get(f"{P}/deals/{pid}", headers=h)).status_code == 404
    archived = (await client.get(f"{P}/deals", headers=h, params={"archived": "true"})).json()["results"]
    assert pid in [p["id"] for p in archived]


async def test_ticket_pipeline_replace(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    body = {
        "label": "Escalations",
        "displayOrder": 1,
        "stages": [{"label": "Open", "displayOrder": 0, "metadata": {"ticketState": "OPEN"}}],
    }
    pid = (await client.post(f"{P}/tickets", headers=h, json=body)).json()["id"]
    replaced = await client.put(
        f"{P}/tickets/{pid}", headers=h,
        json={**body, "label": "Escalated", "stages": [{"label": "Done", "displayOrder": 0, "metadata": {"ticketState": "CLOSED"}}]},
    )  # fmt: skip
    assert replaced.status_code == 200 and [s["label"] for s in replaced.json()["stages"]] == ["Done"], (
        replaced.text
    )


@pytest.mark.parametrize(
    ("path", "method", "body", "needle"),
    [
        ("deals", "POST", {"label": "x", "displayOrder": 1}, "[stages]"),
        ("deals", "POST", {"displayOrder": 1, "stages": NEW["stages"]}, "[label]"),
        ("deals", "POST", {**NEW, "stages": []}, "non-empty"),
        (
            "deals",
            "POST",
            {**NEW, "stages": [{"label": "a", "displayOrder": 0, "metadata": {}}]},
            "probability",
        ),
        (
            "deals",
            "POST",
            {**NEW, "stages": [{"label": "a", "displayOrder": 0, "metadata": {"probability": "2"}}]},
            "between",
        ),
        ("deals", "POST", {**NEW, "stages": [{"label": "a", "displayOrder": 0}]}, "[metadata]"),
        (
            "tickets",
            "POST",
            {**NEW, "stages": [{"label": "a", "displayOrder": 0, "metadata": {"ticketState": "x"}}]},
            "ticketState",
        ),
        ("deals/default/stages/closedwon", "PATCH", {"label": "Won"}, "[metadata]"),
        (
            "deals/default/stages",
            "POST",
            {"label": "a", "metadata": {"probability": "0.1"}},
            "[displayOrder]",
        ),
        ("contacts", "POST", NEW, "does not support pipelines"),
    ],
)
async def test_pipeline_write_validation(
    client: httpx.AsyncClient,
    portal: dict[str, Any],
    path: str,
    method: str,
    body: dict[str, Any],
    needle: str,
) -> None:
    r = await client.request(method, f"{P}/{path}", headers=portal["headers"], json=body)
    assert r.status_code == 400 and needle in r.json()["message"], r.text
    assert r.json()["category"] == "VALIDATION_ERROR"


async def test_duplicate_label_is_a_conflict(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.post(f"{P}/deals", headers=portal["headers"], json={**NEW, "label": "Sales Pipeline"})
    assert r.status_code == 409 and r.json()["category"] == "CONFLICT", r.text
