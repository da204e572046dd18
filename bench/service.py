"""What the HTTP service adds to a tool call, and how many calls per second it serves.

One run, one sandbox in its own process on loopback (windows 1000x shorter, so no client waits on the
CRM's limits), two clients taking turns on the same call (``hubspot_contact_get``):

* the library: ``bridge.aexecute_tool(...)`` in this process;
* the service: ``POST /tools/hubspot_contact_get/execute`` to a real ``crmbridge serve`` on loopback,
  over a kept-alive ``httpx.AsyncClient`` connection.

Median and p99 side by side, and the difference of the medians: the HTTP layer's own cost (goal: at most
1 ms). Then throughput, requests per second with ``--clients`` concurrent clients for ``--seconds``:
the library in this process, the service with one worker, the service with two (``--workers 2``).
Run: ``make bench`` or ``python -m bench.service --rounds 500``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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
from crmbridge.vault import Vault

from .tool_calls import PROPERTIES, sandbox_process

TOOL = "hubspot_contact_get"
Call = Callable[[], Awaitable[None]]


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "crmbridge.cli", *args], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"crmbridge {' '.join(args)} failed: {done.stderr[-1000:]}")
    return done.stdout


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``; ``None`` elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def cpu_per_call(call: Call, calls: int, server_pid: int | None) -> dict[str, float | None]:
    """CPU milliseconds per call, in this process and in the server's: unlike wall time, unaffected by
    other processes competing for the cores."""
    here, there = time.process_time(), _cpu_seconds(server_pid) if server_pid else None
    for _ in range(calls):
        await call()
    after = _cpu_seconds(server_pid) if server_pid else None
    return {
        "client_cpu_ms": round((time.process_time() - here) / calls * 1000, 3),
        "server_cpu_ms": None if there is None or after is None else round((after - there) / calls * 1000, 3),
    }


@contextmanager
def service_process(env: dict[str, str], workers: int) -> Iterator[tuple[str, int]]:
    """``crmbridge serve --workers N`` on a free loopback port until the block ends: its URL and pid."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "crmbridge.cli", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("crmbridge serve did not start")
            time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 3),
    }


async def side_by_side(calls: dict[str, Call], rounds: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():  # warm pools, caches and the server's first-request paths
        for _ in range(20):
            await call()
    order = list(calls.items())
    shuffle = random.Random(7).shuffle
    for _ in range(rounds):
        shuffle(order)
        for name, call in order:
            start = time.perf_counter()
            await call()
            samples[name].append(time.perf_counter() - start)
    return samples


async def throughput(call: Call, clients: int, seconds: float) -> float:
    """Calls per second completed by ``clients`` concurrent loops over ``seconds``."""
    done = 0
    stop = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            await call()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    return round(done / (time.perf_counter() - started), 1)


def _library_call(bridge: Bridge, contact_id: str) -> Call:
    async def call() -> None:
        result = await bridge.aexecute_tool(
            identifier="bench",
            tool_name=TOOL,
            tool_input={"contact_id": contact_id, "properties": PROPERTIES},
        )
        assert result.ok, result.error

    return call


def _http_call(client: httpx.AsyncClient, contact_id: str) -> Call:
    body = {"identifier": "bench", "input": {"contact_id": contact_id, "properties": PROPERTIES}}

    async def call() -> None:
        response = await client.post(f"/tools/{TOOL}/execute", json=body)
        assert response.status_code == 200 and response.json()["ok"], response.text

    return call


def _configure(url: str, key: str, portal: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    r = httpx.put(
        f"{url}/integrations/hubspot",
        headers=headers,
        json={"provider": "hubspot", "auth": "api_key", "baseUrl": portal["base_url"]},
    )
    r.raise_for_status()
    r = httpx.post(
        f"{url}/integrations/hubspot/connect",
        headers=headers,
        json={"identifier": "bench", "apiKey": portal["private_app_token"]},
    )
    r.raise_for_status()


def _added_cpu(cpu: dict[str, dict[str, float | None]]) -> float | None:
    """CPU the HTTP path spends beyond the library call: the client's HTTP request plus the server's
    whole request (its own tool call included), minus the library call."""
    server = cpu["http"]["server_cpu_ms"]
    client, library = cpu["http"]["client_cpu_ms"], cpu["library"]["client_cpu_ms"]
    if server is None or client is None or library is None:
        return None
    return round(client + server - library, 3)


def _server_added_cpu(cpu: dict[str, dict[str, float | None]]) -> float | None:
    """CPU the server spends per request beyond the library call itself (no client cost counted)."""
    server, library = cpu["http"]["server_cpu_ms"], cpu["library"]["client_cpu_ms"]
    return None if server is None or library is None else round(server - library, 3)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--database-url", help="the service's database (default: a SQLite file)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp, sandbox_process(0.001) as root:
        portals = [
            httpx.post(
                f"{root}/_sandbox/hubspot/portals", json={"seed": 1, "contacts": 50, "tier": "enterprise"}
            )
            .raise_for_status()
            .json()
            for _ in range(2)
        ]
        contact_id = (
            httpx.get(
                f"{portals[0]['base_url']}/crm/v3/objects/contacts",
                params={"limit": 1},
                headers={"Authorization": f"Bearer {portals[0]['private_app_token']}"},
            )
            .raise_for_status()
            .json()["results"][0]["id"]
        )
        env = {
            **os.environ,
            "CRMBRIDGE_HOME": tmp,
            "CRMBRIDGE_DATABASE_URL": args.database_url or f"sqlite:///{Path(tmp) / 'service.db'}",
            "CRMBRIDGE_SECRET_KEYS": Vault.generate_key(),
            "CRMBRIDGE_RATE_LIMIT_SCALE": "0.001",
        }
        env.pop("CRMBRIDGE_REDIS_URL", None)
        _cli(env, "tenants", "create", "bench")
        key = _cli(env, "api-keys", "create", "--tenant", "bench", "--scopes", "admin").strip()
        bridge = Bridge(
            database_url=f"sqlite:///{Path(tmp) / 'library.db'}", data_dir=tmp, rate_limit_scale=0.001
        )
        bridge.add_connection("hubspot", provider="hubspot", base_url=portals[1]["base_url"])
        bridge.connect_api_key(
            connection_name="hubspot", identifier="bench", api_key=portals[1]["private_app_token"]
        )

        async def measure(url: str, pid: int) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {key}"}
            async with httpx.AsyncClient(base_url=url, headers=headers) as client:
                library, http = _library_call(bridge, contact_id), _http_call(client, contact_id)
                samples = await side_by_side({"library": library, "http": http}, args.rounds)
                cpu = {
                    "library": await cpu_per_call(library, args.rounds, None),
                    "http": await cpu_per_call(http, args.rounds, pid),
                }
                lib_rate = await throughput(library, args.clients, args.seconds)
                http_rate = await throughput(http, args.clients, args.seconds)
            return {"samples": samples, "cpu": cpu, "library_rps": lib_rate, "one_worker_rps": http_rate}

        with service_process(env, 1) as (url, pid):
            _configure(url, key, portals[0])
            first = asyncio.run(measure(url, pid))

        async def two_workers(url: str) -> float:
            limits = httpx.Limits(max_connections=args.clients)
            headers = {"Authorization": f"Bearer {key}"}
            async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits) as client:
                call = _http_call(client, contact_id)
                for _ in range(20):
                    await call()
                return await throughput(call, args.clients, args.seconds)

        with service_process(env, 2) as (url, _):
            second = asyncio.run(two_workers(url))
        bridge.close()

    library, http = (_stats(first["samples"][name]) for name in ("library", "http"))
    report = {
        "latency": {"library": library, "http": http},
        "http_added_median_ms": round(http["median_ms"] - library["median_ms"], 3),
        "http_added_p99_ms": round(http["p99_ms"] - library["p99_ms"], 3),
        "cpu_per_call_ms": first["cpu"],
        "http_added_cpu_ms": _added_cpu(first["cpu"]),
        # The server alone (its whole request, tool call included, minus the same call in a library):
        # the median difference above also pays for the httpx client's request and loopback, which a
        # caller in another language or on another host pays differently. bench.server_overhead gives the
        # app's own cost without any client.
        "server_added_cpu_ms": _server_added_cpu(first["cpu"]),
        "throughput_rps": {
            "clients": args.clients,
            "library_in_process": first["library_rps"],
            "service_1_worker": first["one_worker_rps"],
            "service_2_workers": second,
        },
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
