"""Every create tool of both CRMs, with an input per unique label and a way to count what the CRM stored:
the material of the duplicate tests (a create whose answer was lost must never be written twice)."""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from crmbridge.engine import Catalog, Engine, HttpCore
from crmbridge.providers import builtin_providers
from crmbridge_sandbox import Sandbox

from ..providers.harness import FAST_RETRIES, Account, hubspot_account, pipedrive_account

#: ``(unique label, account fixtures) -> tool input``.
Inputs = Callable[[str, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class CreateCase:
    """A create tool, its input carrying a unique label, and where the label is stored: a HubSpot object
    type (``kind``) and property, or a Pipedrive list path and field. ``raw`` is the API's own body for
    such a record, to create many quickly without the tool."""

    tool: str
    inputs: Inputs
    kind: str
    key: str
    raw: Inputs | None = None

    @property
    def provider(self) -> str:
        return self.tool.split("_", 1)[0]

    def __str__(self) -> str:
        return self.tool


def _contact(label: str, fixtures: dict[str, Any]) -> dict[str, Any]:
    return {"email": f"{label.replace(' ', '.').lower()}@example.com", "firstname": label}


def _titled(key: str, link: str = "", field: str = "") -> Inputs:
    """``{key: label}``, plus the fixture ``link`` as ``field``."""
    return lambda v, f: {key: v, **({field or link: f[link]} if link else {})}


CASES = (
    CreateCase("hubspot_contact_create", _contact, "contacts", "firstname"),
    CreateCase("hubspot_company_create", _titled("name"), "companies", "name"),
    CreateCase("hubspot_deal_create", lambda v, f: {"dealname": v, "amount": 1, "dealstage": "appointmentscheduled"},
               "deals", "dealname"),
    CreateCase("hubspot_task_create", lambda v, f: {"subject": v, "due_date": "2026-07-01"}, "tasks",
               "hs_task_subject"),
    CreateCase("hubspot_note_create", _titled("body"), "notes", "hs_note_body"),
    CreateCase("hubspot_ticket_create", _titled("subject"), "tickets", "subject"),
    CreateCase("hubspot_record_create", lambda v, f: {"entity": "companies", "properties": {"name": v}},
               "companies", "name"),
    CreateCase("pipedrive_deal_create", _titled("title"), "/api/v2/deals", "title", _titled("title")),
    CreateCase("pipedrive_person_create", _titled("name"), "/api/v2/persons", "name", _titled("name")),
    CreateCase("pipedrive_organization_create", _titled("name"), "/api/v2/organizations", "name", _titled("name")),
    CreateCase("pipedrive_lead_create", _titled("title", "person"), "/v1/leads", "title",
               _titled("title", "person", "person_id")),
    CreateCase("pipedrive_activity_create", _titled("subject", "deal", "deal_id"), "/api/v2/activities", "subject",
               _titled("subject", "deal", "deal_id")),
    CreateCase("pipedrive_note_create", _titled("content", "deal", "deal_id"), "/v1/notes", "content",
               _titled("content", "deal", "deal_id")),
)  # fmt: skip
#: The creates that settle a lost answer by re-checking the CRM (the others leave it unknown, or upsert).
RECHECKED = tuple(c for c in CASES if c.tool not in ("hubspot_contact_create", "hubspot_record_create"))


async def open_account(
    case: CreateCase, sandbox: Sandbox, client: httpx.AsyncClient, **scale: float
) -> tuple[Account, dict[str, Any]]:
    """A fresh account of the case's CRM and what its inputs link to (a Pipedrive person and deal)."""
    if case.provider == "hubspot":
        return await hubspot_account(sandbox, client, tier="enterprise", contacts=3, **scale), {}
    account = await pipedrive_account(sandbox, client, plan="ultimate", persons=3, **scale)
    person = (await account.crm.get("/api/v2/persons", params={"limit": 1})).json()["data"][0]["id"]
    deal = (
        await account.crm.post("/api/v2/deals", json={"title": "Shared deal", "person_id": person})
    ).json()
    return account, {"person": person, "deal": deal["data"]["id"]}


def small_pages(size: int) -> Catalog:
    """The built-in providers re-checking lost creates ``size`` records per page, so that a test needs
    few records to put more than one page between the mark and the newest record."""
    providers = []
    for provider in builtin_providers():
        hooks = copy.copy(provider.hooks)
        hooks.recheck_page_size = size  # type: ignore[attr-defined]
        providers.append(dataclasses.replace(provider, hooks=hooks))
    return Catalog(providers)


def engine_on(transport: httpx.AsyncBaseTransport, catalog: Catalog, **options: Any) -> Engine:
    scale = options.pop("rate_limit_scale", 1.0)
    http = HttpCore(transport=transport, retry=FAST_RETRIES, rate_limit_scale=scale)
    return Engine(catalog, http=http, index_lag=0.0, **options)


async def stored(account: Account, case: CreateCase) -> Counter[str]:
    """How many records carry each value of the case's key field, read page by page."""
    values: Counter[str] = Counter()
    if case.provider == "hubspot":
        params: dict[str, Any] = {"limit": 100, "properties": case.key}
        while True:
            r = await account.crm.get(f"/crm/v3/objects/{case.kind}", params=params)
            assert r.status_code == 200, r.text
            values.update(str(rec["properties"].get(case.key) or "") for rec in r.json()["results"])
            after = r.json().get("paging", {}).get("next", {}).get("after")
            if after is None:
                return values
            params["after"] = after
    query: dict[str, Any] = {"limit": 500}
    while True:
        r = await account.crm.get(case.kind, params=query)
        assert r.status_code == 200, r.text
        body = r.json()
        values.update(str(row.get(case.key) or "") for row in body["data"] or [])
        extra = body.get("additional_data") or {}
        paging = extra.get("pagination") or extra
        if extra.get("next_cursor"):
            query["cursor"] = extra["next_cursor"]
        elif paging.get("more_items_in_collection"):
            query["start"] = paging["next_start"]
        else:
            return values
