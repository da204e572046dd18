"""A process killed while a delivery waits out its backoff: the next process resumes it, and the
receiver gets it exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crmbridge.store import Store
from crmbridge.vault import Vault
from tests.webhooks.receiver import running_receiver

ROOT = Path(__file__).resolve().parents[2]


def _child(mode: str, store_url: str, system_url: str, key: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TEST_VAULT_KEY": key, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.webhooks.restart_child", mode, store_url, system_url, *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_a_killed_process_delivery_completes_once_after_restart(tmp_path: Path) -> None:
    key = Vault.generate_key()
    store_url = f"sqlite:///{tmp_path / 'crmbridge.db'}"
    system_url = f"sqlite:///{tmp_path / 'crmbridge.dbos.sqlite'}"
    with running_receiver([503] * 1000) as receiver, Store.open(store_url, Vault.from_string(key)) as store:
        store.webhooks.save_endpoint(
            "t1", receiver.url, ["account.status_changed"], lambda: "whsec_t", rotate=False
        )
        first = _child("emit", store_url, system_url, key)
        try:
            assert first.stdout is not None
            delivery_id = first.stdout.readline().strip()
            assert delivery_id.startswith("whd_"), first.stderr.read() if first.stderr else ""
            deadline = time.monotonic() + 20
            while (found := store.webhooks.get_delivery("t1", delivery_id)) is None or found.attempts < 1:
                assert time.monotonic() < deadline, "no attempt before the kill"
                time.sleep(0.01)
        finally:
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=10)
        receiver.answers.clear()  # the receiver is back
        second = _child("resume", store_url, system_url, key, delivery_id)
        _out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err[-2000:]
        delivery = store.webhooks.get_delivery("t1", delivery_id)
    assert delivery is not None and delivery.status == "delivered"
    assert receiver.seen == {delivery_id: 1}
    assert [a.status_code for a in delivery.attempt_log][-1] == 200
    assert all(a.status_code == 503 for a in delivery.attempt_log[:-1])
