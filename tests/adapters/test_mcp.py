"""The MCP server in process, driven by the official MCP client (``mcp.client.Client``) in both protocol
eras: tools with annotations, structured results, isError for bad input, resources, prompts, and the
confirmation the server enforces before a write."""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client
from mcp.client.session import ClientRequestContext
from mcp.shared.exceptions import MCPError

from crmbridge.adapters.mcp import ConfirmationStore, build_server
from crmbridge.toolsets import Toolset

from ..bridges import Connected

pytestmark = pytest.mark.anyio

ERAS = ["legacy", "auto"]  # the initialize handshake, and the 2026-07-28 per-request protocol


@pytest.fixture(params=ERAS)
def era(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _structured(result: types.CallToolResult) -> dict[str, Any]:
    assert isinstance(result.structured_content, dict)
    text = result.content[0]
    assert isinstance(text, types.TextContent) and json.loads(text.text) == result.structured_content
    return result.structured_content


async def test_tools_are_listed_with_schema_title_and_annotations(
    hubspot_bridge: Connected, era: str
) -> None:
    toolset = hubspot_bridge.toolset
    async with Client(build_server(toolset), mode=era) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
    assert set(listed) == {t.name for t in toolset.list_tools()}
    search = listed["hubspot_contacts_search"]
    catalog = {t.name: t for t in toolset.list_tools()}
    assert search.input_schema == dict(catalog["hubspot_contacts_search"].input_schema)
    assert search.title == "Contacts search (hubspot)" and search.description
    assert search.annotations is not None
    assert (search.annotations.read_only_hint, search.annotations.destructive_hint) == (True, False)
    assert search.annotations.open_world_hint is True
    archive = listed["hubspot_record_archive"].annotations
    assert archive is not None and archive.destructive_hint is True and archive.read_only_hint is False
    assert archive.idempotent_hint is True
    assert "confirmation_token" not in listed["hubspot_contact_create"].input_schema["properties"]


async def test_a_read_returns_structured_content_and_bad_input_is_an_error_result(
    hubspot_bridge: Connected, era: str
) -> None:
    async with Client(build_server(hubspot_bridge.toolset), mode=era) as client:
        ok = await client.call_tool("hubspot_contacts_list", {"limit": 2})
        bad = await client.call_tool("hubspot_contact_get", {"contact_id": 12, "nonsense": True})
        unknown = await client.call_tool("hubspot_contact_gett", {})
    assert ok.is_error is False
    data = _structured(ok)
    assert data["ok"] is True and len(data["data"]["results"]) == 2
    assert bad.is_error is True
    error = _structured(bad)["error"]
    assert error["code"] == "invalid_input" and error["message"] and "next_step" in error
    assert "Correct the input" in error["next_step"]
    assert unknown.is_error is True and _structured(unknown)["error"]["code"] == "unknown_tool"
    assert "hubspot_contact_get" in _structured(unknown)["error"]["message"]


async def test_resources_hold_pipelines_owners_and_the_schema(hubspot_bridge: Connected, era: str) -> None:
    async with Client(build_server(hubspot_bridge.toolset), mode=era) as client:
        resources = {str(r.uri): r for r in (await client.list_resources()).resources}
        templates = (await client.list_resource_templates()).resource_templates
        read = {uri: await client.read_resource(uri) for uri in resources}
        contacts = await client.read_resource("crmbridge://reference/schema/contacts")
        with pytest.raises(MCPError, match="No resource"):
            await client.read_resource("crmbridge://reference/nothing")
    assert set(resources) == {
        "crmbridge://reference/pipelines",
        "crmbridge://reference/owners",
        "crmbridge://reference/schema",
    }
    assert [t.uri_template for t in templates] == ["crmbridge://reference/schema/{object}"]

    def body(result: types.ReadResourceResult) -> dict[str, Any]:
        content = result.contents[0]
        assert isinstance(content, types.TextResourceContents)
        return dict(json.loads(content.text))

    pipelines = body(read["crmbridge://reference/pipelines"])["reads"]
    assert {r["input"]["objectType"] for r in pipelines} == {"deals", "tickets"}
    deals = next(r for r in pipelines if r["input"]["objectType"] == "deals")
    assert deals["data"]["results"][0]["stages"], deals
    owners = body(read["crmbridge://reference/owners"])["reads"]
    assert owners[0]["data"]["results"][0]["email"]
    fields = body(contacts)["reads"][0]["data"]["results"]
    email = next(f for f in fields if f["key"] == "email")
    assert email["label"] and email["type"] == "string"


async def test_prompts_list_and_render_for_this_toolset(hubspot_bridge: Connected, era: str) -> None:
    async with Client(build_server(hubspot_bridge.toolset), mode=era) as client:
        prompts = [p.name for p in (await client.list_prompts()).prompts]
        got = await client.get_prompt("update_a_record_safely", {"request": "Move Acme's deal to won"})
        with pytest.raises(MCPError, match="No prompt"):
            await client.get_prompt("nope", {})
    assert prompts == ["update_a_record_safely", "review_pipeline"]
    text = got.messages[0].content
    assert isinstance(text, types.TextContent)
    assert "Move Acme's deal to won" in text.text and "hubspot_contacts_search" in text.text
    assert "crmbridge://reference/pipelines" in text.text


async def test_a_write_needs_a_token_bound_to_its_arguments_and_used_once(
    hubspot_bridge: Connected, era: str
) -> None:
    toolset: Toolset = hubspot_bridge.toolset
    server = build_server(toolset, confirm_writes=True, elicit=False)
    args = {"email": f"confirm-{era}@example.com", "firstname": "Ada"}
    async with Client(server, mode=era) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        assert "confirmation_token" in listed["hubspot_contact_create"].input_schema["properties"]
        assert "confirmation_token" not in listed["hubspot_contacts_search"].input_schema["properties"]

        first = _structured(await client.call_tool("hubspot_contact_create", args))
        assert first["confirmation_required"] is True and first["arguments"] == args
        token = first["confirmation_token"]
        assert await _count(toolset, args["email"]) == 0  # nothing written yet

        forged = await client.call_tool(
            "hubspot_contact_create", {**args, "confirmation_token": "cfm_forged"}
        )
        assert forged.is_error and _structured(forged)["error"]["code"] == "confirmation_invalid"

        changed = await client.call_tool(
            "hubspot_contact_create", {**args, "firstname": "Eve", "confirmation_token": token}
        )
        assert changed.is_error and "other arguments" in _structured(changed)["error"]["message"]
        assert await _count(toolset, args["email"]) == 0

        token = _structured(await client.call_tool("hubspot_contact_create", args))["confirmation_token"]
        done = await client.call_tool("hubspot_contact_create", {**args, "confirmation_token": token})
        assert done.is_error is False and _structured(done)["data"]["properties"]["email"] == args["email"]
        again = await client.call_tool("hubspot_contact_create", {**args, "confirmation_token": token})
        assert again.is_error and "already used" in _structured(again)["error"]["message"]
        read = await client.call_tool("hubspot_contacts_list", {"limit": 1})
        assert read.is_error is False  # reads never ask
    assert await _count(toolset, args["email"]) == 1


async def test_a_token_expires_and_belongs_to_one_account(hubspot_bridge: Connected) -> None:
    now = [0.0]
    store = ConfirmationStore(ttl=60, clock=lambda: now[0])
    toolset = hubspot_bridge.toolset
    other = hubspot_bridge.bridge.toolset(identifier="someone_else", connection_name="hubspot")
    args = {"email": "late@example.com"}
    async with (
        Client(build_server(toolset, confirm_writes=True, confirmations=store, elicit=False)) as mine,
        Client(build_server(other, confirm_writes=True, confirmations=store, elicit=False)) as theirs,
    ):
        token = _structured(await mine.call_tool("hubspot_contact_create", args))["confirmation_token"]
        stolen = await theirs.call_tool("hubspot_contact_create", {**args, "confirmation_token": token})
        assert stolen.is_error and "another tool or account" in _structured(stolen)["error"]["message"]
        token = _structured(await mine.call_tool("hubspot_contact_create", args))["confirmation_token"]
        now[0] = 61
        late = await mine.call_tool("hubspot_contact_create", {**args, "confirmation_token": token})
        assert late.is_error and "expired" in _structured(late)["error"]["message"]
    assert await _count(toolset, args["email"]) == 0


async def test_elicitation_asks_the_user_when_the_client_can(hubspot_bridge: Connected) -> None:
    answers: list[str] = []

    async def user(context: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        answers.append(params.message)
        return types.ElicitResult(action="accept", content={"confirm": "Ada" in params.message})

    toolset = hubspot_bridge.toolset
    server = build_server(toolset, confirm_writes=True)
    async with Client(server, mode="legacy", elicitation_callback=user) as client:
        yes = await client.call_tool(
            "hubspot_contact_create", {"email": "yes@example.com", "firstname": "Ada"}
        )
        no = await client.call_tool("hubspot_contact_create", {"email": "no@example.com", "firstname": "Bob"})
    assert yes.is_error is False and _structured(yes)["ok"] is True
    assert no.is_error and _structured(no)["error"]["code"] == "confirmation_declined"
    assert len(answers) == 2 and "hubspot_contact_create" in answers[0]
    assert await _count(toolset, "yes@example.com") == 1 and await _count(toolset, "no@example.com") == 0


async def _count(toolset: Toolset, email: str) -> int:
    found = await toolset.call_tool(
        "hubspot_contacts_search",
        {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}]},
    )
    assert found.ok, found.error
    return int(found.data["total"])
