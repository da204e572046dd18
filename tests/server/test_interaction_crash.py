"""Interaction logging survives SIGKILL (issue 13's crash test): 200 conversations are ended through real
``crmbridge serve`` processes with logging on, the worker draining them is SIGKILLed at three random
points and started again, and in the end every interaction is in the sandbox CRM exactly once (counted by
the marker line carrying its interaction id), none lost, none failed.

Run on SQLite with one worker, and on Postgres with two workers (distinct ``CRMBRIDGE_EXECUTOR_ID``s, one
Redis) draining concurrently while each in turn is killed. The sandbox runs with rate-limit windows 50x
shorter and the workers are told so, so a drain takes seconds; while the kills are under way its calls are
paced by added latency, so that every kill lands mid-drain however fast the machine is.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from crmbridge.vault import Vault
from crmbridge_sandbox import Sandbox
from crmbridge_sandbox.pipedrive.calllogs import table_of
from crmbridge_sandbox.server import serve_in_thread
from tests.dbutil import temporary_postgres_database

from .service_processes import RestartableWorker, cli, process_env, require_redis

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SCALE = 0.02
CONVERSATIONS = 200
KILLS = 3
PERSONS = 10
PACE_LATENCY_MS = 150
RESTART_LATENCY_MS = 500
MARKER = re.compile(r"crmbridge interaction ([0-9A-Za-z_-]+)")


@dataclass
class Cluster:
    sandbox: Sandbox
    workers: list[RestartableWorker]
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@contextmanager
def _dbos_database_dropped(db_url: str) -> Iterator[None]:
    """DBOS creates ``<db>_dbos`` beside the store's database: drop it too when the test ends."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    try:
        yield
    finally:
        url = make_url(db_url)
        admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            name = sql.Identifier(f"{url.database}_dbos")
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


@contextmanager
def cluster(home: Path, backend: str) -> Iterator[Cluster]:
    sandbox = Sandbox(rate_window_scale=SCALE)
    with ExitStack() as stack:
        root = stack.enter_context(serve_in_thread(sandbox))
        variables = {
            "CRMBRIDGE_HOME": str(home),
            "CRMBRIDGE_SECRET_KEYS": Vault.generate_key(),
            "CRMBRIDGE_RATE_LIMIT_SCALE": str(SCALE),
        }
        count = 1
        if backend == "postgres":
            db_url = stack.enter_context(temporary_postgres_database())
            stack.enter_context(_dbos_database_dropped(db_url))
            variables.update(CRMBRIDGE_DATABASE_URL=db_url, CRMBRIDGE_REDIS_URL=require_redis())
            count = 2
        env = process_env(**variables)
        cli(env, "tenants", "create", "acme")
        key = cli(env, "api-keys", "create", "--tenant", "acme", "--scopes", "admin").strip()
        workers = [
            RestartableWorker({**env, "CRMBRIDGE_EXECUTOR_ID": f"worker{i}"}, home, f"worker{i}")
            for i in range(count)
        ]
        for worker in workers:
            stack.callback(worker.stop)
            worker.start()
        built = Cluster(sandbox, workers, key)
        _connect(built, root)
        yield built


def _connect(c: Cluster, root: str) -> None:
    """A Pipedrive company with ``PERSONS`` people, connected by API key, logging on (with transcripts)."""
    url = c.workers[0].url
    company = httpx.post(f"{root}/_sandbox/pipedrive/companies", json={"seed": 13, "persons": 0, "deals": 0})
    company.raise_for_status()
    token = company.json()["api_token"]
    for i in range(PERSONS):
        made = httpx.post(
            f"{root}/pipedrive/api/v2/persons",
            headers={"x-api-token": token},
            json={"name": f"Caller {i}", "phones": [{"value": _phone(i), "primary": True}]},
        )
        assert made.status_code in (200, 201), made.text
    calls = [
        ("PUT", "/integrations/pipedrive", {"auth": "api_key", "baseUrl": f"{root}/pipedrive"}),
        ("POST", "/integrations/pipedrive/connect", {"identifier": "u1", "apiKey": token}),
        ("PATCH", "/integrations/pipedrive/writeback", {"mode": "summary_transcript"}),
    ]
    for method, path, body in calls:
        r = httpx.request(method, f"{url}{path}", headers=c.headers, json=body, timeout=30)
        assert r.status_code == 200, r.text


def _phone(i: int) -> str:
    return f"+1415555{2600 + i:04d}"


async def _end_all(c: Cluster) -> dict[str, str]:
    """Start and end ``CONVERSATIONS`` conversations (alternately voice and chat, spread over the
    workers, 10 at a time); conversation id → interaction id."""
    async with httpx.AsyncClient(headers=c.headers, timeout=60) as client:
        made = await client.post(f"{c.workers[0].url}/agents", json={"name": "desk", "autoInstall": False})
        assert made.status_code == 201, made.text
        agent = made.json()["id"]
        gate = asyncio.Semaphore(10)

        async def one(i: int) -> tuple[str, str]:
            url = c.workers[i % len(c.workers)].url
            channel = "voice" if i % 2 == 0 else "chat"
            async with gate:
                started = await client.post(
                    f"{url}/agents/{agent}/conversations",
                    json={"channel": channel, "caller": {"phone": _phone(i % PERSONS)}},
                )
                assert started.status_code == 201, started.text
                cid = started.json()["id"]
                ended = await client.post(
                    f"{url}/conversations/{cid}/end",
                    json={
                        "summary": f"Conversation {i} about an order.",
                        "transcript": [
                            {"role": "caller", "text": f"Hello, this is call {i}."},
                            {"role": "agent", "text": "Thanks, noted."},
                        ],
                        "durationMs": 1000 + i,
                    },
                )
                assert ended.status_code == 202 and ended.json()["status"] == "queued", ended.text
                return cid, str(ended.json()["interactionId"])

        return dict(await asyncio.gather(*(one(i) for i in range(CONVERSATIONS))))


def _stats(c: Cluster, worker: RestartableWorker) -> dict[str, int]:
    r = httpx.get(f"{worker.url}/integrations/pipedrive/writeback", headers=c.headers, timeout=30)
    assert r.status_code == 200, r.text
    stats: dict[str, int] = r.json()["stats"]
    return stats


@contextmanager
def _paced_crm(c: Cluster, latency_ms: float) -> Iterator[None]:
    """Every Pipedrive call takes ``latency_ms`` longer inside the block (the previous pace after it).

    The drain is paced while the kills are under way, so that how fast this machine happens to be never
    decides whether a kill lands mid-way: the ending of 200 conversations outruns a paced drain, and a
    worker still running cannot finish the rest in the seconds a killed one takes to restart."""
    faults = c.sandbox.ctx.faults
    before = faults.plan_for("pipedrive")
    faults.configure({"pipedrive": {"latency_ms": latency_ms}}, ("hubspot", "pipedrive"))
    try:
        yield
    finally:
        restore = {"pipedrive": {"latency_ms": before.latency_ms}} if before else {}
        faults.configure(restore, ("hubspot", "pipedrive"))


def _kill_at_random_points(c: Cluster, rng: random.Random) -> list[int]:
    """SIGKILL a worker (each in turn) once ``logged`` passes each of ``KILLS`` random thresholds, plus
    a random fraction of a second; start it again at once. The ``logged`` counts seen at each kill."""
    thresholds = sorted(rng.sample(range(CONVERSATIONS // 10, CONVERSATIONS * 7 // 10), KILLS))
    seen: list[int] = []
    for n, threshold in enumerate(thresholds):
        victim = c.workers[n % len(c.workers)]
        deadline = time.monotonic() + 120
        while (logged := _stats(c, victim)["logged"]) < threshold:
            assert time.monotonic() < deadline, f"logging stalled below {threshold}: {_stats(c, victim)}"
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.2))
        with _paced_crm(c, RESTART_LATENCY_MS):
            victim.kill()
            seen.append(logged)
            victim.start()
    return seen


def _drained(c: Cluster) -> dict[str, int]:
    deadline = time.monotonic() + 120
    while True:
        stats = _stats(c, c.workers[0])
        if stats["pending"] == 0 or time.monotonic() > deadline:
            return stats
        time.sleep(0.1)


def _markers_in_sandbox(sandbox: Sandbox) -> dict[str, list[str]]:
    """Interaction id → the ids of the sandbox records (call logs, notes) whose text carries its marker."""
    found: dict[str, list[str]] = {}
    for company in sandbox.pipedrive.companies.values():
        records: list[tuple[str, Any]] = [("call", r) for r in table_of(company).live()]
        notes = company.tables.get("notes")
        if notes is not None:
            records += [("note", r) for r in notes.live()]
        for kind, row in records:
            text = str(row.get("note") or row.get("content") or "")
            for interaction_id in MARKER.findall(text):
                found.setdefault(interaction_id, []).append(f"{kind}:{row['id']}")
    return found


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_every_interaction_is_logged_exactly_once_across_three_sigkills(backend: str, tmp_path: Path) -> None:
    rng = random.Random(f"issue-13-{backend}")
    with cluster(tmp_path, backend) as c:
        began = time.monotonic()
        with _paced_crm(c, PACE_LATENCY_MS):
            interactions = asyncio.run(_end_all(c))
            assert len(set(interactions.values())) == CONVERSATIONS
            kills = _kill_at_random_points(c, rng)
        stats = _drained(c)
        elapsed = time.monotonic() - began
        statuses = {
            cid: httpx.get(f"{c.workers[0].url}/conversations/{cid}", headers=c.headers, timeout=30).json()
            for cid in interactions
        }
    assert sum(w.starts for w in c.workers) == len(c.workers) + KILLS
    assert all(0 < k < CONVERSATIONS for k in kills), f"a kill was not mid-way: {kills}"
    assert stats == {"logged": CONVERSATIONS, "skippedNoMatch": 0, "failed": 0, "pending": 0}, stats
    in_crm = _markers_in_sandbox(c.sandbox)
    twice = {i: r for i, r in in_crm.items() if len(r) > 1}
    assert twice == {}, f"logged more than once: {twice}"
    assert set(in_crm) == set(interactions.values()), "an interaction is missing from the CRM"
    for cid, body in statuses.items():
        ix = body["interaction"]
        assert ix["status"] == "logged", ix
        assert in_crm[interactions[cid]][0].split(":")[1] == str(ix["crmRecordId"]), (
            ix,
            in_crm[ix["interactionId"]],
        )
    print(f"\n{backend}: {CONVERSATIONS} interactions, kills at logged={kills}, drained in {elapsed:.1f} s")
