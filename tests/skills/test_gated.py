"""Gated writes: confirmed first, once, with the exact arguments; never in parallel for one account;
updates only on the conversation's verified contact. Find-or-create never duplicates a caller."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from crmbridge import InvalidInput, NotFound
from crmbridge_sandbox import Sandbox

from .platform import Platform, platform


def _code(result: object) -> str | None:
    error = getattr(result, "error", None)
    return None if error is None else error.code


def test_a_gated_write_without_confirmation_writes_nothing(connected: Platform) -> None:
    writes = len(connected.transport.writes)
    asked = connected.execute("create_contact", {"phone": "+1 415 555 0101", "first_name": "Ann"})
    assert _code(asked) == "confirmation_required"
    assert asked.error is not None
    details = asked.error.details
    assert details["confirmation"].startswith("cfm_")
    assert details["summary"] == (
        "Create a contact (or use the existing one with this number): phone +1 415 555 0101, first name Ann."
    )
    assert len(connected.transport.writes) == writes
    assert [c for c in connected.contacts_ending("0101") if "0101" in str(c)] == []


def test_a_confirmation_runs_the_write_once_and_only_with_its_arguments(connected: Platform) -> None:
    args = {"phone": "+1 415 555 0102", "first_name": "Ann"}
    token = connected.execute("create_contact", args).error.details["confirmation"]  # type: ignore[union-attr]

    changed = connected.execute("create_contact", {**args, "first_name": "Eve"}, confirmation=token)
    assert _code(changed) == "confirmation_mismatch" and changed.error is not None
    assert changed.error.details["reason"] == "mismatch"
    other_skill = connected.execute("log_note", {"contact_id": "1", "text": "hi"}, confirmation=token)
    assert _code(other_skill) == "confirmation_mismatch"
    made_up = connected.execute("create_contact", args, confirmation="cfm_invented")
    assert _code(made_up) == "confirmation_mismatch" and made_up.error is not None
    assert made_up.error.details["reason"] == "unknown"
    writes = len(connected.transport.writes)

    done = connected.execute("create_contact", args, confirmation=token)
    assert done.ok, done.error
    assert done.data["status"] == "created" and done.data["created"] is True
    assert len(connected.transport.writes) == writes + 1

    replayed = connected.execute("create_contact", args, confirmation=token)
    assert _code(replayed) == "confirmation_mismatch" and replayed.error is not None
    assert replayed.error.details["reason"] == "used"
    assert len(connected.transport.writes) == writes + 1


def test_find_or_create_twice_leaves_one_contact(connected: Platform) -> None:
    first = connected.confirmed("create_contact", {"phone": "(415) 555-0103", "first_name": "Ann"})
    assert first.ok and first.data["created"] is True
    again = connected.confirmed("create_contact", {"phone": "+14155550103", "first_name": "Ann"})
    assert again.ok and again.data["created"] is False and again.data["status"] == "existing"
    assert again.data["contact"]["id"] == first.data["contact"]["id"]
    matching = [c for c in connected.contacts_ending("0103") if str(c["id"]) == first.data["contact"]["id"]]
    assert len(matching) == 1
    assert len([c for c in connected.contacts_ending("0103")]) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("provider", ["hubspot", "pipedrive"])
async def test_two_gated_writes_for_one_account_never_overlap(
    provider: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    made = await asyncio.to_thread(platform, sandbox, tmp_path, provider, delay=0.15)
    try:
        agents, agent_id = made.agents, made.agent_id
        created = await asyncio.to_thread(made.confirmed, "create_contact", {"phone": "+1 415 555 0104"})
        contact = created.data["contact"]["id"]
        notes = [{"contact_id": contact, "text": f"note {i}"} for i in range(3)]
        tokens = []
        for note in notes:
            asked = await agents.aexecute(agent_id, "log_note", note)
            tokens.append(asked.error.details["confirmation"])
        made.transport.writes.clear()
        results = await asyncio.gather(
            *(
                agents.aexecute(agent_id, "log_note", n, confirmation=t)
                for n, t in zip(notes, tokens, strict=True)
            )
        )
        assert all(r.ok for r in results), results
        spans = sorted(made.transport.writes)
        assert len(spans) == 3
        for (_, end, _), (start, _, _) in itertools.pairwise(spans):
            assert start >= end, f"writes overlapped: {spans}"
    finally:
        await asyncio.to_thread(made.close)


def test_update_needs_the_conversations_verified_contact(connected: Platform) -> None:
    agents, agent_id = connected.agents, connected.agent_id
    caller = connected.confirmed("create_contact", {"phone": "+1 415 555 0105", "first_name": "Ann"})
    stranger = connected.confirmed("create_contact", {"phone": "+1 415 555 0106", "first_name": "Eve"})
    mine, theirs = caller.data["contact"]["id"], stranger.data["contact"]["id"]
    change = {"contact_id": mine, "last_name": "Lee"}

    no_conversation = connected.execute("update_contact", change)
    assert _code(no_conversation) == "identity_not_verified"
    conversation = agents.start_conversation(agent_id, channel="voice", caller={"phone": "+1 415 555 0105"})
    unverified = connected.execute("update_contact", change, conversation_id=conversation["id"])
    assert _code(unverified) == "identity_not_verified" and unverified.error is not None
    assert "Verify the caller first" in unverified.error.message

    # caller_id is checked against the CRM: the number is not the stranger's.
    from crmbridge.skills import IdentityNotVerified

    with pytest.raises(IdentityNotVerified, match="does not identify this contact"):
        agents.verify(conversation["id"], contact_id=theirs, method="caller_id")
    verified = agents.verify(conversation["id"], contact_id=mine, method="caller_id")
    assert verified["verified"] == {"contact_id": mine, "method": "caller_id"}

    someone_else = connected.execute(
        "update_contact", {"contact_id": theirs, "last_name": "X"}, conversation_id=conversation["id"]
    )
    assert _code(someone_else) == "identity_not_verified"
    writes = len(connected.transport.writes)
    done = connected.confirmed("update_contact", change, conversation_id=conversation["id"])
    assert done.ok, done.error
    assert done.data == {"updated": True, "contact_id": mine, "changed": ["last_name"]}
    assert len(connected.transport.writes) == writes + 1


def test_reads_need_no_verification_and_the_toolset_shows_the_confirmation_field(connected: Platform) -> None:
    toolset = connected.agents.toolset(connected.agent_id)
    tools = {t.name: t for t in toolset.list_tools()}
    assert "confirmation" in tools["create_contact"].input_schema["properties"]
    assert "confirmation" not in tools["find_contact"].input_schema["properties"]
    assert tools["find_contact"].annotations.read_only and not tools["log_note"].annotations.read_only
    found = toolset.call_tool_sync("find_contact", {"phone": "+1 415 555 0107"})
    assert found.ok and found.data["status"] == "none"


@pytest.mark.anyio
@pytest.mark.parametrize("provider", ["hubspot", "pipedrive"])
async def test_concurrent_find_or_create_for_one_new_caller_leaves_one_contact(
    provider: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    made = await asyncio.to_thread(platform, sandbox, tmp_path, provider)
    try:
        agents, agent_id = made.agents, made.agent_id
        calls = [{"phone": phone, "first_name": "Ann"} for phone in ["+1 415 555 0108", "4155550108"] * 5]
        tokens = [
            (await agents.aexecute(agent_id, "create_contact", c)).error.details["confirmation"]
            for c in calls
        ]
        results = await asyncio.gather(
            *(
                agents.aexecute(agent_id, "create_contact", c, confirmation=t)
                for c, t in zip(calls, tokens, strict=True)
            )
        )
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        assert sorted(r.data["created"] for r in results) == [False] * 9 + [True]
        assert len({r.data["contact"]["id"] for r in results}) == 1
        assert len(await asyncio.to_thread(made.contacts_ending, "0108")) == 1
    finally:
        await asyncio.to_thread(made.close)


def test_unknown_agents_conversations_and_bad_input_are_clear_errors(connected: Platform) -> None:
    agents = connected.agents
    unknown = agents.execute("no-such-agent", "find_contact", {"phone": "4155550100"})
    assert _code(unknown) == "not_found"
    missing = connected.execute("send_email", {})
    assert _code(missing) == "unknown_tool"
    with pytest.raises(InvalidInput, match="channel must be one of voice, chat"):
        agents.start_conversation(connected.agent_id, channel="fax")
    with pytest.raises(InvalidInput, match="name must be"):
        agents.create_agent("   ")
    conversation = agents.start_conversation(connected.agent_id, channel="chat", caller={"email": "a@b.test"})
    with pytest.raises(InvalidInput, match="method must be one of"):
        agents.verify(conversation["id"], contact_id="1", method="trust_me")
    with pytest.raises(NotFound):
        agents.verify("nope", contact_id="1", method="otp")
    blank = connected.execute("create_contact", {"phone": "+1 415 555 0109"}, confirmation="  ")
    assert _code(blank) == "invalid_input"


@pytest.mark.anyio
@pytest.mark.parametrize("provider", ["hubspot", "pipedrive"])
async def test_a_conversations_parallel_writes_do_not_overlap_in_the_sandbox_log(
    provider: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    """The CRM's own view: with every request taking 100 ms inside the sandbox, the writes of one
    conversation, sent together, end at least 100 ms apart (each started after the previous ended)."""
    made = await asyncio.to_thread(platform, sandbox, tmp_path, provider)
    try:
        agents, agent_id = made.agents, made.agent_id
        caller = await asyncio.to_thread(made.confirmed, "create_contact", {"phone": "+1 415 555 0111"})
        contact = caller.data["contact"]["id"]
        conversation = await asyncio.to_thread(agents.start_conversation, agent_id, channel="voice")
        writes = [
            ("log_note", {"contact_id": contact, "text": "Asked for a callback"}),
            ("create_task", {"contact_id": contact, "subject": "Call back"}),
            ("create_deal", {"contact_id": contact, "title": "Upgrade"}),
        ]
        tokens = [
            (await agents.aexecute(agent_id, n, a, conversation_id=conversation["id"])).error.details[
                "confirmation"
            ]
            for n, a in writes
        ]
        async with sandbox.client() as control:
            await control.delete("/_sandbox/requests")
            await control.post("/_sandbox/faults", json={provider: {"latency_ms": 100}})
            try:
                results = await asyncio.gather(
                    *(
                        agents.aexecute(agent_id, n, a, conversation_id=conversation["id"], confirmation=t)
                        for (n, a), t in zip(writes, tokens, strict=True)
                    )
                )
            finally:
                await control.post("/_sandbox/faults", json={})
            log = (await control.get("/_sandbox/requests", params={"provider": provider})).json()
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        ends = sorted(
            e["time"]
            for e in log["requests"]
            if e["method"] == "POST" and not e["path"].endswith(("/search", "/batch/read"))
        )
        assert len(ends) >= 3, log["requests"]
        gaps = [b - a for a, b in itertools.pairwise(ends)]
        assert min(gaps) >= 0.095, f"writes overlapped in the CRM: {gaps}"
    finally:
        await asyncio.to_thread(made.close)
