"""``crmbridge sandbox --state PATH`` as a user runs it: stop it with Ctrl+C, start it again, and the same
tokens are printed and the data written in between is still there."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from crmbridge.cli import main


@contextmanager
def cli_sandbox(*args: str) -> Iterator[tuple[str, str]]:
    """Run the command until the block ends (then Ctrl+C); yields its banner and its real root URL."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    command = [sys.executable, "-m", "crmbridge.cli", "sandbox", "--port", "0", "--log-level", "info", *args]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        try:
            banner, line = "", ""
            while not line.startswith("State:"):  # the banner's last line
                line = proc.stdout.readline()
                assert line, f"the sandbox stopped before its banner: {proc.stderr.read()}"
                banner += line
            found = re.search(r"on (http://\S+)", banner)  # the first line names the real address
            assert found, banner
            root = found.group(1)
            deadline = time.monotonic() + 20
            while True:  # the socket is bound before the banner; wait until the app answers
                try:
                    httpx.get(f"{root}/_sandbox/requests", timeout=1.0)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                    time.sleep(0.05)
            yield banner, root
        finally:
            proc.send_signal(signal.SIGINT)
            # Ctrl+C ends the command with 130 (the shell's code for SIGINT) after a clean shutdown.
            assert proc.wait(timeout=30) in (0, 130), proc.stderr.read()


def _token(banner: str, label: str) -> str:
    found = re.search(rf"{label}\s+(\S+)", banner)
    assert found, banner
    return found.group(1)


@pytest.mark.slow
def test_a_restarted_sandbox_prints_the_same_tokens_and_keeps_its_records(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.state"
    with cli_sandbox("--state", str(state), "--seed", "5") as (banner, root):
        assert f"State: saved in {state}" in banner
        private = _token(banner, "private-app token")
        r = httpx.post(
            f"{root}/hubspot/crm/v3/objects/contacts",
            json={"properties": {"email": "across@restart.example"}},
            headers={"Authorization": f"Bearer {private}"},
        )
        assert r.status_code == 201, r.text
    with cli_sandbox("--state", str(state), "--seed", "5") as (again, root):
        assert f"State: restored from {state}" in again
        assert _token(again, "private-app token") == private
        assert _token(again, "API token") == _token(banner, "API token")
        r = httpx.get(
            f"{root}/hubspot/crm/v3/objects/contacts/across@restart.example",
            params={"idProperty": "email"},
            headers={"Authorization": f"Bearer {private}"},
        )
        assert r.status_code == 200, r.text


@pytest.mark.slow
def test_without_state_the_banner_says_it_is_in_memory() -> None:
    with cli_sandbox() as (banner, _):
        assert "State: in memory only" in banner and "--state PATH" in banner


def test_a_state_file_it_cannot_use_stops_the_command_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "notes.txt"
    state.write_text("my notes\n")
    assert main(["sandbox", "--port", "0", "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert f"sandbox state file {state}: is not a sandbox state file" in err
    assert state.read_text() == "my notes\n"  # left alone
