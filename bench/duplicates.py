"""Duplicates under load: every create tool of both CRMs, 300 at once, half of the requests failing.

For each ``*_create`` tool, one fresh sandbox account gets ``--creates`` concurrent calls with distinct
inputs while the sandbox fails ``--faults`` of all requests (half of them timeouts that apply the request
and lose the answer, half 500s that apply nothing). Then faults are cleared and the CRM state is read
back: a duplicate is a second record carrying one call's key value. Printed per tool: sent, succeeded,
outcome_unknown, other errors (by code), duplicates, and how many of the unknown outcomes had in fact
been applied. Everything runs in process against the sandbox, with rate-limit windows scaled down 100x.

Run: ``python -m bench.duplicates`` (``--creates 60 --tools pipedrive_lead_create`` for a quick look).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from crmbridge.auth import ApiKeyAuth
from crmbridge.engine import CallTarget, Engine, HttpCore, RetryPolicy, ToolResult
from crmbridge.providers import default_catalog
from crmbridge_sandbox import Sandbox

SCALE = 0.01
RETRIES = RetryPolicy(max_attempts=5, base_delay=0.005, max_delay=0.05)

#: ``(unique value, n, account fixtures) -> tool input``.
Inputs = Callable[[str, int, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """One create tool: its input for call ``n``, carrying ``f"{label} {n}"`` as the value that is unique
    per call; where its records are listed; and which of their fields holds that value."""

    tool: str
    label: str
    inputs: Inputs
    listing: str
    key: str

    def unique(self, n: int) -> str:
        return f"{self.label} {n}"


CASES = (
    Case("hubspot_contact_create", "dup", lambda v, n, f: {"email": f"dup{n}@bench.test", "firstname": v},
         "contacts", "firstname"),
    Case("hubspot_company_create", "Dup company", lambda v, n, f: {"name": v, "domain": f"dup{n}.bench.test"},
         "companies", "name"),
    Case("hubspot_deal_create", "Dup deal",
         lambda v, n, f: {"dealname": v, "amount": n, "dealstage": "appointmentscheduled"}, "deals", "dealname"),
    Case("hubspot_task_create", "Dup task", lambda v, n, f: {"subject": v, "due_date": "2026-07-01"},
         "tasks", "hs_task_subject"),
    Case("hubspot_note_create", "Dup note", lambda v, n, f: {"body": v}, "notes", "hs_note_body"),
    Case("hubspot_ticket_create", "Dup ticket", lambda v, n, f: {"subject": v}, "tickets", "subject"),
    Case("hubspot_record_create", "Dup record",
         lambda v, n, f: {"entity": "companies", "properties": {"name": v}}, "companies", "name"),
    Case("pipedrive_deal_create", "Dup deal", lambda v, n, f: {"title": v}, "/api/v2/deals", "title"),
    Case("pipedrive_person_create", "Dup person", lambda v, n, f: {"name": v, "email": [f"dup{n}@bench.test"]},
         "/api/v2/persons", "name"),
    Case("pipedrive_organization_create", "Dup org", lambda v, n, f: {"name": v}, "/api/v2/organizations", "name"),
    Case("pipedrive_lead_create", "Dup lead", lambda v, n, f: {"title": v, "person": f["person"]},
         "/v1/leads", "title"),
    Case("pipedrive_activity_create", "Dup activity", lambda v, n, f: {"subject": v, "deal_id": f["deal"]},
         "/api/v2/activities", "subject"),
    Case("pipedrive_note_create", "Dup note", lambda v, n, f: {"content": v, "deal_id": f["deal"]},
         "/v1/notes", "content"),
)  # fmt: skip


@dataclass
class Account:
    target: CallTarget
    crm: httpx.AsyncClient
    fixtures: dict[str, Any]


async def hubspot_account(sandbox: Sandbox, control: httpx.AsyncClient) -> Account:
    r = await control.post("/_sandbox/hubspot/portals", json={"seed": 7, "contacts": 5, "tier": "enterprise"})
    r.raise_for_status()
    info = r.json()
    token = info["private_app_token"]
    target = CallTarget(f"hubspot:{info['portal_id']}", info["base_url"], ApiKeyAuth(token))
    headers = {"Authorization": f"Bearer {token}"}
    crm = httpx.AsyncClient(transport=sandbox.transport(), base_url=info["base_url"], headers=headers)
    return Account(target, crm, {})


async def pipedrive_account(sandbox: Sandbox, control: httpx.AsyncClient) -> Account:
    r = await control.post(
        "/_sandbox/pipedrive/companies", json={"seed": 7, "persons": 5, "plan": "ultimate"}
    )
    r.raise_for_status()
    info = r.json()
    token = info["api_token"]
    auth = ApiKeyAuth(token, header="x-api-token", prefix="")
    target = CallTarget(f"pipedrive:{info['company_id']}", info["api_domain"], auth)
    crm = httpx.AsyncClient(
        transport=sandbox.transport(), base_url=info["api_domain"], headers={"x-api-token": token}
    )
    person = (await crm.get("/api/v2/persons", params={"limit": 1})).json()["data"][0]["id"]
    deal = (await crm.post("/api/v2/deals", json={"title": "Shared deal", "person_id": person})).json()
    return Account(target, crm, {"person": person, "deal": deal["data"]["id"]})


async def stored_values(account: Account, case: Case) -> list[str]:
    """The key field of every record of the case's type, read page by page (faults are off by now)."""
    values: list[str] = []
    if not case.listing.startswith("/"):  # HubSpot: the object type
        params: dict[str, Any] = {"limit": 100, "properties": case.key}
        while True:
            body = (await account.crm.get(f"/crm/v3/objects/{case.listing}", params=params)).json()
            values += [str(r["properties"].get(case.key) or "") for r in body["results"]]
            after = body.get("paging", {}).get("next", {}).get("after")
            if after is None:
                return values
            params["after"] = after
    query: dict[str, Any] = {"limit": 500}
    while True:
        body = (await account.crm.get(case.listing, params=query)).json()
        values += [str(r.get(case.key) or "") for r in body["data"] or []]
        extra = body.get("additional_data") or {}
        paging = extra.get("pagination") or extra
        if extra.get("next_cursor"):
            query["cursor"] = extra["next_cursor"]
        elif paging.get("more_items_in_collection"):
            query["start"] = paging["next_start"]
        else:
            return values


async def run_case(case: Case, creates: int, fault_rate: float, seed: int) -> dict[str, Any]:
    sandbox = Sandbox(rate_window_scale=SCALE, fault_seed=seed)
    async with sandbox.client() as control:
        make = hubspot_account if case.tool.startswith("hubspot") else pipedrive_account
        account = await make(sandbox, control)
        http = HttpCore(transport=sandbox.transport(), retry=RETRIES, rate_limit_scale=SCALE)
        engine = Engine(default_catalog(), http=http, index_lag=0.0)
        provider = case.tool.split("_", 1)[0]
        keys = [case.unique(n) for n in range(creates)]
        inputs = [case.inputs(key, n, account.fixtures) for n, key in enumerate(keys)]
        faults = {provider: {"timeout": fault_rate / 2, "500": fault_rate / 2}, "seed": seed}
        (await control.post("/_sandbox/faults", json=faults)).raise_for_status()
        start = time.perf_counter()
        results: list[ToolResult] = await asyncio.gather(
            *(engine.execute_named(case.tool, tool_input, account.target) for tool_input in inputs)
        )
        seconds = time.perf_counter() - start
        log = (await control.get("/_sandbox/requests", params={"provider": provider})).json()["requests"]
        (await control.post("/_sandbox/faults", json={})).raise_for_status()
        stored = Counter(await stored_values(account, case))
        await engine.aclose()
        await account.crm.aclose()

    errors = Counter(r.error.code for r in results if r.error is not None)
    why_unknown = Counter(
        _why(r.error.message) for r in results if r.error and r.error.code == "outcome_unknown"
    )
    unknown_applied = sum(
        1
        for r, k in zip(results, keys, strict=True)
        if r.error and r.error.code == "outcome_unknown" and stored[k]
    )
    failed_applied = sum(
        1
        for r, k in zip(results, keys, strict=True)
        if r.error and r.error.code != "outcome_unknown" and stored[k]
    )
    lost_ok = sum(1 for r, k in zip(results, keys, strict=True) if r.ok and not stored[k])
    return {
        "tool": case.tool,
        "sent": creates,
        "succeeded": sum(r.ok for r in results),
        "outcome_unknown": errors.pop("outcome_unknown", 0),
        "other_errors": dict(errors),
        "why_unknown": dict(why_unknown),
        "duplicates": sum(max(0, stored[k] - 1) for k in keys),
        "unknown_but_applied": unknown_applied,
        "failed_but_applied": failed_applied,
        "ok_but_missing": lost_ok,
        "faults": dict(Counter(e["fault"] for e in log if e.get("fault"))),
        "requests": len(log),
        "seconds": round(seconds, 1),
    }


def _why(message: str) -> str:
    """Which of the re-check's reasons an ``outcome_unknown`` gives."""
    for words, reason in (
        ("re-check failed", "re-check failed"),
        ("records matching it", "look-alikes"),
        ("pages)", "mark out of reach"),
        ("not retried", "no re-check"),
    ):
        if words in message:
            return reason
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creates", type=int, default=300, help="concurrent creates per tool (default 300)")
    parser.add_argument("--faults", type=float, default=0.5, help="share of requests that fail (default 0.5)")
    parser.add_argument("--seed", type=int, default=1, help="fault seed (default 1)")
    parser.add_argument("--tools", nargs="*", help="only these tools (default: every create tool)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per tool")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    cases = [c for c in CASES if not args.tools or c.tool in args.tools]
    header = (
        f"{'tool':32} {'sent':>5} {'ok':>5} {'unknown':>7} {'dupes':>5}  {'other errors':25} "
        f"{'unknown applied':>15} {'failed applied':>14} {'s':>5}"
    )
    if not args.json:
        print(f"{args.creates} concurrent creates per tool, {args.faults:.0%} faults (timeout, 500)")
        print(header)
    totals: Counter[str] = Counter()
    for case in cases:
        row = asyncio.run(run_case(case, args.creates, args.faults, args.seed))
        totals.update({k: row[k] for k in ("sent", "succeeded", "outcome_unknown", "duplicates")})
        totals.update(row["why_unknown"])
        if args.json:
            print(json.dumps(row))
            continue
        other = ", ".join(f"{k} {v}" for k, v in row["other_errors"].items()) or "-"
        print(
            f"{row['tool']:32} {row['sent']:5} {row['succeeded']:5} {row['outcome_unknown']:7} "
            f"{row['duplicates']:5}  {other:25} {row['unknown_but_applied']:15} {row['failed_but_applied']:14} "
            f"{row['seconds']:5}",
            flush=True,
        )
        if row["ok_but_missing"]:
            print(f"  !! {row['ok_but_missing']} creates reported ok but are not in the CRM")

    if not args.json:
        print(
            f"{'all':32} {totals['sent']:5} {totals['succeeded']:5} {totals['outcome_unknown']:7} "
            f"{totals['duplicates']:5}"
        )
        reasons = ", ".join(f"{k} {totals[k]}" for k in ("re-check failed", "look-alikes", "mark out of reach",
                                                        "no re-check", "other") if totals[k])  # fmt: skip
        print(f"outcome_unknown because: {reasons or '-'}")
        print(
            "unknown applied: unknown outcomes the CRM did apply; failed applied: other errors whose record "
            "exists (only an idempotent upsert may: sending it again does not duplicate)"
        )


if __name__ == "__main__":
    main()
