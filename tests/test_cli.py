"""The ``crmbridge`` command line: catalog browsing, tool calls against a sandbox on loopback, keys."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crmbridge.adapters import openai_tools
from crmbridge.cli import build_parser, main
from crmbridge.engine import tool_definition
from crmbridge.providers import builtin
from crmbridge.vault import Vault

from .live import LiveSandbox

HUBSPOT = [t.name for t in builtin("hubspot").tools]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command's default data dir is the test's; no key or database from the environment."""
    monkeypatch.setenv("CRMBRIDGE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CRMBRIDGE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRMBRIDGE_SECRET_KEYS", raising=False)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/cli.db"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_tools_list_prints_one_line_per_tool(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tools", "list", "--provider", "hubspot")
    assert code == 0
    rows = [line.split() for line in out.splitlines()]
    assert [r[0] for r in rows] == HUBSPOT
    kinds = dict((r[0], r[1]) for r in rows)
    assert kinds["hubspot_contact_get"] == "read" and kinds["hubspot_contact_create"] == "write"
    assert kinds["hubspot_record_archive"] == "delete"


def test_tools_list_json_and_vendor_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tools", "list", "--provider", "hubspot", "--json")
    assert code == 0
    assert json.loads(out) == [tool_definition(t) for t in builtin("hubspot").tools]
    code, out, _ = run(capsys, "tools", "list", "--provider", "hubspot", "--format", "openai", "--strict")
    assert code == 0 and json.loads(out) == openai_tools(builtin("hubspot").tools, strict=True)
    code, out, _ = run(capsys, "tools", "list")
    assert code == 0 and len(out.splitlines()) == len(HUBSPOT) + len(builtin("pipedrive").tools)


def test_tools_show_explains_a_tool_with_a_working_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tools", "show", "hubspot_deal_create")
    assert code == 0
    tool = next(t for t in builtin("hubspot").tools if t.name == "hubspot_deal_create")
    for part in (
        tool.description.split(".")[0],
        "annotations:",
        "scopes:",
        *tool.scopes,
        "input schema:",
        "example input:",
    ):
        assert part in out
    command = out.strip().splitlines()[-1].strip()
    assert command.startswith("crmbridge tools call hubspot_deal_create --identifier USER_ID --input '")
    code, out, _ = run(capsys, "tools", "show", "hubspot_record_update", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["name"] == "hubspot_record_update" and "scopes" in shown
    assert shown["example"]["properties"]  # generated: required fields, minProperties honoured


def test_usage_errors_exit_2_with_a_readable_message(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = run(capsys, "tools", "show", "hubspot_contact_gte")
    assert code == 2 and "Did you mean: hubspot_contact_get" in err
    code, _, err = run(capsys, "tools", "call", "hubspot_contact_get", "--input", "{}")
    assert code == 2 and "--identifier" in err
    code, _, err = run(
        capsys, "tools", "call", "hubspot_contact_get", "--identifier", "u", "--input", "{nope"
    )
    assert code == 2 and "--input is not valid JSON" in err
    code, _, err = run(capsys, "tools", "call", "hubspot_contact_get", "--identifier", "u", "--input", "[1]")
    assert code == 2 and "must be a JSON object" in err
    code, _, err = run(
        capsys, "tools", "call", "hubspot_contact_get", "--identifier", "u", "--database-url", "nope://"
    )
    assert code == 2 and "cannot open the database" in err
    code, _, err = run(
        capsys,
        "connect-api-key",
        "--connection",
        "crm",
        "--identifier",
        "u",
        "--api-key",
        "k",
        "--database-url",
        db,
    )
    assert code == 2 and "--provider is needed" in err
    assert run(capsys, "tools")[0] == 2
    assert run(capsys, "--help")[0] == 0


def connect(
    capsys: pytest.CaptureFixture[str], live_sandbox: LiveSandbox, db: str, identifier: str = "rep_1"
) -> dict[str, Any]:
    portal = live_sandbox.new_portal()
    code, out, err = run(
        capsys,
        *("connect-api-key", "--connection", "hubspot", "--provider", "hubspot", "--identifier", identifier),
        *("--api-key", portal["private_app_token"], "--base-url", portal["base_url"], "--database-url", db),
    )
    assert code == 0, err
    assert out.strip() == f"{identifier} on hubspot (hubspot): ACTIVE"
    return portal


def test_tools_call_end_to_end_against_a_sandbox_on_loopback(
    capsys: pytest.CaptureFixture[str], live_sandbox: LiveSandbox, db: str
) -> None:
    portal = connect(capsys, live_sandbox, db)
    tool_input = json.dumps({"email": "ada@lovelace.example", "firstname": "Ada", "jobtitle": "Analyst"})
    code, out, err = run(
        capsys,
        "tools",
        "call",
        "hubspot_contact_create",
        "--identifier",
        "rep_1",
        "--input",
        tool_input,
        "--database-url",
        db,
    )
    assert code == 0, err
    assert out.startswith("{\n  ")  # pretty JSON
    created = json.loads(out)
    assert created["ok"] is True
    headers = {"Authorization": f"Bearer {portal['private_app_token']}"}
    r = live_sandbox.control.get(
        f"/hubspot/crm/v3/objects/contacts/{created['data']['id']}?properties=jobtitle", headers=headers
    )
    assert r.json()["properties"]["jobtitle"] == "Analyst"

    code, out, err = run(
        capsys,
        "tools",
        "call",
        "hubspot_contact_get",
        "--identifier",
        "rep_1",
        "--input",
        '{"contact_id": "987654321"}',
        "--database-url",
        db,
    )
    assert code == 1
    assert json.loads(out)["error"]["code"] == "not_found"
    assert "hubspot_contact_get failed: not_found" in err
    assert portal["private_app_token"] not in out + err


def test_environment_database_url_stdin_inputs_and_raw(
    capsys: pytest.CaptureFixture[str],
    live_sandbox: LiveSandbox,
    db: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CRMBRIDGE_DATABASE_URL", db)
    portal = live_sandbox.new_portal()
    monkeypatch.setattr(sys, "stdin", io.StringIO(portal["private_app_token"] + "\n"))
    argv = ("connect-api-key", "--connection", "hubspot", "--identifier", "rep_2", "--api-key", "-")
    code, _, err = run(capsys, *argv, "--provider", "hubspot", "--base-url", portal["base_url"])
    assert code == 0, err
    (tmp_path / "in.json").write_text('{"query": "John Smith", "limit": 1}')
    code, out, err = run(
        capsys,
        "tools",
        "call",
        "hubspot_contacts_search",
        "--identifier",
        "rep_2",
        "--input",
        f"@{tmp_path / 'in.json'}",
        "--raw",
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["data"]["results"][0]["properties"]["firstname"] == "John"
    assert "results" in result["raw"]
    # Same connection again without --provider: its provider is known; invalid input is a tool error.
    code, _, err = run(capsys, *argv[:5], "--api-key", portal["private_app_token"])
    assert code == 0, err
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"limit": "many"}'))
    code, out, err = run(
        capsys, "tools", "call", "hubspot_contacts_search", "--identifier", "rep_2", "--input", "-"
    )
    assert code == 1 and json.loads(out)["error"]["field"] == "limit"


def test_keys_generate_and_rotate(
    capsys: pytest.CaptureFixture[str], db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, "keys", "generate")
    assert code == 0 and re.fullmatch(r"k\d{8}[0-9a-f]{6}:[A-Za-z0-9_-]{43}\n", out) and "keys rotate" in err
    old = out.strip()
    new = Vault.generate_key()
    monkeypatch.setenv("CRMBRIDGE_SECRET_KEYS", old)
    argv = (
        "connect-api-key",
        "--connection",
        "hubspot",
        "--provider",
        "hubspot",
        "--identifier",
        "u",
        "--api-key",
    )
    assert run(capsys, *argv, "pat-na1-11111111-2222-3333-4444-555555555555", "--database-url", db)[0] == 0

    monkeypatch.setenv("CRMBRIDGE_SECRET_KEYS", f"{new},{old}")
    code, out, _ = run(capsys, "keys", "rotate", "--database-url", db)
    new_id = new.split(":")[0]
    assert code == 0 and out.strip() == f"re-encrypted 1 secret(s) under key {new_id}"
    assert run(capsys, "keys", "rotate", "--database-url", db)[1].startswith("re-encrypted 0 secret(s)")

    # The old key can go: the stored token still opens with the new one alone.
    monkeypatch.setenv("CRMBRIDGE_SECRET_KEYS", new)
    from crmbridge import Bridge

    with Bridge(db) as bridge:
        record = bridge.store.accounts.get(bridge.tenant_id, "hubspot", "u")
        assert record is not None and record.credentials == {
            "api_key": "pat-na1-11111111-2222-3333-4444-555555555555"
        }


def test_sandbox_command_is_still_wired() -> None:
    args = build_parser().parse_args(["sandbox", "--port", "0", "--seed", "3"])
    assert args.func.__name__ == "_sandbox_command" and args.seed == 3


def test_module_entry_point(tmp_path: Path) -> None:
    env = {**os.environ, "CRMBRIDGE_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "crmbridge.cli", "tools", "show", "hubspot_contact_gte"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2 and "hubspot_contact_get" in proc.stderr
