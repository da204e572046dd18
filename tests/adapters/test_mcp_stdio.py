"""``crmbridge mcp`` as a real subprocess, driven over stdio by the official MCP client (ClientSession),
against a sandbox on loopback: the account connected by the CLI, then served to the client."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from crmbridge.cli import main

from ..live import LiveSandbox

pytestmark = pytest.mark.anyio

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live_sandbox: LiveSandbox) -> dict[str, str]:
    """A data dir with user ``u1`` connected to a fresh portal; the environment the server runs with."""
    values = {
        "CRMBRIDGE_HOME": str(tmp_path / "home"),
        "CRMBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/m.db",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CRMBRIDGE_SECRET_KEYS", raising=False)
    portal = live_sandbox.new_portal()
    code = main(
        [
            *("connect-api-key", "--connection", "hubspot", "--provider", "hubspot", "--identifier", "u1"),
            *("--api-key", portal["private_app_token"], "--base-url", portal["base_url"]),
        ]
    )
    assert code == 0
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    return {**keep, **values, "PYTHONPATH": SRC}


def _server(env: dict[str, str], *extra: str) -> StdioServerParameters:
    args = ["-m", "crmbridge.cli", "mcp", "--integration", "hubspot", "--identifier", "u1", *extra]
    return StdioServerParameters(command=sys.executable, args=args, env=env)


def _data(result: types.CallToolResult) -> dict[str, Any]:
    assert isinstance(result.structured_content, dict)
    return result.structured_content


async def test_stdio_server_lists_calls_and_refuses(env: dict[str, str]) -> None:
    async with (
        stdio_client(_server(env, "--confirm-writes")) as (read, write),
        ClientSession(read, write) as session,
    ):
        init = await session.initialize()
        assert init.server_info.name == "crmbridge"
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert tools["hubspot_contacts_search"].annotations is not None
        assert tools["hubspot_contacts_search"].annotations.read_only_hint is True
        assert tools["hubspot_deal_create"].annotations is not None
        assert tools["hubspot_deal_create"].annotations.read_only_hint is False

        listed = await session.call_tool("hubspot_contacts_list", {"limit": 3})
        assert listed.is_error is False and len(_data(listed)["data"]["results"]) == 3

        bad = await session.call_tool("hubspot_contact_get", {})
        assert bad.is_error is True and _data(bad)["error"]["code"] == "invalid_input"

        args = {"email": "stdio@example.com"}
        first = _data(await session.call_tool("hubspot_contact_create", args))
        assert first["confirmation_required"] is True
        changed = await session.call_tool(
            "hubspot_contact_create",
            {"email": "other@example.com", "confirmation_token": first["confirmation_token"]},
        )
        assert changed.is_error is True and _data(changed)["error"]["code"] == "confirmation_invalid"
        token = _data(await session.call_tool("hubspot_contact_create", args))["confirmation_token"]
        done = await session.call_tool("hubspot_contact_create", {**args, "confirmation_token": token})
        assert done.is_error is False and _data(done)["data"]["properties"]["email"] == args["email"]

        resources = [str(r.uri) for r in (await session.list_resources()).resources]
        assert "crmbridge://reference/pipelines" in resources
        owners = await session.read_resource("crmbridge://reference/owners")
        content = owners.contents[0]
        assert isinstance(content, types.TextResourceContents) and json.loads(content.text)["reads"]
        assert [p.name for p in (await session.list_prompts()).prompts]


async def test_read_only_and_tool_selection(env: dict[str, str]) -> None:
    server = _server(env, "--read-only", "--tools", "hubspot_contacts_list,hubspot_contact_create")
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        assert [t.name for t in (await session.list_tools()).tools] == ["hubspot_contacts_list"]
        refused = await session.call_tool("hubspot_contact_create", {"email": "x@example.com"})
        assert refused.is_error is True and _data(refused)["error"]["code"] == "unknown_tool"


def test_bad_command_lines_are_usage_errors(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mcp", "--agent", "a1"]) == 2
    assert "no agent 'a1'" in capsys.readouterr().err
    assert main(["mcp", "--agent", "a1", "--confirm-writes"]) == 2
    assert "own policies" in capsys.readouterr().err
    assert main(["mcp", "--integration", "hubspot", "--identifier", "u1", "--tenant", "t"]) == 2
    assert "go with --agent" in capsys.readouterr().err
    assert main(["mcp", "--integration", "hubspot"]) == 2
    assert "--identifier" in capsys.readouterr().err
    assert main(["mcp", "--integration", "hubspot", "--identifier", "nobody"]) == 2
    assert "no account 'nobody'" in capsys.readouterr().err
    assert main(["mcp", "--integration", "nope", "--identifier", "u1"]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["mcp", "--integration", "hubspot", "--identifier", "u1", "--tools", "hubspot_nope"]) == 2
    assert "hubspot_nope" in capsys.readouterr().err
