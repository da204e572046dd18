"""Sandbox overhead, measured side by side in one run.

Median in-process latency of a HubSpot contact GET and of a contact search over 10,000 contacts, each
as a ratio against a bare Starlette route that returns a body of the same size through the same
``httpx.ASGITransport`` client. Ratios, not absolute times, are what we track: they cancel out the
machine. Run: ``make bench`` (or ``python -m bench.sandbox_latency --rounds 300``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crmbridge_sandbox import Sandbox, SandboxClock

CONTACTS = 10_000


def bare_app(get_body: dict[str, Any], search_body: dict[str, Any]) -> Starlette:
    async def get(request: Request) -> Response:
        return JSONResponse(get_body)

    async def search(request: Request) -> Response:
        await request.body()
        return JSONResponse(search_body)

    return Starlette(routes=[Route("/get", get), Route("/search", search, methods=["POST"])])


async def timed(call: Callable[[], Awaitable[httpx.Response]]) -> float:
    start = time.perf_counter()
    response = await call()
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"benchmark request failed: {response.status_code} {response.text[:200]}")
    return elapsed


async def run(rounds: int) -> dict[str, Any]:
    clock = SandboxClock(frozen=True)
    sandbox = Sandbox(clock=clock)
    build_start = time.perf_counter()
    portal = sandbox.hubspot.create_portal(
        seed_value=1, contacts=CONTACTS, companies=50, deals=50, tier="enterprise"
    )
    seed_seconds = time.perf_counter() - build_start
    headers = {"Authorization": f"Bearer {portal.private_app_token}"}
    contact_id = next(iter(portal.tables["0-1"].records))
    target = portal.tables["0-1"].records[contact_id].properties["email"]
    search = {
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": target}]}],
        "properties": ["email", "firstname", "lastname"],
        "limit": 10,
    }
    async with sandbox.client() as sb:
        get_body = (await sb.get(f"/hubspot/crm/v3/objects/contacts/{contact_id}", headers=headers)).json()
        search_body = (
            await sb.post("/hubspot/crm/v3/objects/contacts/search", json=search, headers=headers)
        ).json()
        assert search_body["total"] >= 1, search_body
        transport = httpx.ASGITransport(app=bare_app(get_body, search_body))
        async with httpx.AsyncClient(transport=transport, base_url="http://bare") as bare:
            samples: dict[str, list[float]] = {
                "bare_get": [],
                "sandbox_get": [],
                "bare_search": [],
                "sandbox_search": [],
            }
            calls: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
                "bare_get": lambda: bare.get("/get", headers=headers),
                "sandbox_get": lambda: sb.get(
                    f"/hubspot/crm/v3/objects/contacts/{contact_id}", headers=headers
                ),
                "bare_search": lambda: bare.post("/search", json=search, headers=headers),
                "sandbox_search": lambda: sb.post(
                    "/hubspot/crm/v3/objects/contacts/search", json=search, headers=headers
                ),
            }
            for _ in range(20):  # warm-up
                for call in calls.values():
                    await call()
                    clock.advance(0.25)  # stay under 5 searches/s and 100 requests/10 s on the sandbox clock
            for _ in range(rounds):
                for name, call in calls.items():
                    samples[name].append(await timed(call))
                    clock.advance(0.25)
    med = {name: statistics.median(values) * 1e6 for name, values in samples.items()}
    return {
        "rounds": rounds,
        "contacts": CONTACTS,
        "seed_10k_portal_seconds": round(seed_seconds, 3),
        "median_us": {k: round(v, 1) for k, v in med.items()},
        "ratio_contact_get_vs_bare": round(med["sandbox_get"] / med["bare_get"], 2),
        "ratio_search_10k_vs_bare": round(med["sandbox_search"] / med["bare_search"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.rounds)), indent=2))


if __name__ == "__main__":
    main()
