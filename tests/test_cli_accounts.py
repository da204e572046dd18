"""``crmbridge accounts`` and ``crmbridge connections`` against a sandbox on loopback, and
``connect-api-key`` trying the key before saying ACTIVE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmbridge.cli import main

from .live import LiveSandbox


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMBRIDGE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CRMBRIDGE_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.delenv("CRMBRIDGE_SECRET_KEYS", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _connect(
    capsys: pytest.CaptureFixture[str], portal: dict[str, str], identifier: str
) -> tuple[int, str, str]:
    return run(
        capsys,
        *("connect-api-key", "--connection", "hubspot", "--provider", "hubspot", "--identifier", identifier),
        *("--api-key", portal["private_app_token"], "--base-url", portal["base_url"]),
    )


def test_connect_api_key_refuses_a_key_the_crm_refuses(
    capsys: pytest.CaptureFixture[str], live_sandbox: LiveSandbox
) -> None:
    portal = live_sandbox.new_portal()
    wrong = {**portal, "private_app_token": "pat-na1-00000000-0000-0000-0000-000000000000"}
    code, out, err = _connect(capsys, wrong, "rep_1")
    assert code == 2 and out == ""
    assert "HubSpot refused this API key (401)" in err and "Nothing was saved" in err
    assert wrong["private_app_token"] not in err
    code, out, _ = run(capsys, "accounts", "list", "--json")
    assert code == 0 and json.loads(out) == []


def test_accounts_and_connections_from_list_to_removal(
    capsys: pytest.CaptureFixture[str], live_sandbox: LiveSandbox
) -> None:
    portal = live_sandbox.new_portal()
    assert run(capsys, "accounts", "list")[1].strip() == "no connected accounts"
    assert run(capsys, "connections", "list")[1].strip() == "no connections"
    for identifier in ("rep_1", "rep_2"):
        code, out, err = _connect(capsys, portal, identifier)
        assert code == 0 and out.strip() == f"{identifier} on hubspot (hubspot): ACTIVE", err

    code, out, _ = run(capsys, "accounts", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "CONNECTION",
        "IDENTIFIER",
        "PROVIDER",
        "STATUS",
        "STATUS_REASON",
    ]
    assert [line.split()[:4] for line in lines[1:]] == [
        ["hubspot", "rep_1", "hubspot", "ACTIVE"],
        ["hubspot", "rep_2", "hubspot", "ACTIVE"],
    ]
    code, out, _ = run(capsys, "connections", "list", "--json")
    assert code == 0 and [(c["name"], c["auth"], c["accounts"]) for c in json.loads(out)] == [
        ("hubspot", "api_key", 2)
    ]

    code, out, _ = run(capsys, "accounts", "disconnect", "--connection", "hubspot", "--identifier", "rep_1")
    assert code == 0 and out.startswith("rep_1 on hubspot: disconnected: the API key was erased here")
    code, out, _ = run(capsys, "accounts", "list", "--connection", "hubspot", "--json")
    assert [(a["identifier"], a["status"]) for a in json.loads(out)] == [
        ("rep_1", "REVOKED"),
        ("rep_2", "ACTIVE"),
    ]
    code, out, err = run(
        capsys, "tools", "call", "hubspot_contacts_list", "--identifier", "rep_1", "--input", '{"limit": 1}'
    )
    assert code == 1 and json.loads(out)["error"]["code"] == "reauthorization_required"

    code, out, _ = run(capsys, "accounts", "delete", "--connection", "hubspot", "--identifier", "rep_1")
    assert code == 0 and out.startswith("rep_1 on hubspot: deleted: ")
    code, _, err = run(capsys, "accounts", "delete", "--connection", "hubspot", "--identifier", "rep_1")
    assert code == 2 and "There is no account 'rep_1' on connection 'hubspot'" in err

    code, _, err = run(capsys, "connections", "remove", "hubspot")
    assert code == 2 and "1 connected account(s) (rep_2)" in err and "--delete-accounts" in err
    assert "delete_accounts" not in err
    code, out, _ = run(capsys, "connections", "remove", "hubspot", "--delete-accounts")
    assert code == 0 and out.splitlines()[0] == "removed connection hubspot and 1 account(s)"
    assert run(capsys, "connections", "list")[1].strip() == "no connections"
    code, _, err = run(capsys, "connections", "remove", "hubspot")
    assert code == 2 and "There is no connection named 'hubspot'" in err
