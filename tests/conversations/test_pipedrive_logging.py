"""Pipedrive has no unique field: a crash after the call log was created is settled by the ledger and
the marker re-check, so the retry finds the log instead of creating a second one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crmbridge.durable import DurableRunner
from crmbridge.store.interactions import InteractionRepository
from crmbridge_sandbox import Sandbox
from tests.conversations.env import Env, build


@pytest.fixture
def env(sandbox: Sandbox, tmp_path: Path, dbos_runner: DurableRunner) -> Iterator[Env]:
    built = build(sandbox, tmp_path, dbos_runner, "pipedrive")
    yield built
    built.crm.close()
    built.bridge.close()


@pytest.mark.parametrize("channel", ["voice", "chat"])
def test_a_crash_after_the_write_leaves_one_record(
    env: Env, monkeypatch: pytest.MonkeyPatch, channel: str
) -> None:
    r = env.crm.post("/api/v2/persons", json={"name": "Ann", "phones": [{"value": "+44 20 7946 0958"}]})
    person = int(r.json()["data"]["id"])
    env.conversations.region = "GB"
    env.conversations.set_writeback(env.tenant, "pipedrive", "summary")
    real = InteractionRepository.update
    crashed: list[bool] = []

    def crash_once(self: InteractionRepository, tenant: str, ix: str, **fields: Any) -> Any:
        if fields.get("crm_record_id") and not crashed:
            crashed.append(True)
            raise RuntimeError("simulated crash")
        return real(self, tenant, ix, **fields)

    monkeypatch.setattr(InteractionRepository, "update", crash_once)
    cid = env.start(channel, phone="020 7946 0958")
    env.end(cid, transcript=[{"role": "caller", "text": "Hello"}], summary="Greeting only.")
    done = env.wait(cid)
    assert crashed and done["status"] == "logged", done
    if channel == "voice":
        rows = env.crm.get("/v1/callLogs", params={"limit": 50}).json()["data"]
        assert len(rows) == 1 and rows[0]["id"] == done["crmRecordId"] and rows[0]["person_id"] == person
    else:
        notes = env.crm.get("/v1/notes", params={"person_id": person}).json()["data"]
        mine = [n for n in notes if "Greeting only." in n["content"]]
        assert len(mine) == 1 and str(mine[0]["id"]) == done["crmRecordId"]
