"""Looking at Pipedrive state directly (``account.crm``), to check what the tools did."""

from __future__ import annotations

from typing import Any

from ..harness import Account

MISSING_UUID = "00000000-0000-4000-8000-000000000000"


async def crm_get(account: Account, path: str, **params: Any) -> Any:
    """The ``data`` of a GET that must succeed."""
    r = await account.crm.get(path, params=params or None)
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def crm_status(account: Account, path: str) -> int:
    return (await account.crm.get(path)).status_code


async def crm_post(account: Account, path: str, body: dict[str, Any]) -> Any:
    r = await account.crm.post(path, json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()["data"]


async def first(account: Account, path: str, **params: Any) -> dict[str, Any]:
    rows = await crm_get(account, path, limit=1, **params)
    assert rows, f"the seed has no rows at {path}"
    row: dict[str, Any] = rows[0]
    return row


async def stage_named(account: Account, name: str) -> dict[str, Any]:
    stages = await crm_get(account, "/api/v2/stages", limit=500)
    return next(s for s in stages if s["name"] == name)


def error_of(result: Any) -> dict[str, Any]:
    assert not result.ok, result.data
    details: dict[str, Any] = result.error.to_dict()
    return details
