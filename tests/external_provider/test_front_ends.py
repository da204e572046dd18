"""The outside provider through every front end a user has: ``Bridge(providers=[…])`` and
``execute_tool``, a toolset, the OpenAI adapter, and ``Runtime(providers=[…])`` — over a real socket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmbridge import Bridge, Runtime
from crmbridge.adapters import execute_openai_tool_calls, openai_tools
from crmbridge.vault import Vault

from .notes_api import KEY, NotesApi, serve_on_loopback
from .notes_crm import PROVIDER as NOTES

pytestmark = [pytest.mark.anyio, pytest.mark.network]


def connect(bridge: Bridge, root: str) -> None:
    bridge.add_connection("notes", provider="notes", base_url=root)
    bridge.connect_api_key(connection_name="notes", identifier="u1", api_key=KEY)


def test_execute_tool_toolset_and_openai_adapter(tmp_path: Path) -> None:
    api = NotesApi()
    with serve_on_loopback(api) as root:
        bridge = Bridge(
            f"sqlite:///{tmp_path}/b.db",
            data_dir=tmp_path,
            providers=[NOTES],
            vault=Vault.from_string(Vault.generate_key()),
            entry_points=False,
        )
        try:
            connect(bridge, root)
            assert {"notes_search", "notes_create"} <= {t["name"] for t in bridge.list_tools("notes")}

            created = bridge.execute_tool(
                identifier="u1", tool_name="notes_create", tool_input={"title": "Q3"}
            )
            assert created.ok, created.error

            toolset = bridge.toolset(identifier="u1", connection_name="notes")
            assert [t.name for t in toolset.list_tools()] == ["notes_search", "notes_create"]
            found = toolset.call_tool_sync("notes_search", {"query": "q3"})
            assert found.ok and [n["title"] for n in found.data["results"]] == ["Q3"]

            definitions = openai_tools(toolset, strict=True)
            assert [d["function"]["name"] for d in definitions] == ["notes_search", "notes_create"]
            message = {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "notes_create", "arguments": json.dumps({"title": "From GPT"})},
                    }
                ],
            }
            (reply,) = execute_openai_tool_calls(toolset, message)
            assert reply["role"] == "tool" and reply["tool_call_id"] == "call_1"
            assert json.loads(reply["content"])["ok"] is True
        finally:
            bridge.close()
    assert [note["title"] for note in api.notes] == ["Q3", "From GPT"]


async def test_a_runtime_serves_it_to_every_tenant(tmp_path: Path) -> None:
    api = NotesApi()
    with serve_on_loopback(api) as root:
        async with Runtime(
            f"sqlite:///{tmp_path}/r.db",
            data_dir=tmp_path,
            providers=[NOTES],
            vault=Vault.from_string(Vault.generate_key()),
            entry_points=False,
        ) as runtime:
            for tenant in ("acme", "globex"):
                view = runtime.tenant(tenant)
                await view.aadd_connection("notes", provider="notes", base_url=root)
                await view.aconnect_api_key(connection_name="notes", identifier="u1", api_key=KEY)
                toolset = view.toolset(identifier="u1", connection_name="notes")
                result = await toolset.call_tool("notes_create", {"title": f"for {tenant}"})
                assert result.ok, result.error
    assert sorted(note["title"] for note in api.notes) == ["for acme", "for globex"]
