"""Interaction logging against the account's write ceiling, side by side with bare CRM writes.

One run, one Pipedrive sandbox (growth plan, API token: 40 requests per rolling 2-second window, the
sandbox's real windows unless ``--scale`` shortens them) served as its own process on a loopback port,
each measured client on its own company so that neither spends the other's window:

* **backlog drain**: ``--interactions`` voice conversations (caller verified, logging on) are ended while
  no worker runs, so they wait queued in the database; then a worker (``Conversations`` on DBOS)
  starts and drains them (``resume_pending``). Figures: interactions per second, the same as a share of
  the account's ceiling (limit / window), CRM requests per interaction, 429s the CRM answered and
  failures surfaced (the goal: ≥ 90 % of the ceiling, 0 surfaced);
* **bare writes**: the same number of ``POST /v1/callLogs`` from a plain ``httpx`` client that waits out
  each 429's ``retry-after`` (the floor of what any client can do under that limit);
* **latency**: ``--latency-rounds`` conversations ended one at a time, each waited on until logged
  (end → logged), next to a single bare ``POST /v1/callLogs``.

Run: ``make bench`` or ``python -m bench.interactions --interactions 1000``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.tool_calls import sandbox_process
from crmbridge import Bridge
from crmbridge.conversations import Conversations
from crmbridge.durable import launch_dbos

#: The sandbox's burst window for a growth-plan company called with an API token.
LIMIT, WINDOW = 40, 2.0
PERSONS = 5


class _Deferred:
    """A durable runner that starts nothing: conversations ended through it stay queued, the backlog a
    worker finds when it (re)starts."""

    def register(self, name: str, workflow: Any) -> None:
        pass

    def start(self, name: str, workflow_id: str, *args: Any) -> None:
        pass

    async def astart(self, name: str, workflow_id: str, *args: Any) -> None:
        pass

    def status(self, workflow_id: str) -> str | None:
        return None


class _Logged:
    """``interaction.logged`` / ``interaction.failed`` events with the time they arrived."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.failed: list[dict[str, Any]] = []
        self._changed = threading.Condition()

    def __call__(self, tenant: str, event: str, data: dict[str, Any], key: str) -> None:
        with self._changed:
            if event == "interaction.logged":
                self.at[str(data["interactionId"])] = time.perf_counter()
            else:
                self.failed.append(data)
            self._changed.notify_all()

    def wait(self, count: int, timeout: float) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.at) + len(self.failed) >= count, timeout):
                raise RuntimeError(f"only {len(self.at)} of {count} interactions logged in {timeout:g} s")


def _company(root: str) -> tuple[str, list[int]]:
    made = httpx.post(
        f"{root}/_sandbox/pipedrive/companies", json={"seed": 3, "persons": PERSONS, "plan": "growth"}
    )
    made.raise_for_status()
    token = made.json()["api_token"]
    people = httpx.get(f"{root}/pipedrive/api/v2/persons", headers={"x-api-token": token})
    people.raise_for_status()
    return token, [int(p["id"]) for p in people.json()["data"]]


def _crm_requests(root: str) -> list[dict[str, Any]]:
    got = httpx.get(f"{root}/_sandbox/requests", params={"provider": "pipedrive"}, timeout=30)
    got.raise_for_status()
    requests: list[dict[str, Any]] = got.json()["requests"]
    httpx.delete(f"{root}/_sandbox/requests", timeout=30).raise_for_status()
    return requests


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


class Ours:
    """A Bridge on one company, and ``Conversations`` over it."""

    def __init__(self, root: str, tmp: Path, scale: float) -> None:
        self.token, self.people = _company(root)
        self.bridge = Bridge(
            database_url=f"sqlite:///{tmp / 'bench.db'}", data_dir=tmp, rate_limit_scale=scale
        )
        self.bridge.add_connection("pipedrive", provider="pipedrive", base_url=f"{root}/pipedrive")
        self.bridge.connect_api_key(connection_name="pipedrive", identifier="bench", api_key=self.token)
        self.tenant = self.bridge.tenant_id
        self.agent = str(self.bridge.agents.create_agent("bench", auto_install=False)["id"])
        self.logged = _Logged()
        self.conversations = Conversations(self.bridge.runtime, _Deferred(), on_event=self.logged)
        self.conversations.set_writeback(self.tenant, "pipedrive", "summary")

    def end_one(self, i: int) -> str:
        started = self.bridge.agents.start_conversation(
            self.agent, channel="voice", caller={"phone": f"+1415555{2600 + i % 1000:04d}"}
        )
        person = self.people[i % len(self.people)]
        self.bridge.store.skills.verify_conversation(self.tenant, started["id"], str(person), "bench")
        ended = self.conversations.end(
            self.tenant,
            started["id"],
            {"summary": f"Call {i}: asked about an order.", "durationMs": 60_000, "outcome": "connected"},
        )
        assert ended["status"] == "queued", ended
        return str(ended["interactionId"])

    def start_worker(self, tmp: Path) -> None:
        runner = launch_dbos(
            f"sqlite:///{tmp / 'bench.dbos.sqlite'}", "crmbridge-bench", polling_interval=0.01
        )
        self.runner = runner
        self.conversations = Conversations(self.bridge.runtime, runner, on_event=self.logged)

    def close(self) -> None:
        self.runner.close()
        self.bridge.close()


def drain(ours: Ours, tmp: Path, root: str, n: int, scale: float) -> dict[str, Any]:
    began = time.perf_counter()
    ids = [ours.end_one(i) for i in range(n)]
    queued_in = time.perf_counter() - began
    _crm_requests(root)
    ours.start_worker(tmp)
    start = time.perf_counter()
    ours.conversations.resume_pending()
    ours.logged.wait(n, timeout=60 + 4 * n * WINDOW * scale / LIMIT * 3)
    seconds = max(ours.logged.at[i] for i in ids if i in ours.logged.at) - start
    sent = _crm_requests(root)
    ceiling = LIMIT / (WINDOW * scale)
    rate = len(ours.logged.at) / seconds
    return {
        "interactions": n,
        "queued_in_s": round(queued_in, 2),
        "drained_in_s": round(seconds, 2),
        "interactions_per_s": round(rate, 2),
        "ceiling_requests_per_s": round(ceiling, 2),
        "crm_requests_per_interaction": round(len(sent) / n, 3),
        "share_of_ceiling": round(len(sent) / seconds / ceiling, 3),
        "crm_429s": sum(1 for r in sent if r["status"] == 429),
        "failed_surfaced": len(ours.logged.failed),
        "stats": ours.conversations.writeback(ours.tenant, "pipedrive")["stats"],
    }


def _call_log(person: int, i: int) -> dict[str, Any]:
    return {
        "person_id": person, "outcome": "connected", "to_phone_number": f"+1415555{2600 + i % 1000:04d}",
        "start_time": "2026-01-01 10:00:00", "end_time": "2026-01-01 10:01:00",
        "subject": f"Call {i}", "note": f"Call {i}: asked about an order.",
    }  # fmt: skip


async def _bare_post(client: httpx.AsyncClient, body: dict[str, Any], scale: float) -> int:
    """One call log, waiting out 429s (``retry-after`` is in whole seconds of the unscaled windows);
    how many 429s it met."""
    refused = 0
    while True:
        r = await client.post("/v1/callLogs", json=body)
        if r.status_code != 429:
            assert r.status_code in (200, 201), r.text
            return refused
        refused += 1
        await asyncio.sleep(float(r.headers.get("retry-after", "1")) * scale)


async def bare(root: str, n: int, scale: float) -> dict[str, Any]:
    token, people = _company(root)
    async with httpx.AsyncClient(
        base_url=f"{root}/pipedrive", headers={"x-api-token": token}, timeout=60
    ) as client:
        start = time.perf_counter()
        refused = 0
        for i in range(n):
            refused += await _bare_post(client, _call_log(people[i % len(people)], i), scale)
        seconds = time.perf_counter() - start
        _crm_requests(root)
        ceiling = LIMIT / (WINDOW * scale)
        return {
            "writes": n,
            "written_in_s": round(seconds, 2),
            "writes_per_s": round(n / seconds, 2),
            "share_of_ceiling": round(n / seconds / ceiling, 3),
            "crm_429s": refused,
        }


async def bare_latency(root: str, rounds: int, pause: float, scale: float) -> list[float]:
    token, people = _company(root)
    samples: list[float] = []
    async with httpx.AsyncClient(
        base_url=f"{root}/pipedrive", headers={"x-api-token": token}, timeout=60
    ) as client:
        for i in range(rounds):
            start = time.perf_counter()
            await _bare_post(client, _call_log(people[0], i), scale)
            samples.append(time.perf_counter() - start)
            await asyncio.sleep(pause)
    return samples


def our_latency(ours: Ours, rounds: int, pause: float) -> list[float]:
    samples: list[float] = []
    for i in range(rounds):
        before = len(ours.logged.at)
        start = time.perf_counter()
        interaction = ours.end_one(10_000 + i)
        ours.logged.wait(before + 1, timeout=60)
        samples.append(ours.logged.at[interaction] - start)
        time.sleep(pause)
    return samples


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interactions", type=int, default=1000)
    parser.add_argument("--latency-rounds", type=int, default=50)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="rate-limit windows this many times as long (1: real)"
    )
    args = parser.parse_args(argv)
    # Sequential rounds stay well under the ceiling: a latency sample never waits on the window.
    pause = WINDOW * args.scale / LIMIT * 2
    with tempfile.TemporaryDirectory() as tmp, sandbox_process(args.scale) as root:
        ours = Ours(root, Path(tmp), args.scale)
        try:
            drained = drain(ours, Path(tmp), root, args.interactions, args.scale)
            ours_latency = our_latency(ours, args.latency_rounds, pause)
        finally:
            ours.close()
        plain = asyncio.run(bare(root, args.interactions, args.scale))
        plain_latency = asyncio.run(bare_latency(root, args.latency_rounds, pause, args.scale))
    report = {
        "backlog_drain": drained,
        "bare_writes": plain,
        "end_to_logged_latency": _percentiles(ours_latency),
        "bare_write_latency": _percentiles(plain_latency),
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
