"""What MCP costs per tool call: ``tools/call`` over stdio against the direct library call, in one run.

One sandbox process on a loopback port with two portals of the same seed (one per client, so neither
counts against the other's rate-limit window). Two clients take turns, in shuffled order, on the same
read (``hubspot_contact_get`` of one contact):

* ``library``: ``toolset.call_tool`` on a ``Bridge`` in this process — what the MCP server itself runs;
* ``mcp_stdio``: the official MCP client (``mcp.client.stdio``) calling the same tool through a real
  ``crmbridge mcp`` subprocess (JSON-RPC over pipes, validation, the result converted to
  ``structuredContent`` plus text, and parsed back by the client);
* ``mcp_stdio_ping``: a ``ping`` over the same pipes, the transport's floor (two processes waking up
  and one JSON-RPC message each way, no CRM).

Reported: median and p99 of each, and the ratio of the medians (issue 11's goal: at most 1.5x).
Run: ``make bench`` or ``python -m bench.mcp_calls --rounds 300``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from crmbridge import Bridge

from .service import side_by_side
from .tool_calls import PROPERTIES, sandbox_process

#: The goal issue 11 sets for the stdio round trip over the direct call (ratio of the medians).
GOAL = 1.5


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def measure(
    bridge: Bridge, env: dict[str, str], contact_id: str, rounds: int
) -> dict[str, list[float]]:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    toolset = bridge.toolset(identifier="direct", connection_name="hubspot")
    arguments = {"contact_id": contact_id, "properties": PROPERTIES}
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "crmbridge.cli", "mcp", "--integration", "hubspot", "--identifier", "mcp"],
        env=env,
    )
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()

        async def library() -> None:
            result = await toolset.call_tool("hubspot_contact_get", arguments)
            assert result.ok, result.error

        async def over_stdio() -> None:
            result = await session.call_tool("hubspot_contact_get", arguments)
            assert result.is_error is False, result.structured_content

        async def ping() -> None:
            await session.send_ping()

        calls: dict[str, Callable[[], Awaitable[None]]] = {
            "library": library,
            "mcp_stdio": over_stdio,
            "mcp_stdio_ping": ping,
        }
        samples = await side_by_side(calls, rounds)  # shuffled turns, after a warm-up (bench.service)
    await bridge.aclose()
    return samples


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp, sandbox_process(0.001) as root:
        portals = [
            httpx.post(
                f"{root}/_sandbox/hubspot/portals", json={"seed": 1, "contacts": 50, "tier": "enterprise"}
            ).json()
            for _ in range(2)
        ]
        first = httpx.get(
            f"{portals[0]['base_url']}/crm/v3/objects/contacts",
            params={"limit": 1},
            headers={"Authorization": f"Bearer {portals[0]['private_app_token']}"},
        )
        contact_id = first.json()["results"][0]["id"]
        env = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")},
            "CRMBRIDGE_HOME": tmp,
            "CRMBRIDGE_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
        }
        bridge = Bridge(env["CRMBRIDGE_DATABASE_URL"], data_dir=tmp)
        bridge.add_connection("hubspot", provider="hubspot", base_url=portals[0]["base_url"])
        for identifier, portal in zip(("direct", "mcp"), portals, strict=True):
            bridge.connect_api_key(
                connection_name="hubspot", identifier=identifier, api_key=portal["private_app_token"]
            )
        samples = asyncio.run(measure(bridge, env, contact_id, args.rounds))
        bridge.store.close()

    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratio = medians["mcp_stdio"] / medians["library"]
    report = {
        "rounds": args.rounds,
        "median_ms": {k: round(v * 1000, 3) for k, v in medians.items()},
        "p99_ms": {k: round(_p99(v) * 1000, 3) for k, v in samples.items()},
        "mcp_overhead_median_ms": round((medians["mcp_stdio"] - medians["library"]) * 1000, 3),
        "ratio_mcp_stdio_vs_library": round(ratio, 2),
        "goal": GOAL,
        "within_goal": ratio <= GOAL,
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
