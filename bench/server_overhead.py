"""The service's own cost per tool call, without a client or a socket in the way.

``bench.service`` times the whole trip (httpx client, loopback, uvicorn, the app); this one calls the
FastAPI app directly with a prepared ASGI scope, in this process, and times it against
``bridge.aexecute_tool`` for the same tool, account and input. Both share one Runtime whose HTTP goes to
a sandbox in its own process (as a CRM would be), so the difference is what the app adds: the
middleware, authentication, body parsing, idempotency wrapper, result encoding and the JSON access log
(formatted and scrubbed into ``os.devnull`` exactly as ``crmbridge serve`` does).

Run: ``python -m bench.server_overhead --rounds 2000`` (``--profile`` prints the app's top functions;
``--stub-tool`` answers every call at once, leaving only the app's own cost to measure).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import pstats
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from crmbridge.core.runtime import Runtime
from crmbridge.engine import ToolResult
from crmbridge.server import ServiceSettings, create_app
from crmbridge.server.entry import configure_logging
from crmbridge.vault import Vault

from .tool_calls import PROPERTIES, sandbox_process

TOOL = "hubspot_contact_get"
Call = Callable[[], Awaitable[None]]


def _asgi_call(app: Any, key: str, body: bytes) -> Call:
    """One ``POST /tools/{TOOL}/execute`` straight into the app, as uvicorn would hand it over."""
    path = f"/tools/{TOOL}/execute"
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {key}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]

    async def call() -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)  # a client that stays connected
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, send)
        assert status == 200 and json.loads(b"".join(chunks))["ok"], b"".join(chunks)

    return call


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 3),
    }


async def _measure(calls: dict[str, Call], rounds: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, float] = dict.fromkeys(calls, 0.0)
    for call in calls.values():
        for _ in range(50):
            await call()
    order = list(calls.items())
    for _ in range(rounds):
        random.shuffle(order)
        for name, call in order:
            c, t = time.process_time(), time.perf_counter()
            await call()
            samples[name].append(time.perf_counter() - t)
            cpu[name] += time.process_time() - c
    return {name: {**_stats(samples[name]), "cpu_ms": round(cpu[name] / rounds * 1000, 3)} for name in calls}


def _by_package(stats: pstats.Stats, calls: int) -> None:
    """Own time per call (microseconds, profiled) summed by package: where the app's time goes."""
    totals: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        parts = filename.replace("\\", "/").split("/")
        key = next(
            (p for p in ("fastapi", "starlette", "pydantic", "httpx", "httpcore", "anyio") if p in parts), ""
        )
        if not key:
            if "crmbridge" in parts:
                at = parts.index("crmbridge")
                key = "crmbridge." + (parts[at + 1].removesuffix(".py") if at + 1 < len(parts) else "")
            else:
                key = (
                    parts[-1]
                    if filename.startswith("~") or "python3" not in filename
                    else "stdlib:" + parts[-1]
                )
        totals[key] = totals.get(key, 0.0) + tottime
    for key, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:25]:
        print(f"{seconds / calls * 1e6:9.1f} us  {key}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="cProfile the app's calls and print the top")
    parser.add_argument(
        "--stub-tool",
        action="store_true",
        help="the bridge answers at once with a canned result: the app's cost alone, without any CRM call",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp, sandbox_process(0.001) as root, open(os.devnull, "w") as sink:
        configure_logging()
        logging.getLogger().handlers[0].setStream(sink)  # type: ignore[attr-defined]
        portal = (
            httpx.post(
                f"{root}/_sandbox/hubspot/portals", json={"seed": 1, "contacts": 50, "tier": "enterprise"}
            )
            .raise_for_status()
            .json()
        )
        auth = {"Authorization": f"Bearer {portal['private_app_token']}"}
        contact_id = (
            httpx.get(f"{portal['base_url']}/crm/v3/objects/contacts", params={"limit": 1}, headers=auth)
            .raise_for_status()
            .json()["results"][0]["id"]
        )
        runtime = Runtime(
            database_url=f"sqlite:///{Path(tmp) / 'service.db'}",
            data_dir=tmp,
            vault=Vault.from_string(Vault.generate_key()),
            rate_limit_scale=0.001,
            entry_points=False,
        )
        app = create_app(runtime, ServiceSettings(refresh_interval=0))
        service = app.state.service
        service.tenants.create("bench")
        key = service.tenants.create_key("bench", ["admin"])[1]
        tenant_id = runtime.store.tenants.get("bench").id
        bridge = service.bridge(tenant_id)
        bridge.add_connection("hubspot", provider="hubspot", base_url=portal["base_url"])
        bridge.connect_api_key(
            connection_name="hubspot", identifier="bench", api_key=portal["private_app_token"]
        )
        tool_input = {"contact_id": contact_id, "properties": PROPERTIES}
        body = json.dumps({"identifier": "bench", "input": tool_input}).encode()

        if args.stub_tool:
            canned = ToolResult(
                TOOL, True, {"id": contact_id, "properties": dict.fromkeys(PROPERTIES, "value")}
            )

            async def answer(**_: Any) -> ToolResult:
                return canned

            bridge.aexecute_tool = answer  # type: ignore[method-assign]

        async def library() -> None:
            result = await bridge.aexecute_tool(identifier="bench", tool_name=TOOL, tool_input=tool_input)
            assert result.ok, result.error

        asgi = _asgi_call(app, key, body)

        async def run() -> dict[str, Any]:
            figures = await _measure({"library": library, "asgi": asgi}, args.rounds)
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.rounds):
                    await asgi()
                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats("tottime").print_stats(40)
                stats.sort_stats("cumulative").print_stats(r"crmbridge|fastapi|starlette|logging", 60)
                _by_package(stats, args.rounds)
            return figures

        figures = asyncio.run(run())
        runtime.close()
    report = {
        **figures,
        "app_added_median_ms": round(figures["asgi"]["median_ms"] - figures["library"]["median_ms"], 3),
        "app_added_cpu_ms": round(figures["asgi"]["cpu_ms"] - figures["library"]["cpu_ms"], 3),
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
