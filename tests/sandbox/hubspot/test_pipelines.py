"""Deal and ticket pipelines: defaults, stages, lookups, scopes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .records_helpers import sdk_load

pytestmark = pytest.mark.anyio
P = "/hubspot/crm/v3/pipelines"


async def test_deal_pipelines(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    r = await client.get(f"{P}/deals", headers=portal["headers"])
    assert r.status_code == 200
    body = r.json()
    sdk_load("pipelines", body, "CollectionResponsePipelineNoPaging")
    default, renewals = body["results"]
    assert default["id"] == "default" and renewals["label"] == "Renewals" and renewals["id"].isdigit()
    stages = default["stages"]
    assert [s["id"] for s in stages] == [
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "closedwon",
        "closedlost",
    ]
    assert stages[0]["label"] == "Appointment Scheduled" and stages[5]["label"] == "Closed Won"
    assert stages[5]["metadata"] == {"isClosed": "true", "probability": "1.0"}
    assert stages[0]["metadata"] == {"isClosed": "false", "probability": "0.2"}
    assert (await client.get(f"{P}/0-3/default", headers=portal["headers"])).json() == default


async def test_ticket_pipeline_and_stage_routes(client: httpx.AsyncClient, portal: dict[str, Any]) -> None:
    h = portal["headers"]
    pipe = (await client.get(f"{P}/tickets/0", headers=h)).json()
    assert [(s["id"], s["label"], s["metadata"]["ticketState"]) for s in pipe["stages"]] == [
        ("1", "New", "OPEN"), ("2", "Waiting on contact", "OPEN"), ("3", "Waiting on us", "OPEN"), ("4", "Closed", "CLOSED"),
    ]  # fmt: skip
    stages = (await client.get(f"{P}/tickets/0/stages", headers=h)).json()
    sdk_load("pipelines", stages, "CollectionResponsePipelineStageNoPaging")
    assert len(stages["results"]) == 4
    stage = (await client.get(f"{P}/tickets/0/stages/4", headers=h)).json()
    assert stage["label"] == "Closed"
    sdk_load("pipelines", stage, "PipelineStage")
    assert (await client.get(f"{P}/tickets/0/stages/9", headers=h)).status_code == 404
    assert (await client.get(f"{P}/tickets/nope", headers=h)).status_code == 404
    assert (await client.get(f"{P}/contacts", headers=h)).status_code == 400


async def test_pipeline_scopes(client: httpx.AsyncClient, sandbox: Any, portal: dict[str, Any]) -> None:
    sandbox.hubspot.private_app_scopes = ("tickets",)
    assert (await client.get(f"{P}/tickets", headers=portal["headers"])).status_code == 200
    assert (await client.get(f"{P}/deals", headers=portal["headers"])).status_code == 403
