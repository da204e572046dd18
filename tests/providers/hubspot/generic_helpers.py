"""Look at sandbox CRM state directly (never through the tools under test)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from crmbridge.engine import ToolResult

from ..harness import Account

TS = "2026-01-15T10:00:00Z"
#: seed-004 entity names whose API path name differs
API_NAMES = {"lineItems": "line_items", "postalMails": "postal_mail"}


def api(entity: str) -> str:
    return API_NAMES.get(entity, entity)


async def cars(account: Account) -> dict[str, str]:
    """The seeded custom object: its ``2-…`` id and fully qualified name."""
    r = await account.crm.get("/crm-object-schemas/v3/schemas")
    schema = next(s for s in r.json()["results"] if s["name"] == "cars")
    return {"id": schema["objectTypeId"], "fqn": schema["fullyQualifiedName"]}


async def record(account: Account, api_name: str, rid: str, props: list[str], **params: Any) -> Any:
    r = await account.crm.get(
        f"/crm/v3/objects/{api_name}/{rid}", params={"properties": ",".join(props), **params}
    )
    return r


async def create(account: Account, api_name: str, props: dict[str, str]) -> str:
    r = await account.crm.post(f"/crm/v3/objects/{api_name}", json={"properties": props})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def first_id(account: Account, api_name: str) -> str:
    r = await account.crm.get(f"/crm/v3/objects/{api_name}", params={"limit": 1})
    return str(r.json()["results"][0]["id"])


async def john(account: Account) -> str:
    r = await account.crm.post("/crm/v3/objects/contacts/search", json={"query": "John Smith"})
    return str(r.json()["results"][0]["id"])


async def linked(account: Account, from_api: str, rid: str, to_api: str) -> dict[str, list[Any]]:
    """v4 listing: target id → its association types."""
    r = await account.crm.get(f"/crm/v4/objects/{from_api}/{rid}/associations/{to_api}")
    assert r.status_code == 200, r.text
    return {str(t["toObjectId"]): t["associationTypes"] for t in r.json()["results"]}


async def call_with_scopes(account: Account, scopes: set[str], tool: str, tool_input: Any) -> ToolResult:
    """Run a tool for an account whose OAuth grant is known to hold only ``scopes``."""
    target = replace(account.target, granted_scopes=frozenset(scopes))
    return await account.engine.execute_named(tool, tool_input, target)


def error(result: ToolResult) -> dict[str, Any]:
    assert not result.ok, result.data
    assert result.error is not None
    return result.error.to_dict()
