"""Look at HubSpot sandbox state directly (not through the tools under test)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from crmbridge.engine import CallTarget, Engine, HttpCore
from crmbridge.providers import default_catalog
from crmbridge_sandbox import Sandbox

from ..harness import FAST_RETRIES, Account


async def get(
    account: Account, object_type: str, record_id: str, *props: str, **params: Any
) -> dict[str, Any]:
    query = {"properties": ",".join(props), **params} if props else params
    r = await account.crm.get(f"/crm/v3/objects/{object_type}/{record_id}", params=query)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    if props:  # only what was asked for, not the system properties HubSpot adds
        body["properties"] = {k: v for k, v in body["properties"].items() if k in props}
    return body


async def search(
    account: Account, object_type: str, *filters: tuple[str, str, Any], **body: Any
) -> list[dict[str, Any]]:
    """Records matching ``(property, operator, value)`` filters (ANDed)."""
    group = [
        {"propertyName": n, "operator": op, **({"values": v} if isinstance(v, list) else {"value": v})}
        for n, op, v in filters
    ]
    # A sandbox second per direct search keeps HubSpot's 5 searches/s out of the way: the tools under
    # test pace their own searches, these checks do not.
    r = await account.crm.post("http://sandbox/_sandbox/clock", json={"advance_seconds": 1})
    assert r.status_code == 200, r.text
    payload = {"limit": 200, **body}
    if group:
        payload["filterGroups"] = [{"filters": group}]
    r = await account.crm.post(f"/crm/v3/objects/{object_type}/search", json=payload)
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


async def linked(account: Account, from_type: str, from_id: str, to_type: str) -> dict[str, set[int]]:
    """``{to id: {association type ids}}`` through the v4 associations API."""
    r = await account.crm.get(f"/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}")
    assert r.status_code == 200, r.text
    return {str(x["toObjectId"]): {t["typeId"] for t in x["associationTypes"]} for x in r.json()["results"]}


async def john_smith(account: Account) -> str:
    found = await search(account, "contacts", ("firstname", "EQ", "John"), ("lastname", "EQ", "Smith"))
    assert len(found) == 1
    return str(found[0]["id"])


async def create(account: Account, object_type: str, **properties: Any) -> str:
    r = await account.crm.post(f"/crm/v3/objects/{object_type}", json={"properties": properties})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def first_owner(account: Account) -> dict[str, Any]:
    r = await account.crm.get("/crm/v3/owners")
    assert r.status_code == 200, r.text
    owner: dict[str, Any] = r.json()["results"][0]
    return owner


class LoseAnswer(httpx.AsyncBaseTransport):
    """Forwards every request, but loses the answer of the first one ``matches`` picks (a timeout
    after the CRM applied it): the ambiguous case a create must settle without a duplicate."""

    def __init__(self, inner: httpx.AsyncBaseTransport, matches: Callable[[httpx.Request], bool]) -> None:
        self.inner = inner
        self.matches = matches
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not self.lost and self.matches(request):
            self.lost += 1
            await response.aread()
            raise httpx.ReadTimeout("answer lost", request=request)
        return response


def engine_losing(sandbox: Sandbox, matches: Callable[[httpx.Request], bool]) -> tuple[Engine, LoseAnswer]:
    transport = LoseAnswer(sandbox.transport(), matches)
    return Engine(default_catalog(), http=HttpCore(transport=transport, retry=FAST_RETRIES)), transport


async def call_with(engine: Engine, target: CallTarget, tool: str, tool_input: dict[str, Any]) -> Any:
    return await engine.execute_named(tool, tool_input, target)
