"""Pipelines, pipeline stages, property definitions and owners."""

from __future__ import annotations

import pytest

from ..harness import Account
from .generic_helpers import call_with_scopes, cars, error

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("object_type", ["deals", "tickets"])
async def test_pipelines_list(hubspot: Account, object_type: str) -> None:
    data = await hubspot.ok("hubspot_pipelines_list", {"objectType": object_type})
    crm = (await hubspot.crm.get(f"/crm/v3/pipelines/{object_type}")).json()["results"]
    assert [p["id"] for p in data["results"]] == [p["id"] for p in crm]
    assert [[s["label"] for s in p["stages"]] for p in data["results"]] == [
        [s["label"] for s in p["stages"]] for p in crm
    ]
    assert data["count"] == len(crm)


async def test_pipelines_list_errors(hubspot: Account) -> None:
    bad = error(await hubspot.call("hubspot_pipelines_list", {"objectType": "contacts"}))
    assert bad["code"] == "invalid_input" and bad["allowed"] == ["deals", "tickets"]
    scope = error(
        await call_with_scopes(
            hubspot, {"crm.objects.deals.read"}, "hubspot_pipelines_list", {"objectType": "tickets"}
        )
    )
    assert scope["code"] == "insufficient_scope" and scope["missing_scopes"] == ["tickets"]
    ok = await call_with_scopes(
        hubspot, {"crm.schemas.deals.read"}, "hubspot_pipelines_list", {"objectType": "deals"}
    )
    assert ok.ok, ok.error


async def test_pipeline_stage_get(hubspot: Account) -> None:
    data = await hubspot.ok(
        "hubspot_pipeline_stage_get", {"objectType": "deals", "pipelineId": "default", "stageId": "closedwon"}
    )
    crm = (await hubspot.crm.get("/crm/v3/pipelines/deals/default/stages/closedwon")).json()
    assert data["id"] == "closedwon" and data["label"] == crm["label"] == "Closed Won"
    assert data["metadata"] == crm["metadata"]
    ticket = await hubspot.ok(
        "hubspot_pipeline_stage_get", {"objectType": "tickets", "pipelineId": "0", "stageId": "4"}
    )
    assert ticket["metadata"]["ticketState"] == "CLOSED"


async def test_pipeline_stage_get_errors(hubspot: Account) -> None:
    stage = error(
        await hubspot.call(
            "hubspot_pipeline_stage_get", {"objectType": "deals", "pipelineId": "default", "stageId": "won"}
        )
    )
    assert stage["code"] == "not_found"
    pipeline = error(
        await hubspot.call(
            "hubspot_pipeline_stage_get", {"objectType": "deals", "pipelineId": "nope", "stageId": "1"}
        )
    )
    assert pipeline["code"] == "not_found"
    missing = error(
        await hubspot.call("hubspot_pipeline_stage_get", {"objectType": "deals", "pipelineId": "default"})
    )
    assert missing["code"] == "invalid_input" and missing["field"] == "stageId"


async def test_properties_list(hubspot: Account) -> None:
    data = await hubspot.ok("hubspot_properties_list", {"objectType": "contacts"})
    crm = (await hubspot.crm.get("/crm/v3/properties/contacts")).json()["results"]
    assert {p["name"] for p in data["results"]} == {p["name"] for p in crm}
    stage = next(p for p in data["results"] if p["name"] == "lifecyclestage")
    assert stage["type"] == "enumeration" and "customer" in [o["value"] for o in stage["options"]]
    email = next(p for p in data["results"] if p["name"] == "email")
    assert "options" not in email  # empty lists are left out
    car = await hubspot.ok("hubspot_properties_list", {"objectType": (await cars(hubspot))["fqn"]})
    assert {"vin", "make", "model"} <= {p["name"] for p in car["results"]}
    archived = await hubspot.ok("hubspot_properties_list", {"objectType": "lineItems", "archived": True})
    crm_archived = (
        await hubspot.crm.get("/crm/v3/properties/line_items", params={"archived": "true"})
    ).json()
    assert archived["count"] == len(crm_archived["results"])


async def test_properties_list_errors(hubspot: Account) -> None:
    bad = error(await hubspot.call("hubspot_properties_list", {"objectType": "widgets"}))
    assert bad["code"] == "invalid_input" and bad["field"] == "objectType" and "contacts" in bad["allowed"]
    flag = error(
        await hubspot.call("hubspot_properties_list", {"objectType": "contacts", "archived": "maybe"})
    )
    assert flag["code"] == "invalid_input" and flag["field"] == "archived"
    scope = error(
        await call_with_scopes(
            hubspot, {"crm.objects.deals.read"}, "hubspot_properties_list", {"objectType": "notes"}
        )
    )
    assert scope["code"] == "insufficient_scope" and scope["missing_scopes"] == ["crm.objects.contacts.read"]


async def test_owners_list(hubspot: Account) -> None:
    crm = (await hubspot.crm.get("/crm/v3/owners")).json()["results"]
    one = await hubspot.ok("hubspot_owners_list", {"email": crm[1]["email"]})
    assert [o["id"] for o in one["results"]] == [crm[1]["id"]]
    page = await hubspot.ok("hubspot_owners_list", {"limit": 1})
    following = await hubspot.ok("hubspot_owners_list", {"limit": 1, "after": page["next_cursor"]})
    assert [page["results"][0]["id"], following["results"][0]["id"]] == [crm[0]["id"], crm[1]["id"]]


async def test_owners_list_errors(hubspot: Account) -> None:
    limit = error(await hubspot.call("hubspot_owners_list", {"limit": 0}))
    assert limit["code"] == "invalid_input" and limit["field"] == "limit"
    scope = error(await call_with_scopes(hubspot, {"crm.objects.contacts.read"}, "hubspot_owners_list", {}))
    assert scope["code"] == "insufficient_scope" and scope["missing_scopes"] == ["crm.objects.owners.read"]
    none = await hubspot.ok("hubspot_owners_list", {"email": "nobody@example.com"})
    assert none == {"results": [], "count": 0}
