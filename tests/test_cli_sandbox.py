"""``crmbridge sandbox``: the socket is bound before the banner, so the banner shows the real port and a
bad or busy port fails before any token is printed, without a traceback."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from crmbridge.cli import main


def test_port_0_prints_the_port_it_listens_on(tmp_path: Path) -> None:
    env = {**os.environ, "CRMBRIDGE_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "crmbridge.cli", "sandbox", "--port", "0", "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"on http://127\.0\.0\.1:(\d+)$", first.strip())
        assert match, first
        port = int(match.group(1))
        assert port != 0
        banner = "".join(proc.stdout.readline() for _ in range(4))
        token = re.search(r"private-app token\s+(\S+)", banner)
        assert token, banner
        # The socket listens before the banner: the printed address answers at once.
        response = httpx.get(
            f"http://127.0.0.1:{port}/hubspot/crm/v3/objects/contacts?limit=1",
            headers={"Authorization": f"Bearer {token.group(1)}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        finally:
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


def test_a_busy_port_fails_before_printing_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code = main(["sandbox", "--port", str(port)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert f"port {port} on 127.0.0.1 is already in use" in err and "--port 0" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "99999"], "'99999' is not a port: use 0-65535"),
        (["--port", "-1"], "'-1' is not a port"),
        (["--port", "http"], "'http' is not a port"),
        (["--host", "no such host.invalid"], "--host 'no such host.invalid' is not an address"),
        (["--host", "192.0.2.1"], "cannot listen on 192.0.2.1 port"),
        (["--rate-window-scale", "nan"], "'nan' is not a positive number"),
    ],
)
def test_bad_addresses_are_usage_errors_without_a_traceback(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code = main(["sandbox", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and message in err and "Traceback" not in err
