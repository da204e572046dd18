"""FunctionToolset: Python functions as tools, validated like CRM tools, errors as results."""

from __future__ import annotations

from typing import Any

import pytest

from crmbridge.errors import NotFound
from crmbridge.toolsets import FunctionToolset, Toolset

pytestmark = pytest.mark.anyio


def contacts() -> FunctionToolset:
    toolset = FunctionToolset()

    @toolset.function(read_only=True)
    def find_contact(email: str, limit: int = 1) -> dict[str, Any]:
        """Find a contact by email."""
        if email == "ghost@example.com":
            raise NotFound("No contact has this email.")
        return {"results": [{"email": email}] * limit}

    @toolset.function(name="create_contact", destructive=False)
    async def create(email: str) -> dict[str, Any]:
        """Create a contact."""
        return {"id": "7", "email": email}

    return toolset


def test_functions_become_tools_with_schemas_from_their_signatures() -> None:
    toolset = contacts()
    assert isinstance(toolset, Toolset)
    find, create = toolset.list_tools()
    assert (find.name, find.description, find.annotations.read_only) == (
        "find_contact",
        "Find a contact by email.",
        True,
    )
    assert find.input_schema["required"] == ["email"]
    assert find.input_schema["properties"] == {"email": {"type": "string"}, "limit": {"type": "integer"}}
    assert create.name == "create_contact" and not create.annotations.read_only


async def test_calls_are_validated_coerced_and_recorded() -> None:
    toolset = contacts()
    found = await toolset.call_tool("find_contact", '{"email": "a@example.com", "limit": "2"}')
    assert found.ok and found.data == {"results": [{"email": "a@example.com"}] * 2}
    created = await toolset.call_tool("create_contact", {"email": "b@example.com"})
    assert created.ok and created.data["id"] == "7"
    assert toolset.calls == [
        ("find_contact", {"email": "a@example.com", "limit": 2}),
        ("create_contact", {"email": "b@example.com"}),
    ]


async def test_bad_input_unknown_names_and_failures_come_back_as_results() -> None:
    toolset = contacts()
    missing = await toolset.call_tool("find_contact", {})
    assert missing.error is not None and missing.error.code == "invalid_input"
    unknown = await toolset.call_tool("find_contacts", {"email": "a@example.com"})
    assert unknown.error is not None and unknown.error.code == "unknown_tool"
    assert "find_contact" in unknown.error.message
    gone = await toolset.call_tool("find_contact", {"email": "ghost@example.com"})
    assert gone.error is not None and gone.error.code == "not_found"


def test_a_crashing_function_is_an_internal_error_result(caplog: pytest.LogCaptureFixture) -> None:
    def explode() -> None:
        raise RuntimeError("boom")

    result = FunctionToolset([explode]).call_tool_sync("explode", {})
    assert not result.ok and result.error is not None and result.error.code == "internal_error"
    assert "boom" not in result.error.message  # details stay in the log, not in what the model reads
    assert "explode" in caplog.text


def test_duplicate_names_are_a_setup_error() -> None:
    def ping() -> str:
        return "pong"

    with pytest.raises(Exception, match="already in this toolset"):
        FunctionToolset({"ping": ping, "pong": ping}).add(ping, name="ping")
