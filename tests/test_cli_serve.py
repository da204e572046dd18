"""``crmbridge serve``: its sockets are bound before anything is set up, so a busy or bad port is a usage
error that prints nothing else (no key, no traceback), and demo-only flags say so."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from crmbridge.cli import main


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        yield busy.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_public_url_leaks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRMBRIDGE_PUBLIC_URL", raising=False)


def test_a_busy_port_fails_before_anything_starts(busy_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve", "--port", str(busy_port)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert f"port {busy_port} on 127.0.0.1 is already in use" in err


def test_a_busy_sandbox_port_fails_before_a_key_is_printed(
    busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", "--demo", "--port", "0", "--sandbox-port", str(busy_port)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert f"port {busy_port} on 127.0.0.1 is already in use" in err
    assert "crmb_" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sandbox-port", "8601"], "--sandbox-port is for --demo"),
        (["--port", "70000"], "'70000' is not a port"),
        (["--demo", "--sandbox-port", "x"], "'x' is not a port"),
        (["--workers", "0"], "'0' is not a worker count"),
    ],
)
def test_bad_options_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert message in err
    assert "Traceback" not in err
