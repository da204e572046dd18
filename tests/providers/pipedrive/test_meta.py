"""Catalog tools: products, pipelines, stages, fields and the connected user, and their main error."""

from __future__ import annotations

import pytest

from crmbridge.auth import ApiKeyAuth
from crmbridge.engine import CallTarget

from ..harness import Account
from ._crm import crm_get, error_of

pytestmark = pytest.mark.anyio


async def test_products_list_returns_the_catalog(pipedrive: Account) -> None:
    expected = await crm_get(pipedrive, "/api/v2/products", limit=100)
    data = await pipedrive.ok("pipedrive_products_list", {"limit": 100})
    assert [p["name"] for p in data["results"]] == [p["name"] for p in expected]
    assert data["results"][0]["prices"][0]["currency"] == "USD" and "next_cursor" not in data


async def test_products_list_bad_limit_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_products_list", {"limit": 0}))
    assert (error["code"], error["field"]) == ("invalid_input", "limit")


async def test_pipelines_list_returns_the_pipelines(pipedrive: Account) -> None:
    data = await pipedrive.ok("pipedrive_pipelines_list")
    assert [p["name"] for p in data["results"]] == ["Sales pipeline", "Partnerships"]


async def test_pipelines_list_bad_cursor_names_the_field(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_pipelines_list", {"cursor": "not-a-cursor"}))
    assert (error["code"], error["field"]) == ("invalid_input", "cursor")


async def test_stages_list_of_a_pipeline_by_name(pipedrive: Account) -> None:
    pipelines = await crm_get(pipedrive, "/api/v2/pipelines")
    partnerships = next(p for p in pipelines if p["name"] == "Partnerships")
    data = await pipedrive.ok("pipedrive_stages_list", {"pipeline": "partnerships"})
    assert [s["name"] for s in data["results"]] == ["Lead In", "Intro Call", "Agreement Drafted", "Signed"]
    assert {s["pipeline_id"] for s in data["results"]} == {partnerships["id"]}


async def test_stages_list_unknown_pipeline_lists_the_pipelines(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_stages_list", {"pipeline": "Hiring"}))
    assert (error["code"], error["field"]) == ("invalid_input", "pipeline")
    pipelines = await crm_get(pipedrive, "/api/v2/pipelines")
    assert error["allowed"] == [p["id"] for p in pipelines]
    assert "'Sales pipeline'" in error["message"] and "'Partnerships'" in error["message"]


async def test_fields_list_includes_custom_fields(pipedrive: Account) -> None:
    expected = await crm_get(pipedrive, "/api/v2/dealFields", limit=100)
    data = await pipedrive.ok("pipedrive_fields_list", {"entity": "deal", "limit": 100})
    assert [f["field_code"] for f in data["results"]] == [f["field_code"] for f in expected]
    source = next(f for f in data["results"] if f["field_name"] == "Source")
    assert source["is_custom_field"] is True and len(source["field_code"]) == 40
    assert "Referral" in [o["label"] for o in source["options"]]


async def test_fields_list_unknown_entity_lists_the_entities(pipedrive: Account) -> None:
    error = error_of(await pipedrive.call("pipedrive_fields_list", {"entity": "lead"}))
    assert (error["code"], error["field"]) == ("invalid_input", "entity")
    assert error["allowed"] == ["deal", "person", "organization", "product", "activity"]


async def test_current_user_get_returns_the_connected_user(pipedrive: Account) -> None:
    me = await crm_get(pipedrive, "/api/v1/users/me")
    data = await pipedrive.ok("pipedrive_current_user_get")
    assert (data["id"], data["email"], data["company_id"]) == (
        me["id"],
        me["email"],
        pipedrive.info["company_id"],
    )
    assert data["default_currency"] == "USD"


async def test_current_user_get_with_a_wrong_token_is_auth_failed(pipedrive: Account) -> None:
    target = CallTarget(
        account_key="pipedrive:wrong",
        base_url=pipedrive.target.base_url,
        auth=ApiKeyAuth("0" * 40, header="x-api-token", prefix=""),
    )
    result = await pipedrive.engine.execute_named("pipedrive_current_user_get", {}, target)
    error = error_of(result)
    assert error["code"] == "auth_failed" and "0" * 40 not in error["message"]
