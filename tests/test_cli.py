"""The ``crmbridge`` command line: catalog browsing, tool calls against a sandbox on loopback, keys."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import crmbridge
from crmbridge.adapters import openai_tools
from crmbridge.cli import build_parser, main
from crmbridge.cli.common import cli_words
from crmbridge.engine import tool_definition
from crmbridge.providers import builtin, default_catalog
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
    assert command.startswith("crmbridge tools call hubspot_deal_create --identifier me --input '")
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
    key = "pat-na1-11111111-2222-3333-4444-555555555555"
    code, _, err = run(capsys, *argv, key, "--database-url", db, "--no-check")  # offline: not tried
    assert code == 0 and "saved unchecked" in err

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


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"crmbridge {crmbridge.__version__}"


def _parsers(parser: argparse.ArgumentParser, path: str = "crmbridge") -> Iterator[tuple[str, Any]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield f"{path} {name}", helps.get(name)
                yield from _parsers(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction | argparse._VersionAction):
            yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help


def test_every_command_and_option_has_help() -> None:
    entries = list(_parsers(build_parser()))
    assert len(entries) > 40
    assert [name for name, text in entries if not text] == []


@pytest.mark.parametrize("tool", [t.name for t in default_catalog().tools()])
def test_every_printed_example_runs_as_printed(capsys: pytest.CaptureFixture[str], tool: str) -> None:
    """The command `tools show` prints passes validation, with no placeholder left to fill in."""
    code, out, _ = run(capsys, "tools", "show", tool)
    assert code == 0
    argv = shlex.split(out.strip().splitlines()[-1])
    assert argv[:5] == ["crmbridge", "tools", "call", tool, "--identifier"] and argv[6] == "--input"
    example = json.loads(argv[7])
    assert not re.search(r"<[^>]*>|USER_ID|\bTODO\b|\.\.\.|…", out.split("example input:")[1]), out
    catalog = default_catalog()
    assert catalog.schema(catalog.tool(tool)).parse(example) is not None


def test_cli_errors_name_flags_not_python_arguments() -> None:
    assert cli_words("pass connection_name=… to pick one.") == "pass --connection NAME to pick one."
    assert cli_words("api_key is empty.") == "--api-key is empty."
    assert cli_words("identifier must be a non-empty string") == "--identifier must be a non-empty string"
    assert (
        cli_words("or pass delete_accounts=True to delete them") == "or pass --delete-accounts to delete them"
    )
    assert cli_words("check the connection's base_url (or api_domain), or pass check=False") == (
        "check the connection's --base-url (or --api-domain), or pass --no-check"
    )
    assert cli_words("add it with add_connection(...). Known: a.") == (
        "add it with `crmbridge connect-api-key --provider PROVIDER`. Known: a."
    )
    assert (
        cli_words(
            "Replace it: connect_api_key(connection_name='h', identifier='u', api_key=…) or `crmbridge connect-api-key "
            "--connection h`."
        )
        == "Replace it: `crmbridge connect-api-key --connection h`."
    )
    assert cli_words("an identifier like that") == "an identifier like that"


def test_an_unknown_connection_is_named_in_cli_words(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = run(
        capsys, "tools", "call", "hubspot_contacts_list", "--identifier", "u", "--database-url", db
    )
    assert code == 1 and "add one with `crmbridge connect-api-key --provider PROVIDER`" in err
    assert "add_connection" not in err
    code, _, err = run(capsys, "accounts", "list", "--connection", "nope", "--database-url", db)
    assert code == 2 and "no connection named 'nope'" in err and "add_connection" not in err


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`crmbridge tools list --json | head -1`: the reader goes away; no traceback, SIGPIPE's exit code."""
    env = {**os.environ, "CRMBRIDGE_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "crmbridge.cli", "tools", "list", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().strip() == b"["
    proc.stdout.close()  # the definitions are far larger than the pipe's buffer: the next write fails
    with proc.stderr:
        stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert stderr == ""
